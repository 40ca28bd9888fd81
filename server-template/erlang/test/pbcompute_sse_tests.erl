%% `?heartbeatMs=` on GET /v1/jobs/{id}/events: the bounds, the client's interval over the
%% server's default, and the 400 for a value out of range.
-module(pbcompute_sse_tests).
-include_lib("eunit/include/eunit.hrl").

%% The parameter alone -----------------------------------------------------------------------

heartbeat_ms_test_() ->
    {setup,
     fun() -> pbcompute_config:load(#{heartbeat_ms => 15000, auth_tokens => "", auth_tokens_file => ""}) end,
     fun(_) -> ok end,
     fun(_) ->
             H = fun pbcompute_sse:heartbeat_ms/1,
             Error = fun(Message) -> {error, #{<<"path">> => <<"/heartbeatMs">>, <<"message">> => Message}} end,
             [{"absent: the server's default", ?_assertEqual({ok, 15000}, H(undefined))},
              {"the bounds are in range", ?_assertEqual([{ok, 100}, {ok, 500}, {ok, 60000}], [H(V) || V <- ["100", "500", "60000"]])},
              {"below 100", [?_assertEqual(Error(<<"must be >= 100">>), H(V)) || V <- ["99", "0", "-1"]]},
              {"above 60000", [?_assertEqual(Error(<<"must be <= 60000">>), H(V)) || V <- ["60001", "999999999999999"]]},
              {"not an integer", [?_assertEqual(Error(<<"must be integer">>), H(V)) || V <- ["", "fast", "1.5", "1e3", " 500"]]}]
     end}.

%% Over HTTP, against a server left at its default (15 s) ------------------------------------

heartbeat_http_test_() ->
    {setup,
     fun() ->
             {ok, _} = application:ensure_all_started(inets),
             {ok, Url} = pbcompute:start(#{port => 0, host => "127.0.0.1", heartbeat_ms => 15000,
                                          auth_tokens => "", auth_tokens_file => "", auth_open => "health"}),
             Url
     end,
     fun(_) -> pbcompute:stop() end,
     fun(Url) ->
             [{"the client's interval", fun() -> client_interval(Url) end},
              {"the default without the parameter", fun() -> default_interval(Url) end},
              {"out of range is 400 validation_failed", fun() -> out_of_range(Url) end}]
     end}.

client_interval(Url) ->
    Path = sleep_job(Url, 700),
    {200, H, Body} = get(Url, Path ++ "?heartbeatMs=100"),
    ?assertEqual("text/event-stream", proplists:get_value("content-type", H)),
    ?assert(heartbeats(Body) >= 3),  % 700 ms of quiet, 100 ms heartbeats
    ?assertNotEqual(nomatch, binary:match(Body, <<"\"status\":\"successful\"">>)).

default_interval(Url) ->
    Path = sleep_job(Url, 500),
    {200, _, Body} = get(Url, Path),
    ?assertEqual(0, heartbeats(Body)),
    ?assertNotEqual(nomatch, binary:match(Body, <<"\"status\":\"successful\"">>)).

out_of_range(Url) ->
    Path = sleep_job(Url, 300),
    [begin
         {400, H, Problem} = get(Url, Path ++ "?heartbeatMs=" ++ V),
         ?assertEqual("application/problem+json", proplists:get_value("content-type", H)),
         ?assertMatch(#{<<"code">> := <<"validation_failed">>, <<"status">> := 400,
                        <<"errors">> := [#{<<"path">> := <<"/heartbeatMs">>}]}, Problem)
     end || V <- ["99", "60001", "abc"]],
    %% Both broken at once: both listed.
    {400, _, #{<<"errors">> := Errors}} = get(Url, Path ++ "?heartbeatMs=5", [{"last-event-id", "x"}]),
    ?assertEqual([<<"/Last-Event-ID">>, <<"/heartbeatMs">>], [P || #{<<"path">> := P} <- Errors]).

%% Helpers ----------------------------------------------------------------------------------

sleep_job(Url, Ms) ->
    Body = iolist_to_binary(jiffy:encode(#{kind => map, function => sleep, input => #{items => [Ms]}})),
    {ok, {{_, 202, _}, _, Resp}} =
        httpc:request(post, {Url ++ "/v1/jobs", [], "application/json", Body}, [{timeout, 10000}], [{body_format, binary}]),
    #{<<"id">> := Id} = jiffy:decode(Resp, [return_maps]),
    "/v1/jobs/" ++ binary_to_list(Id) ++ "/events".

get(Url, Path) -> get(Url, Path, []).

get(Url, Path, Headers) ->
    {ok, {{_, Status, _}, RespHeaders, RespBody}} =
        httpc:request(get, {Url ++ Path, Headers}, [{timeout, 10000}], [{body_format, binary}]),
    Body = case proplists:get_value("content-type", RespHeaders) of
               "application/" ++ _ -> jiffy:decode(RespBody, [return_maps]);
               _ -> RespBody
           end,
    {Status, RespHeaders, Body}.

heartbeats(Body) -> length(binary:matches(Body, <<": heartbeat\n\n">>)).
