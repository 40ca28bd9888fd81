%% The job engine end to end, without HTTP: every kind, failure, cancel, timeout, concurrency,
%% idempotency and the event log.
-module(pbcompute_jobs_tests).
-include_lib("eunit/include/eunit.hrl").

engine_test_() ->
    {setup,
     fun() -> {ok, _} = pbcompute:start(#{port => 0, host => "127.0.0.1"}) end,
     fun(_) -> pbcompute:stop() end,
     [{"map keeps input order", fun map_job/0},
      {"filter over a range", fun filter_range_job/0},
      {"fold, and the identity of an empty input", fun fold_jobs/0},
      {"mapreduce counts words", fun mapreduce_job/0},
      {"results carry doubles as JSON.stringify writes them", fun doubles/0},
      {"first failing item fails the job and stops siblings", fun item_failure/0},
      {"a non-finite result fails its item", fun non_finite_jobs/0},
      {"cancel dismisses at once and kills chunks", fun cancel_job/0},
      {"timeoutMs bounds the whole job", fun timeout_job/0},
      {"concurrency bounds chunks in flight", {timeout, 20, fun concurrency/0}},
      {"idempotency keys replay or conflict", fun idempotency/0},
      {"the event log is ordered and complete", fun event_log/0},
      {"list pages newest first", fun listing/0}]}.

%% One job runs, one waits, the next is refused; draining refuses everything new.
admission_test_() ->
    {setup,
     fun() -> {ok, _} = pbcompute:start(#{port => 0, max_running_jobs => 1, max_queued_jobs => 1}) end,
     fun(_) -> pbcompute:stop() end,
     fun() ->
             Sleep = job(<<"map">>, <<"sleep">>, items([300])),
             Running = submit(Sleep),
             Queued = submit(Sleep),
             {ok, Spec} = pbcompute_request:job(Sleep),
             {ok, Fns} = pbcompute_registry:job_functions(Spec),
             ?assertEqual({error, queue_full}, pbcompute_jobs:submit(Spec, Fns, undefined, Sleep)),
             ?assertMatch(#{running := 1, queued := 1}, pbcompute_jobs:stats()),
             {ok, #{<<"status">> := <<"accepted">>}, _, _} = pbcompute_store:lookup(Queued),
             %% The queued job starts when the running one ends, so draining waits for both.
             ?assertEqual(ok, pbcompute_jobs:drain(5000)),
             [?assertMatch({#{<<"status">> := <<"successful">>}, _}, wait(Id)) || Id <- [Running, Queued]],
             ?assertEqual({error, shutting_down}, pbcompute_jobs:submit(Spec, Fns, undefined, Sleep)),
             ?assertMatch(#{draining := true, running := 0, queued := 0}, pbcompute_jobs:stats())
     end}.

%% Past the grace period, what still runs is dismissed (and its event log ends).
drain_timeout_test_() ->
    {setup,
     fun() -> {ok, _} = pbcompute:start(#{port => 0}) end,
     fun(_) -> pbcompute:stop() end,
     fun() ->
             Late = submit(job(<<"map">>, <<"sleep">>, items([5000]))),
             ?assertEqual(timeout, pbcompute_jobs:drain(100)),
             ?assertMatch({#{<<"status">> := <<"dismissed">>}, _}, wait(Late)),
             [{_, <<"status">>, Last}] = pbcompute_store:events_after(Late, pbcompute_store:last_event_id(Late) - 1),
             ?assertMatch(#{<<"status">> := <<"dismissed">>}, jiffy:decode(Last, [return_maps]))
     end}.

submit(Body) -> submit(Body, undefined).

submit(Body, Key) ->
    {ok, Spec} = pbcompute_request:job(Body),
    {ok, Fns} = pbcompute_registry:job_functions(Spec),
    {new, Id} = pbcompute_jobs:submit(Spec, Fns, Key, Body),
    Id.

job(Kind, Function, Input) -> job(Kind, Function, Input, #{}).

job(Kind, Function, Input, Options) ->
    #{<<"kind">> => Kind, <<"function">> => Function, <<"input">> => Input, <<"options">> => Options}.

items(L) -> #{<<"items">> => L}.

range(S, E) -> #{<<"range">> => #{<<"start">> => S, <<"end">> => E}}.

%% Polls the store (the runner exits at the end, so this is bounded by the job itself).
wait(Id) -> wait(Id, 100).

wait(Id, 0) -> erlang:error({job_not_finished, Id});
wait(Id, N) ->
    {ok, #{<<"status">> := S} = Job, Result, _} = pbcompute_store:lookup(Id),
    case lists:member(S, [<<"successful">>, <<"failed">>, <<"dismissed">>]) of
        true -> {Job, Result};
        false -> timer:sleep(50), wait(Id, N - 1)
    end.

map_job() ->
    Id = submit(job(<<"map">>, <<"square">>, items(lists:seq(1, 50)), #{<<"chunkSize">> => 7})),
    {Job, Result} = wait(Id),
    ?assertMatch(#{<<"status">> := <<"successful">>,
                   <<"options">> := #{<<"chunkSize">> := 7, <<"concurrency">> := _, <<"timeoutMs">> := 300000},
                   <<"progress">> := #{<<"completedChunks">> := 8, <<"totalChunks">> := 8,
                                       <<"completedItems">> := 50, <<"totalItems">> := 50}}, Job),
    ?assertEqual(#{<<"kind">> => <<"map">>, <<"items">> => [X * X || X <- lists:seq(1, 50)]}, Result).

filter_range_job() ->
    Body = job(<<"filter">>, <<"isEven">>,
               #{<<"range">> => #{<<"start">> => 10, <<"end">> => -3, <<"step">> => -3}}),
    {_, Result} = wait(submit(Body)),
    ?assertEqual(#{<<"kind">> => <<"filter">>, <<"items">> => [10, 4, -2]}, Result).

fold_jobs() ->
    {_, R1} = wait(submit(job(<<"fold">>, <<"sum">>, range(1, 101), #{<<"chunkSize">> => 9}))),
    ?assertEqual(#{<<"kind">> => <<"fold">>, <<"value">> => 5050}, R1),
    {Job, R2} = wait(submit(job(<<"fold">>, <<"sum">>, items([])))),
    ?assertEqual(#{<<"kind">> => <<"fold">>, <<"value">> => 0}, R2),
    ?assertMatch(#{<<"progress">> := #{<<"totalChunks">> := 0, <<"totalItems">> := 0}}, Job).

mapreduce_job() ->
    Body = (job(<<"mapreduce">>, <<"tokenize">>, items([<<"a b a">>, <<"b c">>, <<"C!">>]), #{<<"chunkSize">> => 1}))
        #{<<"reducer">> => <<"sum">>},
    {Job, Result} = wait(submit(Body)),
    ?assertMatch(#{<<"reducer">> := <<"sum">>}, Job),
    ?assertEqual(#{<<"kind">> => <<"mapreduce">>,
                   <<"entries">> => [[<<"a">>, 2], [<<"b">>, 2], [<<"c">>, 2]]}, Result).

%% Each kind's result holds integral doubles as the integers JavaScript prints (D8).
doubles() ->
    {_, Map} = wait(submit(job(<<"map">>, <<"square">>, items([134217729, 2.0, 1.5])))),
    ?assertEqual([18014398777917440, 4, 2.25], maps:get(<<"items">>, Map)),
    {_, Filter} = wait(submit(job(<<"filter">>, <<"isEven">>, items([2.0, 3])))),
    ?assertEqual([2], maps:get(<<"items">>, Filter)),
    {_, Fold} = wait(submit(job(<<"fold">>, <<"sum">>, items([9007199254740991, 1, 0.0])))),
    ?assertEqual(9007199254740992, maps:get(<<"value">>, Fold)),
    ?assertEqual(<<"[9007199254740992]">>, iolist_to_binary(pbcompute_json:encode([maps:get(<<"value">>, Fold)]))).

item_failure() ->
    %% Chunk 0 fails at once; the other chunks would sleep 5 s each.
    T0 = erlang:monotonic_time(millisecond),
    Id = submit(job(<<"map">>, <<"sleep">>, items([-1, 5000, 5000, 5000]),
                    #{<<"chunkSize">> => 1, <<"concurrency">> => 4})),
    {Job, undefined} = wait(Id),
    ?assert(erlang:monotonic_time(millisecond) - T0 < 2000),
    ?assertMatch(#{<<"status">> := <<"failed">>,
                   <<"error">> := #{<<"code">> := <<"item_failed">>, <<"itemIndex">> := 0,
                                    <<"status">> := 422}}, Job),
    Id2 = submit(job(<<"map">>, <<"fail">>, items([1, 2, 3, <<"boom">>]), #{<<"chunkSize">> => 2})),
    {Job2, _} = wait(Id2),
    ?assertMatch(#{<<"error">> := #{<<"itemIndex">> := 3, <<"detail">> := <<"fail: \"boom\"">>}}, Job2).

%% Erlang raises badarith where JavaScript would make Infinity: the job fails with item_failed
%% (with the item when one item overflowed; without one when two chunk totals did).
non_finite_jobs() ->
    Detail = fun(Name, V) -> <<Name/binary, " returned a non-finite number (", V/binary, "), which JSON cannot represent">> end,
    {Map, undefined} = wait(submit(job(<<"map">>, <<"square">>, items([1, 2, 1.0e200, 3]), #{<<"chunkSize">> => 2}))),
    ?assertMatch(#{<<"status">> := <<"failed">>,
                   <<"error">> := #{<<"code">> := <<"item_failed">>, <<"itemIndex">> := 2}}, Map),
    ?assertEqual(Detail(<<"square">>, <<"Infinity">>), maps:get(<<"detail">>, maps:get(<<"error">>, Map))),
    %% Within a chunk the step overflows at item 1.
    {Fold, _} = wait(submit(job(<<"fold">>, <<"sum">>, items([1.0e308, 1.0e308]), #{<<"chunkSize">> => 2}))),
    ?assertMatch(#{<<"status">> := <<"failed">>,
                   <<"error">> := #{<<"code">> := <<"item_failed">>, <<"itemIndex">> := 1}}, Fold),
    %% Each chunk is finite; combining their totals is not.
    {Combined, _} = wait(submit(job(<<"fold">>, <<"sum">>, items([-1.0e308, -1.0e308]), #{<<"chunkSize">> => 1}))),
    ?assertMatch(#{<<"status">> := <<"failed">>, <<"error">> := #{<<"code">> := <<"item_failed">>}}, Combined),
    ?assertEqual(Detail(<<"sum">>, <<"-Infinity">>), maps:get(<<"detail">>, maps:get(<<"error">>, Combined))).

cancel_job() ->
    Id = submit(job(<<"map">>, <<"sleep">>, items([3000, 3000, 3000]), #{<<"chunkSize">> => 1})),
    timer:sleep(100),
    {ok, #{<<"options">> := #{<<"concurrency">> := C}}, _, Runner} = pbcompute_store:lookup(Id),
    Workers = [P || {links, Ls} <- [erlang:process_info(Runner, links)], P <- Ls],
    ?assertEqual(min(3, C), length(Workers)),  % chunk workers are linked to their runner
    {ok, Job} = pbcompute_jobs:cancel(Id),
    ?assertMatch(#{<<"status">> := <<"dismissed">>}, Job),
    timer:sleep(50),
    ?assertEqual([], [P || P <- [Runner | Workers], is_process_alive(P)]),
    ?assertMatch({ok, #{<<"status">> := <<"dismissed">>}}, pbcompute_jobs:cancel(Id)),
    Done = submit(job(<<"map">>, <<"square">>, items([1]))),
    wait(Done),
    ?assertEqual({error, job_already_finished}, pbcompute_jobs:cancel(Done)),
    ?assertEqual({error, job_not_found}, pbcompute_jobs:cancel(<<"job_nope">>)).

timeout_job() ->
    Id = submit(job(<<"map">>, <<"sleep">>, items([2000]), #{<<"timeoutMs">> => 100})),
    {Job, _} = wait(Id),
    ?assertMatch(#{<<"status">> := <<"failed">>, <<"error">> := #{<<"code">> := <<"job_timeout">>}}, Job).

concurrency() ->
    Time = fun(C) ->
                   T0 = erlang:monotonic_time(millisecond),
                   wait(submit(job(<<"map">>, <<"sleep">>, items([150, 150, 150, 150]),
                                   #{<<"chunkSize">> => 1, <<"concurrency">> => C}))),
                   erlang:monotonic_time(millisecond) - T0
           end,
    ?assert(Time(1) >= 600),   % one chunk at a time
    ?assert(Time(4) < 590).    % all four at once

idempotency() ->
    Body = job(<<"map">>, <<"square">>, items([1, 2])),
    Id = submit(Body, <<"k1">>),
    {ok, Spec} = pbcompute_request:job(Body),
    {ok, Fns} = pbcompute_registry:job_functions(Spec),
    %% Key order and 2 vs 2.0 do not make a different body.
    Same = maps:from_list(lists:reverse(maps:to_list(Body#{<<"input">> => items([1, 2.0])}))),
    ?assertEqual({replayed, Id}, pbcompute_jobs:submit(Spec, Fns, <<"k1">>, Same)),
    ?assertEqual({error, idempotency_key_conflict},
                 pbcompute_jobs:submit(Spec, Fns, <<"k1">>, Body#{<<"input">> => items([3])})).

event_log() ->
    Id = submit(job(<<"map">>, <<"sleep">>, items([20, 20, 20]), #{<<"chunkSize">> => 1, <<"concurrency">> => 1})),
    wait(Id),
    Events = pbcompute_store:events_after(Id, 0),
    ?assertEqual(lists:seq(1, length(Events)), [N || {N, _, _} <- Events]),
    Names = [Name || {_, Name, _} <- Events],
    ?assertMatch([<<"status">>, <<"status">> | _], Names),
    ?assertEqual([<<"result">>, <<"status">>], lists:nthtail(length(Names) - 2, Names)),
    Progress = [jiffy:decode(J, [return_maps]) || {_, <<"progress">>, J} <- Events],
    Completed = [C || #{<<"progress">> := #{<<"completedChunks">> := C}} <- Progress],
    ?assert(length(Completed) >= 1),
    ?assertEqual(Completed, lists:usort(Completed)),  % never decreases
    ?assertEqual(3, lists:last(Completed)),
    ?assertEqual(2, length(pbcompute_store:events_after(Id, length(Events) - 2))).

listing() ->
    Ids = [submit(job(<<"map">>, <<"square">>, items([N]))) || N <- lists:seq(1, 3)],
    [wait(Id) || Id <- Ids],
    {Page1, Next} = pbcompute_store:page(public, <<"successful">>, 2, undefined),
    ?assertEqual(lists:reverse(tl(Ids)), [maps:get(<<"id">>, J) || J <- Page1]),
    {Page2, _} = pbcompute_store:page(public, <<"successful">>, 1, Next),
    ?assertEqual([hd(Ids)], [maps:get(<<"id">>, J) || J <- Page2]),
    {Dismissed, undefined} = pbcompute_store:page(public, <<"dismissed">>, 100, undefined),
    ?assert(lists:all(fun(#{<<"status">> := S}) -> S =:= <<"dismissed">> end, Dismissed)),
    ?assertEqual({ok, 42}, pbcompute_store:decode_cursor(pbcompute_store:encode_cursor(42))),
    ?assertEqual(error, pbcompute_store:decode_cursor(<<"bogus!">>)).
