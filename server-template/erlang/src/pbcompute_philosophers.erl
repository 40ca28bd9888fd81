%% The dining philosophers, Chandy/Misra (1984), as the seed's Erlang program had them: one
%% process per philosopher, each talking only to its two neighbours, one fork per adjacent pair
%% (N = 2: one pair, one fork), forks clean or dirty, and a request token per fork. Initially
%% every fork is dirty and held by the lower-numbered philosopher of its pair; the other one
%% holds the token. The calling process is the ring's monitor: it counts ticks (one per eat-start
%% and eat-end it receives), keeps the log, and tells how many neighbour pairs it ever saw
%% eating at once, which the algorithm keeps at 0 (docs/PROTOCOL.md, `diningPhilosophers`).
%%
%% Every philosopher is linked to the caller, so killing the caller (a cancelled job's chunk
%% worker, a timed-out call) ends the ring; at the end the caller waits for each one's 'DOWN',
%% so no process outlives a run.
-module(pbcompute_philosophers).

-export([run/1]).

-record(ph, {i, monitor, meals, rng, forks, sent = 0}).

%% @doc Runs a ring: `#{<<"philosophers">> := N, <<"meals">> := M, <<"seed">> => S}` (validated by
%% the function's input schema) to the protocol's output map.
%%
%% Example: `run(#{<<"philosophers">> => 5, <<"meals">> => 3})` returns a map whose
%% `<<"meals">>` is `[3, 3, 3, 3, 3]` and whose `<<"maxNeighboursEating">>` is 0.
-spec run(map()) -> map().
run(#{<<"philosophers">> := N0, <<"meals">> := M0} = Input) ->
    {N, Meals, Seed} = {trunc(N0), trunc(M0), trunc(maps:get(<<"seed">>, Input, 0))},
    Monitor = self(),
    Pids = list_to_tuple([spawn_link(fun() -> philosopher(I, Monitor, Meals, Seed) end)
                          || I <- lists:seq(0, N - 1)]),
    Refs = [erlang:monitor(process, element(I + 1, Pids)) || I <- lists:seq(0, N - 1)],
    [element(I + 1, Pids) ! {forks, initial_forks(I, N, Pids)} || I <- lists:seq(0, N - 1)],
    {Log, MaxPairs} = watch(N, N * Meals, #{tick => 0, starts => #{}, log => [], pairs => 0, max => 0}),
    [element(I + 1, Pids) ! stop || I <- lists:seq(0, N - 1)],
    Messages = lists:sum([receive {sent, I, S} -> S end || I <- lists:seq(0, N - 1)]),
    [receive {'DOWN', Ref, process, _, _} -> ok end || Ref <- Refs],
    [unlink(element(I + 1, Pids)) || I <- lists:seq(0, N - 1)],
    Eaten = lists:foldl(fun([I, _, _], Acc) -> maps:update_with(I, fun(C) -> C + 1 end, 1, Acc) end, #{}, Log),
    #{<<"philosophers">> => N,
      <<"meals">> => [maps:get(I, Eaten, 0) || I <- lists:seq(0, N - 1)],
      <<"messages">> => Messages,
      <<"log">> => lists:sort(fun([_, A, _], [_, B, _]) -> A =< B end, Log),
      <<"maxNeighboursEating">> => MaxPairs}.

%% The forks of philosopher I, by neighbour: one per adjacent pair (N = 2: the one pair). The
%% lower-numbered philosopher of a pair starts with the fork (dirty), the other with the token.
initial_forks(I, N, Pids) ->
    Neighbours = lists:usort([(I + 1) rem N, (I + N - 1) rem N]),
    maps:from_list([{J, #{pid => element(J + 1, Pids), fork => I < J, dirty => true, token => I > J}}
                    || J <- Neighbours]).

%% The monitor ---------------------------------------------------------------------------------

%% One tick per notification. A philosopher's eat-end is acknowledged before it hands on a fork,
%% so a neighbour's eat-start is always seen after it: the monitor's order is the causal one.
watch(_, 0, #{log := Log, max := Max}) -> {Log, Max};
watch(N, MealsLeft, #{tick := Tick, starts := Starts, log := Log, pairs := Pairs, max := Max} = W) ->
    receive
        {eat_start, I} ->
            Eating = [J || J <- neighbours(I, N), maps:is_key(J, Starts)],
            Pairs1 = Pairs + length(Eating),
            watch(N, MealsLeft, W#{tick := Tick + 1, starts := Starts#{I => Tick + 1},
                                   pairs := Pairs1, max := max(Max, Pairs1)});
        {eat_end, I, Pid} ->
            {Start, Starts1} = maps:take(I, Starts),
            Pid ! {ack, self()},
            Eating = [J || J <- neighbours(I, N), maps:is_key(J, Starts1)],
            watch(N, MealsLeft - 1, W#{tick := Tick + 1, starts := Starts1, pairs := Pairs - length(Eating),
                                       log := [[I, Start, Tick + 1] | Log]})
    end.

neighbours(I, N) -> lists:usort([(I + 1) rem N, (I + N - 1) rem N]).

%% A philosopher -------------------------------------------------------------------------------

philosopher(I, Monitor, Meals, Seed) ->
    receive {forks, Forks} -> ok end,
    P = #ph{i = I, monitor = Monitor, meals = Meals, forks = Forks,
            rng = rand:seed_s(exsss, {Seed, I, 16#9E3779B9})},
    think(P).

think(P) -> hungry(pause(P)).

%% Ask for each missing fork whose token we hold (the token travels with the request).
hungry(#ph{i = I, forks = Forks} = P) ->
    {Forks1, Sent} = maps:fold(fun(J, #{fork := false, token := true, pid := Pid} = F, {Acc, S}) ->
                                       Pid ! {request, I},
                                       {Acc#{J := F#{token := false}}, S + 1};
                                  (_, _, Acc) -> Acc
                               end, {Forks, 0}, Forks),
    wait_forks(P#ph{forks = Forks1, sent = P#ph.sent + Sent}).

wait_forks(#ph{forks = Forks} = P) ->
    case lists:all(fun(#{fork := F}) -> F end, maps:values(Forks)) of
        true -> eat(P);
        false ->
            receive
                {fork, J} ->
                    wait_forks(P#ph{forks = update(J, #{fork => true, dirty => false}, Forks)});
                {request, J} ->
                    case maps:get(J, Forks) of
                        #{dirty := true} ->
                            %% Not eating, fork dirty: clean it, hand it over, and ask it back
                            %% at once with the token that just arrived.
                            P1 = give(J, P#ph{forks = update(J, #{token => true}, Forks)}),
                            hungry(P1);
                        #{dirty := false} ->
                            %% A clean fork stays until we have eaten; the request waits.
                            wait_forks(P#ph{forks = update(J, #{token => true}, Forks)})
                    end
            end
    end.

eat(#ph{i = I, monitor = Monitor, forks = Forks, meals = Meals} = P) ->
    Monitor ! {eat_start, I},
    P1 = pause(P),
    Monitor ! {eat_end, I, self()},
    receive {ack, Monitor} -> ok end,
    Dirty = maps:map(fun(_, F) -> F#{dirty := true} end, Forks),
    %% Serve the requests that waited: a held token means the neighbour asked.
    P2 = maps:fold(fun(J, #{token := true, fork := true}, Acc) -> give(J, Acc);
                      (_, _, Acc) -> Acc
                   end, P1#ph{forks = Dirty, meals = Meals - 1}, Dirty),
    case P2#ph.meals of
        0 -> sated(P2);
        _ -> think(P2)
    end.

%% Done eating: forks go to whoever asks, until the monitor says stop.
sated(#ph{i = I, monitor = Monitor, forks = Forks} = P) ->
    receive
        {request, J} -> sated(give(J, P#ph{forks = update(J, #{token => true}, Forks)}));
        stop -> Monitor ! {sent, I, P#ph.sent}
    end.

%% Sends fork J (clean on arrival), keeping its token to ask for it back.
give(J, #ph{i = I, forks = Forks} = P) ->
    #{pid := Pid} = maps:get(J, Forks),
    Pid ! {fork, I},
    P#ph{forks = update(J, #{fork => false}, Forks), sent = P#ph.sent + 1}.

update(J, Changes, Forks) -> Forks#{J := maps:merge(maps:get(J, Forks), Changes)}.

%% Thinking and eating take 0..3 scheduler yields, drawn from the seeded generator, so the
%% interleaving varies with the seed and the run stays fast for 1000 philosophers.
pause(#ph{rng = Rng} = P) ->
    {Yields, Rng1} = rand:uniform_s(4, Rng),
    [erlang:yield() || _ <- lists:seq(2, Yields)],
    P#ph{rng = Rng1}.
