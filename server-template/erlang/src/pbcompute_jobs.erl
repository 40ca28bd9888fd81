%% The job manager: owns the store's tables, gives out job ids, admits jobs (at most
%% max_running_jobs run, up to max_queued_jobs wait as `accepted`, beyond that queue_full),
%% remembers Idempotency-Keys, evicts old finished jobs, watches runners, and drains on
%% shutdown. Reads (get, list, events) go straight to pbcompute_store, not through here.
-module(pbcompute_jobs).
-behaviour(gen_server).

-export([start_link/0, submit/4, submit/5, cancel/1, cancel/2, stats/0, drain/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-record(st, {next_seq = 1, running = #{}, queue = queue:new(), monitors = #{},
             idem = #{}, idem_of_job = #{}, draining = false, drain_waiter}).

start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

%% @doc submit/5 for the shared tenant `public` (auth off).
submit(Spec, Fns, IdempotencyKey, Body) -> submit(public, Spec, Fns, IdempotencyKey, Body).

%% @doc Creates a job owned by Tenant, or finds the one Tenant's Idempotency-Key already made:
%% `{new, Id}`, `{replayed, Id}` or `{error, idempotency_key_conflict | queue_full | shutting_down}`.
%% Body is the parsed request body, compared with == (key order and 1 vs 1.0 do not matter).
%% Each tenant has its own keys: the same key from two tenants makes two jobs.
submit(Tenant, Spec, Fns, IdempotencyKey, Body) ->
    gen_server:call(?MODULE, {submit, Tenant, Spec, Fns, IdempotencyKey, Body}, 60000).

%% @doc cancel/2 for the shared tenant `public` (auth off).
cancel(Id) -> cancel(public, Id).

%% @doc Dismisses Tenant's job: `{ok, Job}` (also for an already dismissed one),
%% `{error, job_already_finished}` or `{error, job_not_found}` (also for another tenant's job).
cancel(Tenant, Id) ->
    case pbcompute_store:lookup(Id, Tenant) of
        not_found -> {error, job_not_found};
        {ok, #{<<"status">> := S}, _, Runner} when S =:= <<"accepted">>; S =:= <<"running">> ->
            try pbcompute_job_runner:cancel(Runner)
            catch exit:_ -> cancelled_or_finished(Tenant, Id)  % it finished while we asked
            end;
        {ok, _, _, _} -> cancelled_or_finished(Tenant, Id)
    end.

cancelled_or_finished(Tenant, Id) ->
    case pbcompute_store:lookup(Id, Tenant) of
        {ok, #{<<"status">> := <<"dismissed">>} = Job, _, _} -> {ok, Job};
        {ok, _, _, _} -> {error, job_already_finished};
        not_found -> {error, job_not_found}
    end.

%% @doc Counts for /v1/health: `#{queued, running, stored, draining}`.
stats() -> gen_server:call(?MODULE, stats).

%% @doc Refuses new jobs from now on and returns `ok` when running and queued jobs are done,
%% or `timeout` after GraceMs, having dismissed the jobs still left.
drain(GraceMs) -> gen_server:call(?MODULE, {drain, GraceMs}, infinity).

%% gen_server ------------------------------------------------------------------------------

init([]) ->
    ok = pbcompute_store:create_tables(),
    {ok, #st{}}.

handle_call({submit, Tenant, Spec, Fns, Key, Body}, _From, St) ->
    case maps:find({Tenant, Key}, St#st.idem) of
        {ok, {Id, Body0}} when Body0 == Body -> {reply, {replayed, Id}, St};
        {ok, _} -> {reply, {error, idempotency_key_conflict}, St};
        error -> admit(Tenant, Spec, Fns, Key, Body, St)
    end;
handle_call(stats, _From, St) ->
    {reply, #{queued => queue:len(St#st.queue), running => map_size(St#st.running),
              stored => pbcompute_store:count(), draining => St#st.draining}, St};
handle_call({drain, GraceMs}, From, St) ->
    erlang:send_after(GraceMs, self(), drain_timeout),
    {noreply, maybe_drained(St#st{draining = true, drain_waiter = From})}.

handle_cast(_, St) -> {noreply, St}.

handle_info({'DOWN', Ref, process, _, Reason}, St) ->
    case maps:take(Ref, St#st.monitors) of
        {Id, Monitors} ->
            Reason =:= normal orelse runner_crashed(Id, Reason),
            St1 = St#st{monitors = Monitors, running = maps:remove(Id, St#st.running),
                        queue = queue:filter(fun({QId, _}) -> QId =/= Id end, St#st.queue)},
            {noreply, maybe_drained(start_queued(St1))};
        error -> {noreply, St}
    end;
handle_info(drain_timeout, #st{drain_waiter = undefined} = St) -> {noreply, St};
handle_info(drain_timeout, #st{drain_waiter = From} = St) ->
    %% Grace is over: dismiss what is left so event streams still see a terminal status.
    Left = maps:to_list(St#st.running) ++ queue:to_list(St#st.queue),
    [catch pbcompute_job_runner:cancel(Pid) || {_, Pid} <- Left],
    gen_server:reply(From, timeout),
    {noreply, St#st{drain_waiter = undefined}};
handle_info(_, St) -> {noreply, St}.

%% Admission ---------------------------------------------------------------------------------

admit(_, _, _, _, _, #st{draining = true} = St) -> {reply, {error, shutting_down}, St};
admit(Tenant, Spec, Fns, Key, Body, St) ->
    MaxRunning = pbcompute_config:get(max_running_jobs),
    Full = map_size(St#st.running) >= MaxRunning
        andalso queue:len(St#st.queue) >= pbcompute_config:get(max_queued_jobs),
    case Full of
        true -> {reply, {error, queue_full}, St};
        false ->
            Seq = St#st.next_seq,
            Id = job_id(Seq),
            {ok, Pid} = pbcompute_job_runner:start(Id, Seq, Tenant, Spec, Fns),
            Ref = erlang:monitor(process, Pid),
            St1 = remember_key({Tenant, Key}, Id, Body, St#st{next_seq = Seq + 1,
                                                     monitors = (St#st.monitors)#{Ref => Id}}),
            St2 = start_queued(St1#st{queue = queue:in({Id, Pid}, St1#st.queue)}),
            {reply, {new, Id}, evict(St2)}
    end.

%% Queued jobs start in submission order while there is a free slot.
start_queued(#st{running = Running, queue = Queue} = St) ->
    case map_size(Running) < pbcompute_config:get(max_running_jobs) andalso queue:out(Queue) of
        {{value, {Id, Pid}}, Rest} ->
            pbcompute_job_runner:run(Pid),
            start_queued(St#st{running = Running#{Id => Pid}, queue = Rest});
        _ -> St
    end.

%% Sequence (for order) plus randomness (so ids are not guessable), e.g. `job_1f_3a9c0b12`.
job_id(Seq) ->
    Random = string:lowercase(binary:encode_hex(rand:bytes(4))),
    <<"job_", (string:lowercase(integer_to_binary(Seq, 36)))/binary, "_", Random/binary>>.

%% Keys are {Tenant, Idempotency-Key}.
remember_key({_, undefined}, _, _, St) -> St;
remember_key(Key, Id, Body, St) ->
    St#st{idem = (St#st.idem)#{Key => {Id, Body}}, idem_of_job = (St#st.idem_of_job)#{Id => Key}}.

%% Keys live as long as their job: evicting a job forgets its key.
evict(St) ->
    case pbcompute_store:count() - pbcompute_config:get(max_stored_jobs) of
        Excess when Excess > 0 ->
            lists:foldl(fun(Id, S) ->
                                case maps:take(Id, S#st.idem_of_job) of
                                    {Key, Rest} -> S#st{idem = maps:remove(Key, S#st.idem), idem_of_job = Rest};
                                    error -> S
                                end
                        end, St, pbcompute_store:evict(Excess));
        _ -> St
    end.

%% A runner that died without ending its job (a bug, or killed): fail the job so clients
%% waiting on it see an end, and close its event log the way a runner would have.
runner_crashed(Id, Reason) ->
    case pbcompute_store:lookup(Id) of
        {ok, #{<<"status">> := S} = Job, _, _} when S =:= <<"accepted">>; S =:= <<"running">> ->
            Detail = io_lib:format("The job's runner crashed: ~0tp", [Reason]),
            Problem = pbcompute_problem:new(worker_crashed, Detail, #{<<"jobId">> => Id}),
            Failed = Job#{<<"status">> => <<"failed">>, <<"error">> => Problem,
                          <<"finishedAt">> => pbcompute_job_runner:now_iso()},
            ok = pbcompute_store:update(Id, Failed, undefined),
            N = pbcompute_store:last_event_id(Id),
            ok = pbcompute_store:add_event(Id, N + 1, <<"error">>, iolist_to_binary(pbcompute_json:encode(Problem))),
            ok = pbcompute_store:add_event(Id, N + 2, <<"status">>, iolist_to_binary(pbcompute_json:encode(Failed)));
        _ -> ok
    end.

maybe_drained(#st{drain_waiter = From, running = Running, queue = Queue} = St)
  when From =/= undefined, map_size(Running) =:= 0 ->
    case queue:is_empty(Queue) of
        true -> gen_server:reply(From, ok), St#st{drain_waiter = undefined};
        false -> St
    end;
maybe_drained(St) -> St.
