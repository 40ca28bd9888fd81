%% Bearer-token auth and tenants: the settings, the 401s (before the body, for unknown routes
%% too), the open groups, and jobs that only their own token sees.
-module(pbcompute_auth_tests).
-include_lib("eunit/include/eunit.hrl").

-define(T1, "token-one").
-define(T2, "token-two").

%% Settings -----------------------------------------------------------------------------------

settings_test_() ->
    {foreach,
     fun() -> ok end,
     fun(_) -> pbcompute_config:load(#{auth_tokens => "", auth_tokens_file => ""}) end,
     [{"no tokens: auth off",
       fun() ->
               load(#{auth_tokens => " , ", auth_tokens_file => ""}),
               ?assertEqual([], pbcompute_config:get(auth_digests)),
               ?assertEqual([health], pbcompute_config:get(auth_open))
       end},
      {"listed and file tokens are united; blanks and comments ignored",
       fun() ->
               File = temp_file(<<"# the ops team\n\nfrom-file\r\n  spaced  \n#not-a-token\n">>),
               load(#{auth_tokens => " a, ,b,a", auth_tokens_file => File}),
               ok = file:delete(File),
               ?assertEqual(lists:sort([digest(T) || T <- ["a", "b", "from-file", "spaced"]]),
                            pbcompute_config:get(auth_digests))
       end},
      {"open groups",
       fun() ->
               Open = fun(V) -> load(#{auth_open => V}), pbcompute_config:get(auth_open) end,
               ?assertEqual([], Open("none")),
               ?assertEqual([health, catalogue], Open("health, Catalogue")),
               ?assertEqual([catalogue], Open("catalogue")),
               ?assertError({bad_setting, "POLYBRIDGE_AUTH_OPEN", _, _}, Open("health,catalog"))
       end},
      {"an unreadable token file stops the start",
       ?_assertError({bad_setting, "POLYBRIDGE_AUTH_TOKENS_FILE", _, _},
                     load(#{auth_tokens_file => "/nonexistent/polybridge-tokens"}))}]}.

bearer_test_() ->
    B = fun pbcompute_auth:bearer/1,
    [?_assertEqual({ok, <<"abc">>}, B("Bearer abc")),
     ?_assertEqual({ok, <<"abc">>}, B("bEARER   abc ")),
     ?_assertEqual(error, B("Basic abc")),
     ?_assertEqual(error, B("Bearer")),
     ?_assertEqual(error, B("Bearer ")),
     ?_assertEqual(error, B("abc"))].

%% Over HTTP --------------------------------------------------------------------------------

auth_http_test_() ->
    {setup,
     fun() ->
             {ok, _} = application:ensure_all_started(inets),
             start(#{auth_tokens => ?T1 ++ "," ++ ?T2, max_body_bytes => 1000})
     end,
     fun(_) -> pbcompute:stop() end,
     fun(Url) ->
             [{"401 without a token, with the challenge", fun() -> unauthorized(Url) end},
              {"401 comes before the body is read", fun() -> before_body(Url) end},
              {"open groups and valid tokens", fun() -> allowed(Url) end},
              {"jobs belong to their token", fun() -> tenants(Url) end},
              {"Idempotency-Keys are per token", fun() -> idempotency(Url) end}]
     end}.

unauthorized(Url) ->
    Missing = "Bearer realm=\"polybridge\"",
    Invalid = "Bearer realm=\"polybridge\", error=\"invalid_token\"",
    {401, H, P} = request(get, Url, "/v1/jobs", none),
    ?assertEqual("application/problem+json", proplists:get_value("content-type", H)),
    ?assertEqual(Missing, proplists:get_value("www-authenticate", H)),
    ?assertMatch(#{<<"type">> := <<"https://polybridge.dev/problems/unauthorized">>,
                   <<"title">> := <<"Authentication required">>, <<"status">> := 401,
                   <<"code">> := <<"unauthorized">>}, P),
    [?assertMatch({401, _, #{<<"code">> := <<"unauthorized">>}}, request(get, Url, Path, none))
     || Path <- ["/v1/functions", "/v1/functions/square", "/v1/jobs/job_x", "/v1/jobs/job_x/events",
                 "/v2/nothing", "/v1/jobs/%E0%A4%A"]],
    {401, H2, _} = request(get, Url, "/v1/jobs", "Bearer wrong"),
    ?assertEqual(Invalid, proplists:get_value("www-authenticate", H2)),
    [?assertMatch({401, [_ | _], _}, request(get, Url, "/v1/jobs", Auth)) || Auth <- ["Basic dTpw", "Bearer", ?T1]],
    {401, H3, _} = request(get, Url, "/v1/jobs", "Basic dTpw"),
    ?assertEqual(Invalid, proplists:get_value("www-authenticate", H3)),
    %% A prefix or an extension of a token is not the token.
    [?assertMatch({401, _, _}, request(get, Url, "/v1/jobs", "Bearer " ++ T)) || T <- ["token-on", ?T1 ++ "e"]],
    %% Methods outside the open groups are not open.
    ?assertMatch({401, _, _}, request(delete, Url, "/v1/health", none)).

%% Invalid JSON, a wrong media type and an oversized body all lose to the missing token.
before_body(Url) ->
    Path = "/v1/jobs",
    ?assertMatch({401, _, #{<<"code">> := <<"unauthorized">>}},
                 request(post, Url, Path, none, {"application/json", <<"{\"kind\":">>})),
    ?assertMatch({401, _, _}, request(post, Url, Path, none, {"text/plain", <<"hello">>})),
    ?assertMatch({401, _, _}, request(post, Url, Path, "Bearer wrong",
                                      {"application/json", binary:copy(<<" ">>, 5000)})),
    ?assertMatch({401, _, _}, request(post, Url, "/v1/functions/square/call", none,
                                      {"application/json", <<"{\"input\":\"\xff\"}">>})),
    %% The same bodies with a token reach the usual checks.
    ?assertMatch({400, _, #{<<"code">> := <<"invalid_json">>}},
                 request(post, Url, Path, bearer(?T1), {"application/json", <<"{\"kind\":">>})),
    ?assertMatch({413, _, #{<<"code">> := <<"payload_too_large">>}},
                 request(post, Url, Path, bearer(?T1), {"application/json", binary:copy(<<" ">>, 5000)})).

allowed(Url) ->
    %% health is open by default, with or without a (even a wrong) token; the catalogue is not.
    ?assertMatch({200, _, #{<<"status">> := <<"ok">>}}, request(get, Url, "/v1/health", none)),
    ?assertMatch({200, _, _}, request(get, Url, "/v1/health", "Bearer wrong")),
    ?assertMatch({200, _, #{<<"functions">> := _}}, request(get, Url, "/v1/functions", bearer(?T1))),
    %% The scheme is case-insensitive; both tokens are valid.
    ?assertMatch({200, _, #{<<"output">> := 144}},
                 post(Url, "/v1/functions/square/call", "bearer " ++ ?T2, #{input => 12})),
    ?assertMatch({404, _, #{<<"code">> := <<"not_found">>}}, request(get, Url, "/v2/nothing", bearer(?T1))),
    ?assertMatch({200, _, #{<<"jobs">> := _}}, request(get, Url, "/v1/jobs", bearer(?T2))).

tenants(Url) ->
    Sleep = #{kind => map, function => sleep, input => #{items => [3000]}},
    {202, _, #{<<"id">> := Id}} = post(Url, "/v1/jobs", bearer(?T1), Sleep),
    Path = "/v1/jobs/" ++ binary_to_list(Id),
    %% The other token sees nothing of it, and cannot cancel it.
    [?assertMatch({404, _, #{<<"code">> := <<"job_not_found">>}}, request(Method, Url, P, bearer(?T2)))
     || {Method, P} <- [{get, Path}, {get, Path ++ "/result"}, {get, Path ++ "/events"}, {delete, Path}]],
    ?assertNot(lists:member(Id, listed(Url, ?T2))),
    ?assert(lists:member(Id, listed(Url, ?T1))),
    {200, _, #{<<"status">> := S}} = request(get, Url, Path, bearer(?T1)),
    ?assert(S =:= <<"accepted">> orelse S =:= <<"running">>),
    ?assertMatch({409, _, #{<<"code">> := <<"result_not_ready">>}}, request(get, Url, Path ++ "/result", bearer(?T1))),
    ?assertMatch({200, _, #{<<"status">> := <<"dismissed">>}}, request(delete, Url, Path, bearer(?T1))),
    {200, H, Events} = request(get, Url, Path ++ "/events", bearer(?T1)),
    ?assertEqual("text/event-stream", proplists:get_value("content-type", H)),
    ?assertNotEqual(nomatch, binary:match(Events, <<"\"status\":\"dismissed\"">>)).

idempotency(Url) ->
    Body = #{kind => map, function => square, input => #{items => [1, 2]}},
    Key = {"idempotency-key", "shared-key"},
    {200, _, #{<<"id">> := Id1}} = post(Url, "/v1/jobs", [Key, {"prefer", "wait=5"} | auth(?T1)], Body),
    %% The same key under the other token is a new, independent job, even with another body.
    {200, H2, #{<<"id">> := Id2}} = post(Url, "/v1/jobs", [Key, {"prefer", "wait=5"} | auth(?T2)], Body),
    ?assertNotEqual(Id1, Id2),
    ?assertEqual(undefined, proplists:get_value("idempotent-replayed", H2)),
    ?assertMatch({202, _, _}, post(Url, "/v1/jobs", [{"idempotency-key", "other"} | auth(?T2)], Body)),
    ?assertMatch({202, _, _}, post(Url, "/v1/jobs", [{"idempotency-key", "other"} | auth(?T1)],
                                   Body#{input => #{items => [3]}})),
    %% Within one token the key still replays, or conflicts.
    {200, H3, #{<<"id">> := Id1}} = post(Url, "/v1/jobs", [Key, {"prefer", "wait=5"} | auth(?T1)], Body),
    ?assertEqual("true", proplists:get_value("idempotent-replayed", H3)),
    ?assertMatch({422, _, #{<<"code">> := <<"idempotency_key_conflict">>}},
                 post(Url, "/v1/jobs", [Key | auth(?T2)], Body#{input => #{items => [9]}})).

%% POLYBRIDGE_AUTH_OPEN and the token file, each on a server of its own.
open_groups_test_() ->
    {foreach,
     fun() -> {ok, _} = application:ensure_all_started(inets) end,
     fun(_) -> pbcompute:stop() end,
     [{"none: even health needs a token; the contract never does",
       fun() ->
               Url = start(#{auth_tokens => ?T1, auth_open => "none"}),
               ?assertMatch({401, _, _}, request(get, Url, "/v1/health", none)),
               ?assertMatch({200, _, #{<<"openapi">> := _}}, request(get, Url, "/v1/openapi.json", none)),
               ?assertMatch({200, _, _}, request(get, Url, "/v1/health", bearer(?T1)))
       end},
      {"health,catalogue: the catalogue is open, calls and jobs are not",
       fun() ->
               Url = start(#{auth_tokens => ?T1, auth_open => "health,catalogue"}),
               ?assertMatch({200, _, #{<<"functions">> := _}}, request(get, Url, "/v1/functions", none)),
               ?assertMatch({200, _, #{<<"name">> := <<"sum">>}}, request(get, Url, "/v1/functions/sum", none)),
               ?assertMatch({404, _, #{<<"code">> := <<"function_not_found">>}},
                            request(get, Url, "/v1/functions/nope", none)),
               ?assertMatch({401, _, _}, post(Url, "/v1/functions/square/call", none, #{input => 2})),
               ?assertMatch({401, _, _}, request(get, Url, "/v1/jobs", none))
       end},
      {"tokens from a file",
       fun() ->
               File = temp_file(<<"# tokens\nfile-token\n">>),
               Url = start(#{auth_tokens => "", auth_tokens_file => File}),
               ok = file:delete(File),  % read once, at start
               ?assertMatch({200, _, _}, request(get, Url, "/v1/jobs", "Bearer file-token")),
               ?assertMatch({401, _, _}, request(get, Url, "/v1/jobs", "Bearer # tokens"))
       end},
      {"no tokens: no Authorization needed, any is ignored",
       fun() ->
               Url = start(#{auth_tokens => "", auth_tokens_file => ""}),
               ?assertMatch({200, _, _}, request(get, Url, "/v1/jobs", none)),
               ?assertMatch({200, _, _}, request(get, Url, "/v1/jobs", "Bearer anything"))
       end}]}.

%% Helpers ----------------------------------------------------------------------------------

load(Overrides) ->
    pbcompute_config:load(maps:merge(#{auth_tokens => "", auth_tokens_file => "", auth_open => "health"},
                                     Overrides)).

start(Overrides) ->
    Base = #{port => 0, host => "127.0.0.1", heartbeat_ms => 100, auth_tokens_file => "", auth_open => "health"},
    {ok, Url} = pbcompute:start(maps:merge(Base, Overrides)),
    Url.

digest(Token) -> crypto:hash(sha256, Token).

temp_file(Contents) ->
    File = filename:join(os:getenv("TMPDIR", "/tmp"),
                         "pbcompute-tokens-" ++ integer_to_list(erlang:unique_integer([positive]))),
    ok = file:write_file(File, Contents),
    File.

bearer(Token) -> "Bearer " ++ Token.

auth(Token) -> [{"authorization", bearer(Token)}].

listed(Url, Token) ->
    {200, _, #{<<"jobs">> := Jobs}} = request(get, Url, "/v1/jobs?limit=100", bearer(Token)),
    [Id || #{<<"id">> := Id} <- Jobs].

%% Auth is `none`, an Authorization value, or a header list.
request(Method, Url, Path, Auth) -> request(Method, Url, Path, Auth, undefined).

request(Method, Url, Path, Auth, Body) ->
    Headers = case Auth of
                  none -> [];
                  [{_, _} | _] -> Auth;
                  Value -> [{"authorization", Value}]
              end,
    Req = case Body of
              undefined -> {Url ++ Path, Headers};
              {Type, Bin} -> {Url ++ Path, Headers, Type, Bin}
          end,
    {ok, {{_, Status, _}, RespHeaders, RespBody}} =
        httpc:request(Method, Req, [{timeout, 10000}], [{body_format, binary}]),
    Json = case proplists:get_value("content-type", RespHeaders) of
               "application/" ++ _ when RespBody =/= <<>> -> jiffy:decode(RespBody, [return_maps]);
               _ -> RespBody
           end,
    {Status, RespHeaders, Json}.

post(Url, Path, Auth, Term) ->
    request(post, Url, Path, Auth, {"application/json", iolist_to_binary(jiffy:encode(Term))}).
