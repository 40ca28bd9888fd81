%% diningPhilosophers (D9): the protocol's invariants for several ring sizes and seeds, no process
%% left behind, the ring dies with its caller (cancel), and the input schema's pointers.
-module(pbcompute_philosophers_tests).
-include_lib("eunit/include/eunit.hrl").

run(N, Meals, Seed) ->
    pbcompute_philosophers:run(#{<<"philosophers">> => N, <<"meals">> => Meals, <<"seed">> => Seed}).

invariants_test_() ->
    {timeout, 60,
     [?_assertEqual([], violations(N, Meals, run(N, Meals, Seed)))
      || {N, Meals} <- [{2, 3}, {3, 3}, {5, 3}, {64, 3}, {1000, 1}, {7, 20}], Seed <- [0, 1, 42]]}.

%% The checks conformance makes (test/conformance/src/checks/philosophersViolations.ts).
violations(N, Meals, #{<<"philosophers">> := N1, <<"meals">> := Eaten, <<"messages">> := Messages,
                       <<"log">> := Log, <<"maxNeighboursEating">> := Max}) ->
    Pairs = case N of 2 -> 1; _ -> N end,
    Ticks = lists:append([[S, E] || [_, S, E] <- Log]),
    Starts = [S || [_, S, _] <- Log],
    [philosophers || N1 =/= N] ++
    [meals || Eaten =/= lists:duplicate(N, Meals)] ++
    [max || Max =/= 0] ++
    [messages || Messages < 2 * Pairs] ++
    [log_length || length(Log) =/= N * Meals] ++
    [start_before_end || [_, S, E] <- Log, S >= E] ++
    [ordered_by_start || Starts =/= lists:sort(Starts)] ++
    [distinct_ticks || length(lists:usort(Ticks)) =/= length(Ticks)] ++
    [{overlap, I, J} || [I, S1, E1] <- Log, [J, S2, E2] <- Log, {I, S1} < {J, S2},
                        I =:= J orelse (I + 1) rem N =:= J orelse (J + 1) rem N =:= I,
                        S1 < E2, S2 < E1].

seeds_differ_test() ->
    %% Same seed, same durations; the interleaving may still differ, the invariants may not.
    Logs = [maps:get(<<"log">>, run(16, 5, Seed)) || Seed <- lists:seq(0, 9)],
    ?assert(length(lists:usort(Logs)) > 1).

no_leak_test() ->
    Before = length(processes()),
    _ = run(200, 3, 5),
    ?assertEqual(Before, length(processes())),
    ?assertEqual([], flush()).

flush() -> receive M -> [M | flush()] after 0 -> [] end.

%% Killing the caller (what cancel and timeouts do to a chunk worker or a call) ends the ring.
cancel_test() ->
    Self = self(),
    Caller = spawn(fun() -> Self ! {ring, self(), run(1000, 100, 3)} end),
    timer:sleep(50),
    Ring = [P || P <- processes(), is_ring_of(P, Caller)],
    ?assert(length(Ring) > 0),
    exit(Caller, kill),
    timer:sleep(200),
    ?assertEqual([], [P || P <- Ring, is_process_alive(P)]),
    receive {ring, Caller, _} -> ?assert(false) after 0 -> ok end.

is_ring_of(P, Caller) ->
    case erlang:process_info(P, links) of
        {links, Links} -> lists:member(Caller, Links) andalso P =/= self();
        undefined -> false
    end.

schema_test_() ->
    {ok, Def} = pbcompute_registry:find(<<"diningPhilosophers">>),
    V = fun(Input) ->
                case pbcompute_registry:validate_input(Def, Input, <<"/input">>) of
                    ok -> ok;
                    {error, Es} -> [P || #{<<"path">> := P} <- Es]
                end
        end,
    [?_assertEqual(ok, V(#{<<"philosophers">> => 2, <<"meals">> => 1})),
     ?_assertEqual(ok, V(#{<<"philosophers">> => 1000, <<"meals">> => 100, <<"seed">> => 0})),
     ?_assertEqual([<<"/input/philosophers">>], V(#{<<"philosophers">> => 1, <<"meals">> => 1})),
     ?_assertEqual([<<"/input/philosophers">>], V(#{<<"philosophers">> => 1001, <<"meals">> => 1})),
     ?_assertEqual([<<"/input/meals">>], V(#{<<"philosophers">> => 3, <<"meals">> => 101})),
     ?_assertEqual([<<"/input/seed">>], V(#{<<"philosophers">> => 3, <<"meals">> => 1, <<"seed">> => -1})),
     ?_assertEqual([<<"/input/forks">>], V(#{<<"philosophers">> => 3, <<"meals">> => 1, <<"forks">> => 3})),
     ?_assertEqual([<<"/input/philosophers">>], V(#{<<"meals">> => 1}))].

%% As a map job: one chunk worker per ring, one progress item per ring; cancelling the job kills
%% the workers and with them every philosopher.
job_test_() ->
    {setup,
     fun() -> {ok, _} = pbcompute:start(#{port => 0, host => "127.0.0.1"}) end,
     fun(_) -> pbcompute:stop() end,
     [{"a map job over rings", fun map_job/0},
      {"cancel ends the rings", {timeout, 20, fun cancel_job/0}}]}.

submit(Items) ->
    Body = #{<<"kind">> => <<"map">>, <<"function">> => <<"diningPhilosophers">>,
             <<"input">> => #{<<"items">> => Items}, <<"options">> => #{<<"chunkSize">> => 1}},
    pbcompute_test_jobs:submit(Body).

ring(N, Meals, Seed) -> #{<<"philosophers">> => N, <<"meals">> => Meals, <<"seed">> => Seed}.

wait(Id) -> pbcompute_test_jobs:wait(Id).

map_job() ->
    Rings = [ring(2, 3, 11), ring(3, 3, 12), ring(5, 3, 13), ring(64, 3, 14)],
    {Job, #{<<"items">> := Outputs}} = wait(submit(Rings)),
    ?assertMatch(#{<<"status">> := <<"successful">>,
                   <<"progress">> := #{<<"totalChunks">> := 4, <<"completedChunks">> := 4,
                                       <<"totalItems">> := 4, <<"completedItems">> := 4}}, Job),
    ?assertEqual([[], [], [], []], [violations(N, 3, Out) || {#{<<"philosophers">> := N}, Out} <- lists:zip(Rings, Outputs)]).

cancel_job() ->
    Before = length(processes()),
    Id = submit([ring(1000, 100, 1), ring(1000, 100, 2)]),
    timer:sleep(200),
    ?assert(length(processes()) > Before + 1000),  % the rings are running
    {ok, #{<<"status">> := <<"dismissed">>}} = pbcompute_jobs:cancel(Id),
    timer:sleep(300),
    ?assert(length(processes()) < Before + 10).
