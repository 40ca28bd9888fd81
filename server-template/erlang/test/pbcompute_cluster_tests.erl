%% Distributed Erlang without a second VM (test/templates/erlang-cluster.test.ts of the polybridge
%% repository runs three): the join list, membership on a node that is not distributed, and the
%% runner's answer to a lost node, seen as chunk workers exiting with `noconnection`.
-module(pbcompute_cluster_tests).
-include_lib("eunit/include/eunit.hrl").

parse_nodes_test_() ->
    P = fun pbcompute_cluster:parse_nodes/1,
    [?_assertEqual([], P("")),
     ?_assertEqual(['a@h'], P("a@h")),
     ?_assertEqual(['a@h', 'b@127.0.0.1'], P(" a@h , ,b@127.0.0.1,")),
     ?_assertEqual(['a@h'], P(<<"a@h">>))].

cluster_test_() ->
    {setup,
     fun() -> {ok, _} = pbcompute:start(#{port => 0, host => "127.0.0.1", workers => 2}) end,
     fun(_) -> pbcompute:stop() end,
     [{"a node that is not distributed computes alone", fun alone/0},
      {"a lost node's chunks run again, however often, with the exact result", fun lost_node/0},
      {"a crashing chunk still fails the job after three attempts", fun crashing/0}]}.

alone() ->
    ?assertEqual(false, erlang:is_alive()),
    ?assertEqual([node()], pbcompute_cluster:members()),
    Id = submit(lists:seq(1, 10), #{}),
    {Job, _} = wait(Id),
    %% Default concurrency: workers per node, one node; no cluster member off a distributed node.
    ?assertMatch(#{<<"options">> := #{<<"concurrency">> := 2}}, Job),
    ?assertEqual(false, maps:is_key(<<"cluster">>, Job)).

%% The job's one chunk worker is made to exit five times as a worker on a vanished node would:
%% more than the three attempts a crashing chunk gets, yet the chunk keeps being re-run and
%% every item comes back once.
lost_node() ->
    Items = [300, 301, 302, 303],
    Id = submit(Items, #{<<"chunkSize">> => 4}),
    [begin
         [W | _] = workers(Id),
         exit(W, noconnection),
         timer:sleep(30)
     end || _ <- lists:seq(1, 5)],
    {Job, Result} = wait(Id),
    ?assertMatch(#{<<"status">> := <<"successful">>}, Job),
    ?assertEqual(#{<<"kind">> => <<"map">>, <<"items">> => Items}, Result).

crashing() ->
    Id = submit([300], #{<<"chunkSize">> => 1}),
    [begin
         [W | _] = workers(Id),
         exit(W, boom),
         timer:sleep(30)
     end || _ <- lists:seq(1, 3)],
    {Job, _} = wait(Id),
    ?assertMatch(#{<<"status">> := <<"failed">>, <<"error">> := #{<<"code">> := <<"worker_crashed">>}}, Job).

%% The chunk workers linked to a job's runner, once it has some.
workers(Id) ->
    {ok, _, _, Runner} = pbcompute_store:lookup(Id),
    case erlang:process_info(Runner, links) of
        {links, Links} ->
            case [P || P <- Links, is_pid(P), P =/= whereis(pbcompute_jobs)] of
                [] -> timer:sleep(10), workers(Id);
                Workers -> Workers
            end;
        undefined -> erlang:error(runner_gone)
    end.

submit(Items, Options) ->
    Body = #{<<"kind">> => <<"map">>, <<"function">> => <<"sleep">>,
             <<"input">> => #{<<"items">> => Items}, <<"options">> => Options},
    pbcompute_test_jobs:submit(Body).

wait(Id) -> pbcompute_test_jobs:wait(Id).
