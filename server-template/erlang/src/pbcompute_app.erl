%% The OTP application. Stopping it (init:stop/0, which is also what the VM does on SIGTERM)
%% first drains: new jobs get `503 shutting_down` while running ones get a grace period.
-module(pbcompute_app).
-behaviour(application).

-export([start/2, prep_stop/1, stop/1]).

-define(LINGER_MS, 250).

start(_Type, _Args) ->
    ok = pbcompute_registry:load(),  % a broken function definition fails the boot, loudly
    pbcompute_sup:start_link().

prep_stop(State) ->
    pbcompute_jobs:drain(pbcompute_config:get(shutdown_grace_ms)),
    %% Handlers that waited on the last jobs (Prefer: wait, SSE) are writing their responses
    %% right now; stopping the listener would cut them off.
    timer:sleep(?LINGER_MS),
    State.

stop(_State) -> ok.
