%% The job store: three public ETS tables, created and owned by pbcompute_jobs. Runners write
%% their own job's rows; HTTP handlers read without going through any process, so a slow
%% runner never blocks a GET.
%%   jobs    set          {Id, Seq, Job, Result, Runner, Owner}   Job is the public JSON map
%%   index   ordered_set  {Seq, Id, Owner}                       newest-first listing and eviction
%%   events  ordered_set  {{Id, N}, Name, JsonBinary}            the replayable SSE log per job
%% Owner is the tenant that submitted the job (pbcompute_auth): lookup/2 and page/4 only see a
%% tenant's own jobs; lookup/1 is for the server's own use.
-module(pbcompute_store).

-export([create_tables/0, insert/5, update/3, lookup/1, lookup/2, delete/1, count/0,
         add_event/4, events_after/2, last_event_id/1,
         page/4, evict/1, encode_cursor/1, decode_cursor/1]).

-define(JOBS, pbcompute_store_jobs).
-define(INDEX, pbcompute_store_index).
-define(EVENTS, pbcompute_store_events).

create_tables() ->
    Opts = [named_table, public, {read_concurrency, true}, {write_concurrency, true}],
    ?JOBS = ets:new(?JOBS, [set | Opts]),
    ?INDEX = ets:new(?INDEX, [ordered_set | Opts]),
    ?EVENTS = ets:new(?EVENTS, [ordered_set | Opts]),
    ok.

insert(Id, Seq, Owner, Job, Runner) ->
    true = ets:insert(?JOBS, {Id, Seq, Job, undefined, Runner, Owner}),
    true = ets:insert(?INDEX, {Seq, Id, Owner}),
    ok.

update(Id, Job, Result) ->
    true = ets:update_element(?JOBS, Id, [{3, Job}, {4, Result}]),
    ok.

-spec lookup(binary()) -> {ok, map(), map() | undefined, pid()} | not_found.
lookup(Id) ->
    case ets:lookup(?JOBS, Id) of
        [{Id, _, Job, Result, Runner, _}] -> {ok, Job, Result, Runner};
        [] -> not_found
    end.

%% @doc Like lookup/1, but another tenant's job is not_found (as if it did not exist).
-spec lookup(binary(), pbcompute_auth:tenant()) -> {ok, map(), map() | undefined, pid()} | not_found.
lookup(Id, Owner) ->
    case ets:lookup(?JOBS, Id) of
        [{Id, _, Job, Result, Runner, Owner}] -> {ok, Job, Result, Runner};
        _ -> not_found
    end.

delete(Id) ->
    case ets:lookup(?JOBS, Id) of
        [{Id, Seq, _, _, _, _}] ->
            ets:delete(?JOBS, Id),
            ets:delete(?INDEX, Seq),
            ets:match_delete(?EVENTS, {{Id, '_'}, '_', '_'}),
            ok;
        [] -> ok
    end.

count() -> ets:info(?JOBS, size).

add_event(Id, N, Name, Json) ->
    true = ets:insert(?EVENTS, {{Id, N}, Name, Json}),
    ok.

%% @doc Logged events with id > After, oldest first: `[{N, Name, JsonBinary}]`.
events_after(Id, After) ->
    Spec = [{{{Id, '$1'}, '$2', '$3'}, [{'>', '$1', After}], [{{'$1', '$2', '$3'}}]}],
    lists:keysort(1, ets:select(?EVENTS, Spec)).

last_event_id(Id) ->
    case ets:prev(?EVENTS, {Id, infinity}) of  % integers sort before atoms
        {Id, N} -> N;
        _ -> 0
    end.

%% @doc One page of Owner's jobs, newest first, optionally only with Status:
%% `{Jobs, NextSeq | undefined}`. Before is the cursor's sequence number (exclusive).
page(Owner, Status, Limit, Before) ->
    First = case Before of
                undefined -> ets:last(?INDEX);
                _ -> ets:prev(?INDEX, Before)
            end,
    collect(First, Owner, Status, Limit, []).

collect('$end_of_table', _, _, _, Acc) -> {[J || {_, J} <- lists:reverse(Acc)], undefined};
collect(Seq, Owner, Status, Limit, Acc) ->
    Job = case ets:lookup(?INDEX, Seq) of
              [{Seq, Id, Owner}] -> job_if(Id, Status);
              _ -> skip  % gone, or another tenant's
          end,
    case Job of
        skip -> collect(ets:prev(?INDEX, Seq), Owner, Status, Limit, Acc);
        _ when length(Acc) =:= Limit ->
            %% One more match exists, so the page is not the last one.
            [{LastSeq, _} | _] = Acc,
            {[J || {_, J} <- lists:reverse(Acc)], LastSeq};
        _ -> collect(ets:prev(?INDEX, Seq), Owner, Status, Limit, [{Seq, Job} | Acc])
    end.

job_if(Id, Status) ->
    case lookup(Id) of
        {ok, #{<<"status">> := S} = Job, _, _} when Status =:= undefined; S =:= Status -> Job;
        _ -> skip
    end.

%% @doc Deletes up to N of the oldest finished jobs (running ones are never evicted);
%% returns the deleted ids so their idempotency keys can go too.
evict(N) -> evict(ets:first(?INDEX), N, []).

evict(_, 0, Acc) -> Acc;
evict('$end_of_table', _, Acc) -> Acc;
evict(Seq, N, Acc) ->
    Next = ets:next(?INDEX, Seq),
    case ets:lookup(?INDEX, Seq) of
        [{Seq, Id, _}] ->
            case lookup(Id) of
                {ok, #{<<"status">> := S}, _, _} when S =:= <<"successful">>; S =:= <<"failed">>;
                                                      S =:= <<"dismissed">> ->
                    delete(Id),
                    evict(Next, N - 1, [Id | Acc]);
                _ -> evict(Next, N, Acc)
            end;
        [] -> evict(Next, N, Acc)
    end.

%% Cursors are opaque to clients; this one is the sequence number in base 36.
encode_cursor(Seq) -> <<"c", (integer_to_binary(Seq, 36))/binary>>.

decode_cursor(<<"c", Digits/binary>>) when byte_size(Digits) > 0, byte_size(Digits) < 20 ->
    try binary_to_integer(Digits, 36) of
        Seq when Seq > 0 -> {ok, Seq};
        _ -> error
    catch error:badarg -> error
    end;
decode_cursor(_) -> error.
