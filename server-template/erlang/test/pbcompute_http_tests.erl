%% HTTP round trips with httpc against the real listener on an ephemeral port.
-module(pbcompute_http_tests).
-include_lib("eunit/include/eunit.hrl").

http_test_() ->
    {setup,
     fun() ->
             {ok, _} = application:ensure_all_started(inets),
             %% A small body limit keeps the 413 test fast; the default is 16 MiB. Auth is off
             %% whatever the environment says (pbcompute_auth_tests covers it).
             {ok, Url} = pbcompute:start(#{port => 0, host => "127.0.0.1", heartbeat_ms => 100,
                                           max_body_bytes => 1000, auth_tokens => "",
                                           auth_tokens_file => ""}),
             Url
     end,
     fun(_) -> pbcompute:stop() end,
     fun(Url) ->
             [{"health", fun() -> health(Url) end},
              {"catalogue", fun() -> catalogue(Url) end},
              {"sync calls", fun() -> calls(Url) end},
              {"body errors", fun() -> body_errors(Url) end},
              {"routes", fun() -> routes(Url) end},
              {"job with Prefer wait", fun() -> job_wait(Url) end},
              {"async job, result and cancel", fun() -> job_async(Url) end},
              {"server-sent events", fun() -> events(Url) end},
              {"the contract (openapi.json, openapi.yaml)", fun() -> openapi(Url) end}]
     end}.

%% The codes added with auth, with the spec's statuses and titles.
problem_codes_test_() ->
    [?_assertEqual({Status, Title}, {pbcompute_problem:status(Code), pbcompute_problem:title(Code)})
     || {Code, Status, Title} <- [{unauthorized, 401, <<"Authentication required">>},
                                  {request_timeout, 408, <<"Request timed out">>},
                                  {rate_limited, 429, <<"Too many requests">>},
                                  {headers_too_large, 431, <<"Request headers too large">>},
                                  {result_too_large, 413, <<"Result too large">>}]] ++
    [?_assertMatch(#{<<"type">> := <<"https://polybridge.dev/problems/unauthorized">>, <<"status">> := 401,
                     <<"code">> := <<"unauthorized">>}, pbcompute_problem:new(unauthorized))].

prefer_test_() ->
    P = fun pbcompute_api_jobs:parse_prefer/1,
    [?_assertEqual(none, P(undefined)),
     ?_assertEqual(respond_async, P("respond-async")),
     ?_assertEqual({wait, 10}, P("wait=10")),
     ?_assertEqual({wait, 60}, P("wait=3600")),
     ?_assertEqual({wait, 5}, P("respond-async, wait=5")),   % wait wins, 202 if it runs out
     ?_assertEqual({wait, 7}, P("Wait = 7; foo=bar")),
     ?_assertEqual(none, P("wait=soon")),
     ?_assertEqual(none, P("handling=lenient"))].

request(Method, Url, Path) -> request(Method, Url, Path, [], undefined).

request(Method, Url, Path, Headers, Body) ->
    Req = case Body of
              undefined -> {Url ++ Path, Headers};
              {Type, Bin} -> {Url ++ Path, Headers, Type, Bin}
          end,
    {ok, {{_, Status, _}, RespHeaders, RespBody}} =
        httpc:request(Method, Req, [{timeout, 10000}], [{body_format, binary}]),
    Json = case proplists:get_value("content-type", RespHeaders) of
               "application/yaml" ++ _ -> RespBody;
               "application/" ++ _ when RespBody =/= <<>> -> jiffy:decode(RespBody, [return_maps]);
               _ -> RespBody
           end,
    {Status, RespHeaders, Json}.

post(Url, Path, Term) -> post(Url, Path, Term, []).

post(Url, Path, Term, Headers) ->
    request(post, Url, Path, Headers, {"application/json", iolist_to_binary(jiffy:encode(Term))}).

health(Url) ->
    {200, H, Body} = request(get, Url, "/v1/health"),
    ?assertEqual("application/json", proplists:get_value("content-type", H)),
    ?assertMatch(#{<<"status">> := <<"ok">>, <<"version">> := _, <<"uptimeSeconds">> := _,
                   <<"workers">> := W, <<"jobs">> := #{<<"queued">> := _, <<"running">> := _, <<"stored">> := _}}
                 when W >= 1, Body).

catalogue(Url) ->
    {200, _, #{<<"functions">> := Fs}} = request(get, Url, "/v1/functions"),
    ?assert(length(Fs) >= 7),
    {200, _, #{<<"name">> := <<"sleep">>, <<"inputSchema">> := #{<<"maximum">> := 10000}}} =
        request(get, Url, "/v1/functions/sleep"),
    {404, _, #{<<"code">> := <<"function_not_found">>}} = request(get, Url, "/v1/functions/nope").

calls(Url) ->
    {200, _, #{<<"function">> := <<"square">>, <<"output">> := 144, <<"durationMs">> := D}} =
        post(Url, "/v1/functions/square/call", #{input => 12}),
    ?assert(is_number(D)),
    {422, H, #{<<"code">> := <<"function_failed">>, <<"detail">> := <<"fail: \"boom\"">>}} =
        post(Url, "/v1/functions/fail/call", #{input => <<"boom">>}),
    ?assertEqual("application/problem+json", proplists:get_value("content-type", H)),
    {504, _, #{<<"code">> := <<"call_timeout">>}} =
        post(Url, "/v1/functions/sleep/call", #{input => 2000, timeoutMs => 50}),
    {400, _, #{<<"code">> := <<"validation_failed">>, <<"errors">> := [#{<<"path">> := <<"/input">>}]}} =
        post(Url, "/v1/functions/sleep/call", #{input => 10001}),
    {200, _, #{<<"output">> := 7}} = post(Url, "/v1/functions/sum/call", #{input => [3, 4]}),
    {400, _, #{<<"errors">> := [#{<<"path">> := <<"/input/1">>}]}} =
        post(Url, "/v1/functions/sum/call", #{input => [3, <<"x">>]}),
    %% A result JSON cannot carry (Erlang raises badarith on overflow) is a failed call.
    {422, _, #{<<"code">> := <<"function_failed">>,
               <<"detail">> := <<"square returned a non-finite number (Infinity), which JSON cannot represent">>}} =
        post(Url, "/v1/functions/square/call", #{input => 1.0e200}),
    {200, _, #{<<"id">> := Job, <<"status">> := <<"failed">>,
               <<"error">> := #{<<"code">> := <<"item_failed">>, <<"itemIndex">> := 1}}} =
        post(Url, "/v1/jobs", #{kind => map, function => square, input => #{items => [2, 1.0e200]}},
             [{"prefer", "wait=5"}]),
    {409, _, #{<<"code">> := <<"job_failed">>, <<"itemIndex">> := 1}} =
        request(get, Url, "/v1/jobs/" ++ binary_to_list(Job) ++ "/result").

body_errors(Url) ->
    Call = "/v1/functions/echo/call",
    {400, _, #{<<"code">> := <<"invalid_json">>}} =
        request(post, Url, Call, [], {"application/json", <<"{\"input\":">>}),
    {415, _, #{<<"code">> := <<"unsupported_media_type">>}} =
        request(post, Url, Call, [], {"text/plain", <<"{\"input\":1}">>}),
    {413, _, #{<<"code">> := <<"payload_too_large">>}} =
        post(Url, Call, #{input => binary:copy(<<"x">>, 2000)}),
    %% Bytes that are not UTF-8 are rejected, never decoded with replacement characters:
    %% a stray byte, an encoded surrogate, an overlong form, and a lone \ud800 escape.
    [{400, _, #{<<"code">> := <<"invalid_json">>, <<"detail">> := <<"The body is not valid UTF-8.">>}} =
         request(post, Url, Call, [], {"application/json", <<"{\"input\":\"", Bad/binary, "\"}">>})
     || Bad <- [<<16#FF>>, <<16#ED, 16#A0, 16#80>>, <<16#C0, 16#AF>>, <<"caf", 16#E9>>]],
    {400, _, #{<<"code">> := <<"invalid_json">>}} =
        request(post, Url, Call, [], {"application/json", <<"{\"input\":\"\\ud800\"}">>}),
    {200, _, #{<<"output">> := <<"café"/utf8>>}} =
        request(post, Url, Call, [], {"application/json", <<"{\"input\":\"café\"}"/utf8>>}),
    Deep = lists:foldl(fun(_, Acc) -> [Acc] end, 1, lists:seq(1, 70)),
    {400, _, #{<<"code">> := <<"nesting_too_deep">>}} = post(Url, Call, #{input => Deep}),
    %% An accepted media type with parameters, and a +json type.
    {200, _, _} = request(post, Url, Call, [], {"application/json; charset=utf-8", <<"{\"input\":1}">>}),
    %% The seed's Python client sends application/jsonrequest; any application/*+json is JSON too.
    [{200, _, #{<<"output">> := 1}} = request(post, Url, Call, [], {Json, <<"{\"input\":1}">>})
     || Json <- ["application/jsonrequest", "Application/JSONRequest", "application/vnd.example+json",
                 "application/vnd.api+json; charset=utf-8"]],
    [{415, _, #{<<"code">> := <<"unsupported_media_type">>}} =
         request(post, Url, Call, [], {NotJson, <<"{\"input\":1}">>})
     || NotJson <- ["text/json", "application/jsonx", "application/json+xml", "application/+json"]].

openapi(Url) ->
    {200, H, Doc} = request(get, Url, "/v1/openapi.json"),
    ?assertEqual("application/json; charset=utf-8", proplists:get_value("content-type", H)),
    #{<<"openapi">> := <<"3.1", _/binary>>, <<"servers">> := [#{<<"url">> := ServerUrl}],
      <<"paths">> := #{<<"/v1/jobs">> := #{<<"post">> := #{<<"operationId">> := <<"submitJob">>}}}} = Doc,
    ?assertEqual(list_to_binary(Url), ServerUrl),
    {200, YH, Yaml} = request(get, Url, "/v1/openapi.yaml"),
    ?assertEqual("application/yaml; charset=utf-8", proplists:get_value("content-type", YH)),
    ?assertMatch(<<"openapi: 3.1", _/binary>>, Yaml),
    Block = iolist_to_binary(["servers:\n  - url: \"", Url, "\"\n    description: This server.\n# Auth is optional"]),
    ?assertMatch({_, _}, binary:match(Yaml, Block)),
    ?assertEqual(1, length(binary:matches(Yaml, <<"\nservers:">>))).

own_url_test_() ->
    F = fun pbcompute_api_meta:own_url/3,
    [?_assertEqual(<<"http://api.example:81">>, F("api.example:81", "0.0.0.0", 8080)),
     ?_assertEqual(<<"http://127.0.0.1:8080">>, F(undefined, "127.0.0.1", 8080)),
     ?_assertEqual(<<"http://[::1]:9">>, F("bad\"host/x", "::1", 9))].

routes(Url) ->
    {404, _, #{<<"code">> := <<"not_found">>, <<"status">> := 404,
               <<"type">> := <<"https://polybridge.dev/problems/not_found">>, <<"title">> := _}} =
        request(get, Url, "/v2/nothing"),
    {405, H, #{<<"code">> := <<"method_not_allowed">>}} = request(delete, Url, "/v1/health"),
    ?assertEqual("GET, HEAD", proplists:get_value("allow", H)),
    {404, _, #{<<"code">> := <<"job_not_found">>}} = request(get, Url, "/v1/jobs/job_nope"),
    {400, _, #{<<"code">> := <<"validation_failed">>}} = request(get, Url, "/v1/jobs?cursor=zzz"),
    {400, _, #{<<"code">> := <<"validation_failed">>}} = request(get, Url, "/v1/jobs?limit=0"),
    {400, _, #{<<"code">> := <<"validation_failed">>}} = request(get, Url, "/v1/jobs/%E0%A4%A").

job_wait(Url) ->
    Body = #{kind => map, function => square, input => #{items => [1, 2, 3]}},
    {200, H, Job} = post(Url, "/v1/jobs", Body, [{"prefer", "wait=5"}]),
    ?assertEqual("wait=5", proplists:get_value("preference-applied", H)),
    ?assertMatch(#{<<"status">> := <<"successful">>,
                   <<"result">> := #{<<"kind">> := <<"map">>, <<"items">> := [1, 4, 9]}}, Job),
    #{<<"id">> := Id} = Job,
    ?assertEqual("/v1/jobs/" ++ binary_to_list(Id), proplists:get_value("location", H)),
    %% wait is capped at 60 s.
    {200, H2, _} = post(Url, "/v1/jobs", Body, [{"prefer", "wait=600"}]),
    ?assertEqual("wait=60", proplists:get_value("preference-applied", H2)),
    {200, H3, _} = post(Url, "/v1/jobs", Body, [{"prefer", "wait=5"}, {"idempotency-key", "abc"}]),
    ?assertEqual(undefined, proplists:get_value("idempotent-replayed", H3)),
    {200, H4, _} = post(Url, "/v1/jobs", Body, [{"prefer", "wait=5"}, {"idempotency-key", "abc"}]),
    ?assertEqual("true", proplists:get_value("idempotent-replayed", H4)),
    {422, _, #{<<"code">> := <<"idempotency_key_conflict">>}} =
        post(Url, "/v1/jobs", Body#{input => #{items => [4]}}, [{"idempotency-key", "abc"}]),
    {400, _, #{<<"code">> := <<"validation_failed">>}} =
        post(Url, "/v1/jobs", Body, [{"idempotency-key", lists:duplicate(256, $k)}]).

job_async(Url) ->
    Body = #{kind => map, function => sleep, input => #{items => [2000]}},
    {202, H, #{<<"id">> := Id, <<"status">> := S}} = post(Url, "/v1/jobs", Body, [{"prefer", "respond-async"}]),
    ?assert(S =:= <<"accepted">> orelse S =:= <<"running">>),
    ?assertEqual("respond-async", proplists:get_value("preference-applied", H)),
    Path = "/v1/jobs/" ++ binary_to_list(Id),
    {200, H1, _} = request(get, Url, Path),
    ?assertEqual("1", proplists:get_value("retry-after", H1)),
    {409, H2, #{<<"code">> := <<"result_not_ready">>}} = request(get, Url, Path ++ "/result"),
    ?assertEqual("1", proplists:get_value("retry-after", H2)),
    {200, _, #{<<"status">> := <<"dismissed">>}} = request(delete, Url, Path),
    {200, _, #{<<"status">> := <<"dismissed">>}} = request(delete, Url, Path),
    {409, _, #{<<"code">> := <<"job_dismissed">>}} = request(get, Url, Path ++ "/result"),
    {200, _, #{<<"jobs">> := [#{<<"id">> := Id} | _]}} = request(get, Url, "/v1/jobs?status=dismissed&limit=1"),
    {400, _, #{<<"code">> := <<"function_kind_mismatch">>}} =
        post(Url, "/v1/jobs", Body#{function => sum}),
    {413, _, #{<<"code">> := <<"too_many_items">>}} =
        post(Url, "/v1/jobs", Body#{input => #{range => #{start => 0, 'end' => 1000000000}}}),
    {200, _, #{<<"id">> := Failed}} =
        post(Url, "/v1/jobs", Body#{function => fail, input => #{items => [-1]}}, [{"prefer", "wait=5"}]),
    FailedPath = "/v1/jobs/" ++ binary_to_list(Failed),
    {409, _, #{<<"code">> := <<"job_failed">>, <<"detail">> := <<"fail: -1">>}} =
        request(get, Url, FailedPath ++ "/result"),
    {409, _, #{<<"code">> := <<"job_already_finished">>}} = request(delete, Url, FailedPath).

events(Url) ->
    Body = #{kind => map, function => sleep, input => #{items => [300, 300]},
             options => #{chunkSize => 1, concurrency => 1}},
    {202, _, #{<<"id">> := Id}} = post(Url, "/v1/jobs", Body),
    Path = "/v1/jobs/" ++ binary_to_list(Id) ++ "/events",
    {200, H, Live} = request(get, Url, Path),  % returns when the server closes the stream
    ?assertEqual("text/event-stream", proplists:get_value("content-type", H)),
    Events = parse_sse(Live),
    ?assertEqual(lists:seq(1, length(Events)), [N || {N, _, _} <- Events]),
    ?assertMatch([{1, <<"status">>, #{<<"status">> := <<"accepted">>}} | _], Events),
    {_, <<"status">>, Last} = lists:last(Events),
    ?assertMatch(#{<<"status">> := <<"successful">>}, Last),
    ?assert(lists:keymember(<<"result">>, 2, Events)),
    %% 600 ms of work with 100 ms heartbeats: comment lines are interleaved.
    ?assertNotEqual(nomatch, binary:match(Live, <<": heartbeat\n">>)),
    %% Resuming after the second-to-last event replays just the last one, then closes.
    {200, _, Resumed} = request(get, Url, Path, [{"last-event-id", integer_to_list(length(Events) - 1)}], undefined),
    ?assertMatch([{_, <<"status">>, #{<<"status">> := <<"successful">>}}], parse_sse(Resumed)),
    {400, _, #{<<"code">> := <<"validation_failed">>}} = request(get, Url, Path, [{"last-event-id", "abc"}], undefined).

%% `[{Id, Event, Data}]` from an event-stream body; comment lines are skipped.
parse_sse(Bin) ->
    Blocks = [B || B <- binary:split(Bin, <<"\n\n">>, [global]), B =/= <<>>],
    lists:append([event(binary:split(B, <<"\n">>, [global])) || B <- Blocks]).

event(Lines) ->
    Fields = [{K, V} || L <- Lines, [K, V] <- [binary:split(L, <<": ">>)], K =/= <<>>],
    case Fields of
        [] -> [];
        _ -> [{binary_to_integer(proplists:get_value(<<"id">>, Fields)), proplists:get_value(<<"event">>, Fields),
               jiffy:decode(proplists:get_value(<<"data">>, Fields), [return_maps])}]
    end.
