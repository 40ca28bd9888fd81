%% One process per job: owns the job's state and event log, runs its chunks in linked worker
%% processes (plists-style: at most `concurrency` in flight, spread over the schedulers by the
%% VM and, like plists' `{nodes, [...]}` malt, round-robin over the cluster's nodes,
%% pbcompute_cluster:members/0), merges their partials, and ends the job exactly once
%% (successful, failed or dismissed). A chunk whose node is lost (its worker exits with
%% `noconnection`) runs again on the nodes still there; partials merge once per chunk, so the
%% result is exact. A distributed node shows where chunks ran in the Job's `cluster` member. Killing the workers is how cancel, timeout and first-item-failure abort
%% sibling chunks, including a `sleep` in progress. The process exits when the job is terminal.
-module(pbcompute_job_runner).
-behaviour(gen_server).

-export([start/5, run/1, cancel/1, subscribe/2, now_iso/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

%% A worker that dies without reporting (killed, out of memory) has its chunk re-run this
%% many times before the job fails with worker_crashed.
-define(MAX_ATTEMPTS, 3).
%% Progress events are coalesced to at most one per this many ms (the last one always goes).
-define(PROGRESS_EVERY_MS, 50).

-record(st, {id, job, kind, fns, source, chunk_size, concurrency, timeout_ms,
             total_chunks, next = 0, inflight = #{}, acc, completed_chunks = 0,
             completed_items = 0, event_id = 0, subscribers = #{},
             progress_dirty = false, last_progress = 0, progress_timer, timeout_timer,
             turn = 0, by_node = #{}, reruns = 0}).

%% API ------------------------------------------------------------------------------------

%% @doc Starts the runner of a new job (status accepted) owned by tenant Owner and logs its
%% first event. Spec comes from pbcompute_request:job/1; Fns from pbcompute_api_jobs.
start(Id, Seq, Owner, Spec, Fns) -> gen_server:start(?MODULE, {Id, Seq, Owner, Spec, Fns}, []).

%% @doc Moves an accepted job to running (sent by pbcompute_jobs when a slot is free).
run(Pid) -> gen_server:cast(Pid, run).

%% @doc Dismisses the job: `{ok, Job}`. Exits if the runner already ended (job terminal).
cancel(Pid) -> gen_server:call(Pid, cancel).

%% @doc Subscriber gets `{pb_event, Id, N, Name, Json}` for every event after the returned
%% last event id, in order; logged events up to that id are in pbcompute_store.
subscribe(Pid, Subscriber) -> gen_server:call(Pid, {subscribe, Subscriber}).

%% gen_server ------------------------------------------------------------------------------

init({Id, Seq, Owner, #{kind := Kind, function := Function, reducer := Reducer, input := Input,
                 options := Given}, Fns}) ->
    process_flag(trap_exit, true),  % worker deaths arrive as messages, never kill the job
    Source = pbcompute_plists:source(Input),
    Total = pbcompute_plists:total(Source),
    %% Unless the client says, every node of the cluster gets `workers` chunks at a time (plists'
    %% `{nodes, [{Node, Schedulers}, ...]}`); a single node, `workers`.
    Concurrency = maps:get(<<"concurrency">>, Given,
                           pbcompute_config:get(workers) * length(pbcompute_cluster:members())),
    ChunkSize = maps:get(<<"chunkSize">>, Given, pbcompute_plists:default_chunk_size(Total, Concurrency)),
    TimeoutMs = maps:get(<<"timeoutMs">>, Given, pbcompute_config:get(default_timeout_ms)),
    TotalChunks = pbcompute_plists:chunk_count(Total, ChunkSize),
    Job0 = #{<<"id">> => Id, <<"kind">> => atom_to_binary(Kind), <<"function">> => Function,
             <<"status">> => <<"accepted">>,
             <<"progress">> => progress(0, TotalChunks, 0, Total),
             <<"options">> => #{<<"chunkSize">> => ChunkSize, <<"concurrency">> => Concurrency,
                                <<"timeoutMs">> => TimeoutMs},
             <<"createdAt">> => now_iso(),
             <<"links">> => #{<<"self">> => <<"/v1/jobs/", Id/binary>>,
                              <<"result">> => <<"/v1/jobs/", Id/binary, "/result">>,
                              <<"events">> => <<"/v1/jobs/", Id/binary, "/events">>}},
    Job = case Reducer of
              undefined -> Job0;
              _ -> Job0#{<<"reducer">> => Reducer}
          end,
    ok = pbcompute_store:insert(Id, Seq, Owner, Job, self()),
    St = #st{id = Id, job = Job, kind = Kind, fns = Fns, source = Source, chunk_size = ChunkSize,
             concurrency = Concurrency, timeout_ms = TimeoutMs, total_chunks = TotalChunks,
             acc = pbcompute_plists:new_acc(Kind),
             last_progress = now_ms() - ?PROGRESS_EVERY_MS},  % monotonic time may be negative
    {ok, event(<<"status">>, Job, St)}.

handle_call(cancel, _From, St) ->
    Problem = pbcompute_problem:new(job_cancelled, <<"The job was cancelled.">>,
                                    #{<<"jobId">> => St#st.id}),
    St1 = terminal(<<"dismissed">>, {error, Problem}, St),
    {stop, normal, {ok, St1#st.job}, St1};
handle_call({subscribe, Pid}, _From, #st{subscribers = Subs} = St) ->
    Ref = erlang:monitor(process, Pid),
    {reply, {ok, St#st.event_id}, St#st{subscribers = Subs#{Pid => Ref}}}.

handle_cast(run, #st{job = #{<<"status">> := <<"accepted">>} = Job} = St) ->
    Timer = erlang:send_after(St#st.timeout_ms, self(), job_timeout),
    Running = Job#{<<"status">> => <<"running">>, <<"startedAt">> => now_iso()},
    St1 = event(<<"status">>, Running, save(St#st{job = Running, timeout_timer = Timer})),
    case St1#st.total_chunks of
        0 -> succeed(St1);
        _ -> {noreply, dispatch(St1)}
    end;
handle_cast(run, St) -> {noreply, St}.

handle_info({chunk_done, Pid, Outcome}, #st{inflight = Inflight} = St) ->
    case maps:take(Pid, Inflight) of
        {{Index, _Attempt, Count}, Rest} ->
            ByNode = maps:update_with(node(Pid), fun(N) -> N + 1 end, 1, St#st.by_node),
            chunk_done(Index, Count, Outcome, St#st{inflight = Rest, by_node = ByNode});
        error -> {noreply, St}  % from a worker of an aborted attempt
    end;
handle_info({'EXIT', Pid, noconnection}, #st{inflight = Inflight} = St) ->
    %% Its node is gone: not the chunk's fault, so it runs again (elsewhere) as the same attempt.
    case maps:take(Pid, Inflight) of
        {{Index, Attempt, _}, Rest} ->
            {noreply, dispatch(spawn_chunk(Index, Attempt, St#st{inflight = Rest,
                                                                 reruns = St#st.reruns + 1}))};
        error -> {noreply, St}
    end;
handle_info({'EXIT', Pid, Reason}, #st{inflight = Inflight} = St) when Reason =/= normal ->
    case maps:take(Pid, Inflight) of
        {{Index, Attempt, _}, Rest} when Attempt < ?MAX_ATTEMPTS ->
            {noreply, dispatch(spawn_chunk(Index, Attempt + 1, St#st{inflight = Rest}))};
        {{Index, _, _}, Rest} ->
            Detail = io_lib:format("chunk ~b crashed ~b times: ~0tp", [Index, ?MAX_ATTEMPTS, Reason]),
            fail(pbcompute_problem:new(worker_crashed, Detail, #{<<"jobId">> => St#st.id}),
                 St#st{inflight = Rest});
        error -> {noreply, St}
    end;
handle_info({'EXIT', _, normal}, St) -> {noreply, St};
handle_info(job_timeout, St) ->
    Detail = io_lib:format("The job did not finish within ~b ms.", [St#st.timeout_ms]),
    fail(pbcompute_problem:new(job_timeout, Detail, #{<<"jobId">> => St#st.id}), St);
handle_info(flush_progress, St) ->
    {noreply, flush_progress(St#st{progress_timer = undefined})};
handle_info({'DOWN', _, process, Pid, _}, #st{subscribers = Subs} = St) ->
    {noreply, St#st{subscribers = maps:remove(Pid, Subs)}};
handle_info(_, St) -> {noreply, St}.

%% Chunks -----------------------------------------------------------------------------------

dispatch(#st{next = Next, total_chunks = Total, inflight = Inflight, concurrency = C} = St)
  when Next < Total, map_size(Inflight) < C ->
    dispatch(spawn_chunk(Next, 1, St#st{next = Next + 1}));
dispatch(St) -> St.

%% The runner slices the chunk, so only that chunk's items are copied to the worker. Chunks
%% take turns over the cluster's nodes; another node gets the function names, not funs, and
%% runs its own copy of them (every node runs the same skeleton).
spawn_chunk(Index, Attempt, #st{kind = Kind, fns = Fns, source = Source, chunk_size = Size, turn = Turn} = St) ->
    {First, Items} = pbcompute_plists:chunk(Source, Size, Index),
    Runner = self(),
    Nodes = pbcompute_cluster:members(),
    Pid = case lists:nth(Turn rem length(Nodes) + 1, Nodes) of
              Local when Local =:= node() ->
                  spawn_link(fun() -> pbcompute_plists:run_chunk_for(Runner, Kind, Fns, First, Items) end);
              Remote ->
                  Names = maps:map(fun(_, #{name := Name}) -> Name end, Fns),
                  spawn_link(Remote, pbcompute_plists, run_chunk_for, [Runner, Kind, Names, First, Items])
          end,
    St#st{inflight = (St#st.inflight)#{Pid => {Index, Attempt, length(Items)}}, turn = Turn + 1}.

chunk_done(Index, Count, {ok, Partial}, #st{kind = Kind, fns = Fns, acc = Acc} = St) ->
    case pbcompute_plists:merge(Kind, Fns, Acc, {Index, Partial}) of
        {ok, Acc1} ->
            St1 = progressed(Count, St#st{acc = Acc1}),
            case St1#st.completed_chunks =:= St1#st.total_chunks of
                true -> succeed(St1);
                false -> {noreply, dispatch(St1)}
            end;
        {error, Message} ->
            fail(pbcompute_problem:new(item_failed, Message, #{<<"jobId">> => St#st.id}), St)
    end;
chunk_done(_, _, {item_failed, ItemIndex, Message}, St) ->
    fail(pbcompute_problem:new(item_failed, Message,
                               #{<<"itemIndex">> => ItemIndex, <<"jobId">> => St#st.id}), St).

%% Progress ---------------------------------------------------------------------------------

progressed(Count, #st{job = Job} = St) ->
    Chunks = St#st.completed_chunks + 1,
    Items = St#st.completed_items + Count,
    Progress = progress(Chunks, St#st.total_chunks, Items, maps:get(<<"totalItems">>, maps:get(<<"progress">>, Job))),
    St1 = St#st{completed_chunks = Chunks, completed_items = Items,
                job = cluster(Job#{<<"progress">> => Progress}, St), progress_dirty = true},
    Wait = St1#st.last_progress + ?PROGRESS_EVERY_MS - now_ms(),
    if
        Wait =< 0 -> flush_progress(St1);
        St1#st.progress_timer =:= undefined ->
            St1#st{progress_timer = erlang:send_after(Wait, self(), flush_progress)};
        true -> St1
    end.

flush_progress(#st{progress_dirty = false} = St) -> St;
flush_progress(#st{id = Id, job = Job} = St) ->
    Data = #{<<"jobId">> => Id, <<"progress">> => maps:get(<<"progress">>, Job)},
    event(<<"progress">>, Data, save(St#st{progress_dirty = false, last_progress = now_ms()})).

%% On a distributed node, the Job says where its chunks ran: `cluster.chunksByNode` counts
%% completed chunks per node, `cluster.rerunChunks` the chunks run again after losing a node.
cluster(Job, #st{by_node = ByNode, reruns = Reruns}) ->
    case erlang:is_alive() of
        false -> Job;
        true -> Job#{<<"cluster">> => #{<<"chunksByNode">> => maps:fold(fun(N, C, A) -> A#{atom_to_binary(N) => C} end,
                                                                         #{}, ByNode),
                                        <<"rerunChunks">> => Reruns}}
    end.

progress(Chunks, TotalChunks, Items, TotalItems) ->
    #{<<"completedChunks">> => Chunks, <<"totalChunks">> => TotalChunks,
      <<"completedItems">> => Items, <<"totalItems">> => TotalItems}.

%% Ending -------------------------------------------------------------------------------------

succeed(#st{kind = Kind, fns = Fns, acc = Acc} = St) ->
    {stop, normal, terminal(<<"successful">>, {result, pbcompute_plists:finish(Kind, Fns, Acc)}, St)}.

fail(Problem, St) -> {stop, normal, terminal(<<"failed">>, {error, Problem}, St)}.

%% Aborts what still runs, then logs (progress), result or error, and the final status.
terminal(Status, Outcome, #st{inflight = Inflight} = St) ->
    [begin unlink(Pid), exit(Pid, kill) end || Pid <- maps:keys(Inflight)],
    cancel_timer(St#st.timeout_timer),
    cancel_timer(St#st.progress_timer),
    St1 = flush_progress(St#st{inflight = #{}, timeout_timer = undefined, progress_timer = undefined}),
    Job0 = (St1#st.job)#{<<"status">> => Status, <<"finishedAt">> => now_iso()},
    {Job, Result, Name, Data} =
        case Outcome of
            {result, R} -> {Job0, R, <<"result">>, R};
            {error, Problem} -> {Job0#{<<"error">> => Problem}, undefined, <<"error">>, Problem}
        end,
    ok = pbcompute_store:update(St1#st.id, Job, Result),
    event(<<"status">>, Job, event(Name, Data, St1#st{job = Job})).

cancel_timer(undefined) -> ok;
cancel_timer(Ref) -> erlang:cancel_timer(Ref), ok.

%% Store and events -------------------------------------------------------------------------

save(#st{id = Id, job = Job} = St) ->
    ok = pbcompute_store:update(Id, Job, undefined),
    St.

%% Logged before it is sent, so a subscriber never misses an id between replay and live.
event(Name, Data, #st{id = Id, event_id = N0, subscribers = Subs} = St) ->
    N = N0 + 1,
    Json = iolist_to_binary(pbcompute_json:encode(Data)),
    ok = pbcompute_store:add_event(Id, N, Name, Json),
    [Pid ! {pb_event, Id, N, Name, Json} || Pid <- maps:keys(Subs)],
    St#st{event_id = N}.

now_ms() -> erlang:monotonic_time(millisecond).

now_iso() ->
    list_to_binary(calendar:system_time_to_rfc3339(erlang:system_time(millisecond),
                                                    [{unit, millisecond}, {offset, "Z"}])).
