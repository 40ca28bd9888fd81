%% Supervision: the cluster membership (other nodes to spread chunks over), the job manager (which owns the store's ETS tables) before the HTTP listener.
%% rest_for_one: if the job manager restarts, the store is new, so the listener restarts too.
-module(pbcompute_sup).
-behaviour(supervisor).

-export([start_link/0, init/1]).

start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).

init([]) ->
    Children = [#{id => pbcompute_cluster, start => {pbcompute_cluster, start_link, []}},
                #{id => pbcompute_jobs, start => {pbcompute_jobs, start_link, []}},
                #{id => pbcompute_web, start => {pbcompute_web, start_link, []}}],
    {ok, {#{strategy => rest_for_one, intensity => 5, period => 10}, Children}}.
