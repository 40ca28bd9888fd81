%% Server settings, read once from the OS environment (bin/start turns --port/--host flags into
%% PORT/HOST) and kept in a persistent_term so request handlers read them for free.
-module(pbcompute_config).

-export([load/0, load/1, get/1]).
-compile({no_auto_import, [get/1]}).

-define(KEY, {?MODULE, settings}).

%% Every setting with its environment variable and default. The limits are the protocol's
%% defaults (docs/PROTOCOL.md "Limits every implementation enforces").
defaults() ->
    [{host, "HOST", "127.0.0.1"},
     {port, "PORT", 8080},
     {heartbeat_ms, "POLYBRIDGE_HEARTBEAT_MS", 15000},
     {shutdown_grace_ms, "POLYBRIDGE_SHUTDOWN_GRACE_MS", 10000},
     {max_body_bytes, "POLYBRIDGE_MAX_BODY_BYTES", 16 * 1024 * 1024},
     {max_items, "POLYBRIDGE_MAX_ITEMS", 1000000},
     {max_range, "POLYBRIDGE_MAX_RANGE", 100000000},
     {max_depth, "POLYBRIDGE_MAX_DEPTH", 64},
     {max_running_jobs, "POLYBRIDGE_MAX_RUNNING_JOBS", 64},
     {max_queued_jobs, "POLYBRIDGE_MAX_QUEUED_JOBS", 1000},
     {max_stored_jobs, "POLYBRIDGE_MAX_STORED_JOBS", 10000},
     {default_timeout_ms, "POLYBRIDGE_JOB_TIMEOUT_MS", 300000},
     {workers, "POLYBRIDGE_WORKERS", erlang:system_info(schedulers_online)}].

%% @doc Reads the environment; call before starting the application.
load() -> load(#{}).

%% @doc Like load/0, with explicit overrides (used by tests: `#{port => 0}`).
load(Overrides) ->
    Settings = maps:from_list([{Key, from_env(Var, Default)} || {Key, Var, Default} <- defaults()]),
    persistent_term:put(?KEY, maps:merge(Settings, Overrides)),
    ok.

get(Key) ->
    case persistent_term:get(?KEY, undefined) of
        undefined -> load(), get(Key);
        Settings -> maps:get(Key, Settings)
    end.

%% An unparsable number falls back to the default rather than crashing at boot.
from_env(Var, Default) ->
    case os:getenv(Var) of
        false -> Default;
        "" -> Default;
        Value when is_integer(Default) ->
            try list_to_integer(string:trim(Value)) of
                N when N >= 0 -> N;
                _ -> Default
            catch error:badarg -> Default
            end;
        Value -> Value
    end.
