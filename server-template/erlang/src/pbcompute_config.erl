%% Server settings, read once from the OS environment (bin/start turns --port/--host flags into
%% PORT/HOST) and kept in a persistent_term so request handlers read them for free.
%% The auth settings are turned into what pbcompute_auth needs at load time: `auth_digests`
%% (the sha256 of every configured token; [] = auth off) and `auth_open` (a list of groups).
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
     {workers, "POLYBRIDGE_WORKERS", erlang:system_info(schedulers_online)},
     %% Bearer tokens: comma-separated, and/or a file with one per line (README "Authentication").
     {auth_tokens, "POLYBRIDGE_AUTH_TOKENS", ""},
     {auth_tokens_file, "POLYBRIDGE_AUTH_TOKENS_FILE", ""},
     %% Groups reachable without a token: health, catalogue, or none.
     {auth_open, "POLYBRIDGE_AUTH_OPEN", "health"},
     %% Distributed Erlang (README "Several nodes"): the nodes to join, comma-separated, and
     %% the cookie they share (else Erlang's own, ~/.erlang.cookie). The node's own name comes
     %% from the VM (bin/start --name / --sname).
     {erlang_nodes, "POLYBRIDGE_ERLANG_NODES", ""},
     {erlang_cookie, "POLYBRIDGE_ERLANG_COOKIE", ""}].

-define(OPEN_GROUPS, [health, catalogue]).

%% @doc Reads the environment; call before starting the application.
load() -> load(#{}).

%% @doc Like load/0, with explicit overrides (used by tests: `#{port => 0}`,
%% `#{auth_tokens => "t1,t2", auth_open => "none"}`). A token file that cannot be read or an
%% unknown open group raises: a server meant to be closed must not start open.
load(Overrides) ->
    Settings = maps:from_list([{Key, from_env(Var, Default)} || {Key, Var, Default} <- defaults()]),
    persistent_term:put(?KEY, auth(maps:merge(Settings, Overrides))),
    ok.

get(Key) ->
    case persistent_term:get(?KEY, undefined) of
        undefined -> load(), get(Key);
        Settings -> maps:get(Key, Settings)
    end.

%% The union of both token sources, hashed once; blank entries, blank lines and `#` comment
%% lines are ignored.
auth(#{auth_tokens := Tokens, auth_tokens_file := File, auth_open := Open} = Settings) ->
    Listed = string:split(to_binary(Tokens), <<",">>, all),
    All = [string:trim(T) || T <- Listed ++ file_tokens(to_binary(File))],
    Digests = lists:usort([crypto:hash(sha256, T) || T <- All, T =/= <<>>]),
    Settings#{auth_digests => Digests, auth_open => open_groups(Open)}.

file_tokens(<<>>) -> [];
file_tokens(File) ->
    case file:read_file(File) of
        {ok, Text} ->
            Lines = [string:trim(L) || L <- binary:split(Text, [<<"\n">>, <<"\r">>], [global])],
            [L || L <- Lines, L =/= <<>>, binary:first(L) =/= $#];
        {error, Reason} ->
            erlang:error({bad_setting, "POLYBRIDGE_AUTH_TOKENS_FILE", File, file:format_error(Reason)})
    end.

%% "health,catalogue" -> [health, catalogue]; "none" -> []. Already parsed (a list of atoms) stays.
open_groups(Groups) when is_list(Groups), Groups =/= [], is_atom(hd(Groups)) -> Groups;
open_groups(Value) ->
    Names = [string:lowercase(string:trim(N)) || N <- string:split(to_binary(Value), <<",">>, all)],
    case [N || N <- Names, N =/= <<>>] of
        [<<"none">>] -> [];
        Given ->
            Known = [{atom_to_binary(G), G} || G <- ?OPEN_GROUPS],
            [case lists:keyfind(N, 1, Known) of
                 {_, G} -> G;
                 false -> erlang:error({bad_setting, "POLYBRIDGE_AUTH_OPEN", Value,
                                        "use health, catalogue or none"})
             end || N <- Given]
    end.

%% Environment strings are lists of characters; tokens are compared as UTF-8 bytes.
to_binary(Value) when is_binary(Value) -> Value;
to_binary(Value) -> unicode:characters_to_binary(Value).

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
