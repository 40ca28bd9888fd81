%% The wire as a client sees it, over raw sockets (httpc hides what these check): malformed
%% requests answered in problem+json (D4), Connection: close honoured, event stream included
%% (D3), HEAD on GET routes (D6), empty ids (D7), error pointers (D5) and doubles (D8).
-module(pbcompute_conn_tests).
-include_lib("eunit/include/eunit.hrl").

conn_test_() ->
    {setup,
     fun() ->
             {ok, Url} = pbcompute:start(#{port => 0, host => "127.0.0.1", heartbeat_ms => 100,
                                           auth_tokens => "", auth_tokens_file => ""}),
             {ok, {_, _, _, Port, _, _}} = uri_string_port(Url),
             Port
     end,
     fun(_) -> pbcompute:stop() end,
     fun(Port) ->
             [{"garbage request line", fun() -> malformed(Port, <<"GARBAGE\r\n\r\n">>) end},
              {"bad header line", fun() -> malformed(Port, <<"GET /v1/health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n">>) end},
              {"Content-Length: abc", fun() -> malformed(Port, <<"POST /v1/functions/echo/call HTTP/1.1\r\nHost: x\r\n"
                                                                  "Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}">>) end},
              {"Content-Length on GET too", fun() -> malformed(Port, <<"GET /v1/health HTTP/1.1\r\nContent-Length: -1\r\n\r\n">>) end},
              {"Transfer-Encoding and Content-Length", fun() -> malformed(Port, <<"POST /v1/functions/echo/call HTTP/1.1\r\nHost: x\r\n"
                                                                                  "Content-Type: application/json\r\nContent-Length: 5\r\n"
                                                                                  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n">>) end},
              {"bad chunked framing", fun() -> malformed(Port, <<"POST /v1/functions/echo/call HTTP/1.1\r\nHost: x\r\n"
                                                                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                                 "zz\r\n{\"input\":1}\r\n0\r\n\r\n">>) end},
              {"oversized header line", fun() -> too_large(Port, [<<"GET /v1/health HTTP/1.1\r\nX-Big: ">>,
                                                                  binary:copy(<<"a">>, 20000), <<"\r\n\r\n">>]) end},
              {"too many header lines", fun() -> too_large(Port, [<<"GET /v1/health HTTP/1.1\r\n">>,
                                                                  [[<<"X-">>, integer_to_binary(K), <<": 1\r\n">>] || K <- lists:seq(1, 1001)],
                                                                  <<"\r\n">>]) end},
              {"the server keeps serving", fun() -> {200, _, _} = exchange(Port, get_req(<<"/v1/health">>, [])) end},
              {"Connection: close", fun() -> connection_close(Port) end},
              {"Connection: close on the event stream", fun() -> sse_close(Port) end},
              {"HEAD on GET routes", fun() -> head(Port) end},
              {"empty ids", fun() -> empty_ids(Port) end},
              {"error pointers", fun() -> pointers(Port) end},
              {"doubles beyond 2^53", fun() -> doubles(Port) end}]
     end}.

uri_string_port(Url) ->
    #{port := Port} = uri_string:parse(Url),
    {ok, {x, x, x, Port, x, x}}.

%% Sends Bytes, reads until the server closes: {Status, Headers (lowercase names), Body}.
exchange(Port, Bytes) ->
    {ok, S} = gen_tcp:connect({127, 0, 0, 1}, Port, [binary, {active, false}], 5000),
    ok = gen_tcp:send(S, Bytes),
    Raw = read_all(S, <<>>),
    gen_tcp:close(S),
    parse(Raw).

read_all(S, Acc) ->
    case gen_tcp:recv(S, 0, 5000) of
        {ok, Data} -> read_all(S, <<Acc/binary, Data/binary>>);
        {error, closed} -> Acc;
        {error, timeout} -> error({server_did_not_close, Acc})
    end.

parse(Raw) ->
    [Head, Body] = binary:split(Raw, <<"\r\n\r\n">>),
    [StatusLine | Lines] = binary:split(Head, <<"\r\n">>, [global]),
    <<"HTTP/1.1 ", Code:3/binary, _/binary>> = StatusLine,
    Headers = [begin
                   [K, V] = binary:split(L, <<":">>),
                   {string:lowercase(K), string:trim(V)}
               end || L <- Lines],
    {binary_to_integer(Code), Headers, Body}.

get_req(Path, Extra) ->
    [<<"GET ">>, Path, <<" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n">>, Extra, <<"\r\n">>].

malformed(Port, Bytes) ->
    {400, H, Body} = exchange(Port, Bytes),
    ?assertEqual(<<"application/problem+json">>, proplists:get_value(<<"content-type">>, H)),
    ?assertEqual(<<"close">>, proplists:get_value(<<"connection">>, H)),
    ?assertMatch(#{<<"code">> := <<"malformed_request">>, <<"status">> := 400,
                   <<"title">> := <<"Malformed HTTP request">>,
                   <<"type">> := <<"https://polybridge.dev/problems/malformed_request">>, <<"detail">> := _},
                 jiffy:decode(Body, [return_maps])).

too_large(Port, Bytes) ->
    {431, H, Body} = exchange(Port, Bytes),
    ?assertEqual(<<"close">>, proplists:get_value(<<"connection">>, H)),
    ?assertMatch(#{<<"code">> := <<"headers_too_large">>, <<"status">> := 431}, jiffy:decode(Body, [return_maps])).

%% A keep-alive request stays open; the same with Connection: close is answered with it and
%% closed (exchange/2 fails on a timeout if the server keeps the socket).
connection_close(Port) ->
    {ok, S} = gen_tcp:connect({127, 0, 0, 1}, Port, [binary, {active, false}], 5000),
    ok = gen_tcp:send(S, <<"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n">>),
    {ok, First} = gen_tcp:recv(S, 0, 5000),
    ?assertEqual(nomatch, binary:match(string:lowercase(First), <<"connection: close">>)),
    ok = gen_tcp:send(S, <<"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n">>),
    {200, H, _} = parse(read_all(S, <<>>)),
    gen_tcp:close(S),
    ?assertEqual(<<"close">>, proplists:get_value(<<"connection">>, H)),
    %% A problem answer too.
    {404, H2, _} = exchange(Port, get_req(<<"/v1/nothing">>, [])),
    ?assertEqual(<<"close">>, proplists:get_value(<<"connection">>, H2)).

submit(Port, Json) ->
    Body = iolist_to_binary(Json),
    {Status, _, Resp} = exchange(Port, [<<"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                          "Content-Type: application/json\r\nContent-Length: ">>,
                                        integer_to_binary(byte_size(Body)), <<"\r\n\r\n">>, Body]),
    {Status, jiffy:decode(Resp, [return_maps])}.

sse_close(Port) ->
    {202, #{<<"id">> := Id}} = submit(Port, <<"{\"kind\":\"map\",\"function\":\"sleep\",\"input\":{\"items\":[200]}}">>),
    {200, H, Body} = exchange(Port, get_req([<<"/v1/jobs/">>, Id, <<"/events">>], [])),
    ?assertEqual(<<"close">>, proplists:get_value(<<"connection">>, H)),
    ?assertEqual(<<"text/event-stream">>, proplists:get_value(<<"content-type">>, H)),
    ?assertMatch({_, _}, binary:match(Body, <<"\"status\":\"successful\"">>)).

head(Port) ->
    {200, H, Body} = exchange(Port, [<<"HEAD /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n">>]),
    ?assertEqual(<<>>, Body),
    ?assertEqual(<<"application/json">>, proplists:get_value(<<"content-type">>, H)),
    {200, _, Get} = exchange(Port, get_req(<<"/v1/functions">>, [])),
    {200, HF, <<>>} = exchange(Port, [<<"HEAD /v1/functions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n">>]),
    ?assertEqual(integer_to_binary(byte_size(Get)), proplists:get_value(<<"content-length">>, HF)),
    {404, _, <<>>} = exchange(Port, [<<"HEAD /v1/jobs/job_nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n">>]),
    %% The event stream's HEAD answers at once, even for a job still running.
    {202, #{<<"id">> := Id}} = submit(Port, <<"{\"kind\":\"map\",\"function\":\"sleep\",\"input\":{\"items\":[3000]}}">>),
    T0 = erlang:monotonic_time(millisecond),
    {200, HS, <<>>} = exchange(Port, [<<"HEAD /v1/jobs/">>, Id, <<"/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n">>]),
    ?assert(erlang:monotonic_time(millisecond) - T0 < 1000),
    ?assertEqual(<<"text/event-stream">>, proplists:get_value(<<"content-type">>, HS)),
    %% HEAD is allowed where GET is, and only there.
    {405, HA, _} = exchange(Port, [<<"HEAD /v1/functions/echo/call HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n">>]),
    ?assertEqual(<<"POST">>, proplists:get_value(<<"allow">>, HA)).

empty_ids(Port) ->
    [begin
         {404, H, Body} = exchange(Port, [Method, <<" ">>, Path, <<" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                                                 "Content-Length: 0\r\n\r\n">>]),
         ?assertEqual(<<"application/problem+json">>, proplists:get_value(<<"content-type">>, H)),
         ?assertMatch(#{<<"code">> := <<"not_found">>}, jiffy:decode(Body, [return_maps]))
     end || {Method, Path} <- [{<<"GET">>, <<"/v1/jobs/">>}, {<<"GET">>, <<"/v1/jobs//events">>},
                               {<<"DELETE">>, <<"/v1/jobs/">>}, {<<"POST">>, <<"/v1/functions//call">>},
                               {<<"GET">>, <<"/v1/jobs//result">>}, {<<"GET">>, <<"/v1/functions/">>}]].

errors(Status, Code, Json, Port) ->
    {Status, #{<<"code">> := Code, <<"errors">> := Errors}} = submit(Port, Json),
    [P || #{<<"path">> := P} <- Errors].

pointers(Port) ->
    ?assertEqual([<<"/kind">>], errors(400, <<"validation_failed">>, <<"{\"kind\":\"zap\",\"function\":\"square\",\"input\":{\"items\":[1]}}">>, Port)),
    ?assertEqual([<<"/input">>], errors(400, <<"validation_failed">>, <<"{\"kind\":\"map\",\"function\":\"square\"}">>, Port)),
    ?assertEqual([<<"/function">>], errors(400, <<"function_kind_mismatch">>, <<"{\"kind\":\"fold\",\"function\":\"square\",\"input\":{\"items\":[1]}}">>, Port)),
    ?assertEqual([<<"/function">>], errors(400, <<"function_kind_mismatch">>,
                                           <<"{\"kind\":\"mapreduce\",\"function\":\"square\",\"reducer\":\"sum\",\"input\":{\"items\":[1]}}">>, Port)),
    ?assertEqual([<<"/reducer">>], errors(400, <<"function_kind_mismatch">>,
                                          <<"{\"kind\":\"mapreduce\",\"function\":\"tokenize\",\"reducer\":\"square\",\"input\":{\"items\":[\"a\"]}}">>, Port)),
    %% Path parameters: the spec's FunctionName pattern and JobId length, at /name and /id.
    LongId = binary:copy(<<"a">>, 101),
    [begin
         {400, _, B} = exchange(Port, get_req(Path, [])),
         ?assertMatch(#{<<"code">> := <<"validation_failed">>, <<"errors">> := [#{<<"path">> := Pointer}]},
                      jiffy:decode(B, [return_maps]))
     end || {Path, Pointer} <- [{<<"/v1/functions/9lives">>, <<"/name">>},
                                {[<<"/v1/jobs/">>, LongId], <<"/id">>},
                                {[<<"/v1/jobs/">>, LongId, <<"/events">>], <<"/id">>}]],
    {404, _, _} = exchange(Port, get_req([<<"/v1/jobs/">>, binary:copy(<<"a">>, 100)], [])),
    Call = <<"{}">>,
    {400, _, Resp} = exchange(Port, [<<"POST /v1/functions/square/call HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                       "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n">>, Call]),
    ?assertMatch(#{<<"errors">> := [#{<<"path">> := <<"/input">>}]}, jiffy:decode(Resp, [return_maps])).

doubles(Port) ->
    Call = fun(Name, Input) ->
                   Body = [<<"{\"input\":">>, Input, <<"}">>],
                   {200, _, Resp} = exchange(Port, [<<"POST /v1/functions/">>, Name, <<"/call HTTP/1.1\r\nHost: x\r\n"
                                                    "Connection: close\r\nContent-Type: application/json\r\nContent-Length: ">>,
                                                    integer_to_binary(iolist_size(Body)), <<"\r\n\r\n">>, Body]),
                   Resp
           end,
    ?assertMatch({_, _}, binary:match(Call(<<"square">>, <<"134217729">>), <<"\"output\":18014398777917440,">>)),
    ?assertMatch({_, _}, binary:match(Call(<<"square">>, <<"1.5">>), <<"\"output\":2.25,">>)),
    ?assertMatch({_, _}, binary:match(Call(<<"square">>, <<"2.0">>), <<"\"output\":4,">>)),
    %% 2^30 squared is 2^60: JavaScript writes 1152921504606847000; at 1e21 the exponent starts.
    ?assertMatch({_, _}, binary:match(Call(<<"square">>, <<"1073741824">>), <<"\"output\":1152921504606847000,">>)),
    ?assertMatch({_, _}, binary:match(Call(<<"square">>, <<"100000000000">>), <<"\"output\":1e+22,">>)).

json_test_() ->
    E = fun(T) -> iolist_to_binary(pbcompute_json:encode(pbcompute_json:js_numbers(T))) end,
    [?_assertEqual(<<"[18014398777917440,-2,0,0.5,1e+21,100000000000000000000]">>,
                   E([1.801439877791744e16, -2.0, -0.0, 0.5, 1.0e21, 1.0e20])),
     ?_assertEqual(9007199254740991, pbcompute_json:double(9007199254740991)),
     ?_assertEqual(9007199254740992.0, pbcompute_json:double(9007199254740992)),
     ?_assertEqual(-9007199254740992.0, pbcompute_json:double(-9007199254740992)),
     ?_assertError({non_finite, <<"Infinity">>}, pbcompute_json:double(1 bsl 2000))].
