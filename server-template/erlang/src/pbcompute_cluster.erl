%% Distributed Erlang, the seed's "Erlang distributed map/reduce": the other pbcompute nodes
%% this node computes with. A node started with a name (bin/start --name/--sname) connects to
%% the nodes in POLYBRIDGE_ERLANG_NODES (bin/start --join), retrying every second until they
%% answer, so nodes may start in any order; Erlang then meshes every node a member knows.
%% A connected node becomes a member once it says hello from its own pbcompute_cluster, so a
%% remote shell or an unrelated node never gets chunks. Job runners spread chunks over
%% members/0 (pbcompute_job_runner), as plists' `{nodes, [...]}` malt does.
-module(pbcompute_cluster).
-behaviour(gen_server).

-export([start_link/0, members/0, parse_nodes/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(TABLE, pbcompute_cluster_members).
-define(RETRY_MS, 1000).

start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

%% @doc The nodes a job's chunks may run on: this node first, then the members in name
%% order. `[node()]` when this node is not distributed.
-spec members() -> [node()].
members() ->
    try ets:tab2list(?TABLE) of
        Peers -> [node() | lists:sort([N || {N} <- Peers])]
    catch error:badarg -> [node()]  % not started (unit tests of the runner alone)
    end.

%% @doc "a@host, b@host" -> ['a@host', 'b@host'] (blank entries ignored).
-spec parse_nodes(string() | binary()) -> [node()].
parse_nodes(Text) ->
    Names = [string:trim(N) || N <- string:split(unicode:characters_to_list(Text), ",", all)],
    [list_to_atom(N) || N <- Names, N =/= ""].

init([]) ->
    ets:new(?TABLE, [named_table, protected, {read_concurrency, true}]),
    case erlang:is_alive() of
        false -> {ok, #{wanted => []}};
        true ->
            case pbcompute_config:get(erlang_cookie) of
                "" -> ok;
                Cookie -> erlang:set_cookie(node(), list_to_atom(Cookie))
            end,
            ok = net_kernel:monitor_nodes(true),
            Wanted = parse_nodes(pbcompute_config:get(erlang_nodes)) -- [node()],
            [hello(N) || N <- nodes()],
            self() ! connect,
            {ok, #{wanted => Wanted}}
    end.

handle_call(_, _, St) -> {reply, ok, St}.

handle_cast(_, St) -> {noreply, St}.

%% Connecting is asynchronous in spirit: a node that is down costs a failed attempt per second.
handle_info(connect, #{wanted := Wanted} = St) ->
    [net_kernel:connect_node(N) || N <- Wanted, not lists:member(N, nodes())],
    erlang:send_after(?RETRY_MS, self(), connect),
    {noreply, St};
handle_info({nodeup, Node}, St) ->
    hello(Node),
    {noreply, St};
handle_info({nodedown, Node}, St) ->
    ets:delete(?TABLE, Node),
    logger:notice("pbcompute: node ~s left the cluster", [Node]),
    {noreply, St};
%% Both sides say hello once connected; each adds the other when it hears it.
handle_info({pbcompute_hello, Node, Reply}, St) ->
    case ets:member(?TABLE, Node) of
        true -> ok;
        false ->
            ets:insert(?TABLE, {Node}),
            logger:notice("pbcompute: node ~s joined the cluster", [Node]),
            [hello(Node) || Reply]
    end,
    {noreply, St};
handle_info(_, St) -> {noreply, St}.

hello(Node) -> {?MODULE, Node} ! {pbcompute_hello, node(), true}.
