%% Entry point: `erl -noshell -pa ebin -s pbcompute start` (see bin/start). Reads HOST/PORT
%% and the POLYBRIDGE_* settings, starts the application and prints the line test harnesses
%% wait for: `polybridge listening on http://HOST:PORT` (the real port when PORT=0).
-module(pbcompute).

-export([start/0, start/1, stop/0]).

start() ->
    try start(#{}) of
        {ok, Url} -> io:format("polybridge listening on ~s~n", [Url])
    catch Class:Reason ->
            io:format(standard_error, "pbcompute failed to start: ~p:~p~n", [Class, Reason]),
            erlang:halt(1)
    end.

%% @doc Starts with settings overrides (tests use `#{port => 0}`); returns the base URL.
start(Overrides) ->
    ok = pbcompute_config:load(Overrides),
    case application:ensure_all_started(pbcompute) of
        {ok, _} ->
            Url = io_lib:format("http://~s:~b", [pbcompute_config:get(host), pbcompute_web:port()]),
            {ok, lists:flatten(Url)};
        {error, Reason} -> erlang:error({cannot_start, Reason})
    end.

stop() -> application:stop(pbcompute).
