%% The MochiWeb side: starts the listener and routes each request to its handler. In the
%% MochiWeb skeleton this is the `[project]_web.erl` file; here the functions live in
%% pbcompute_functions and the protocol handlers in pbcompute_api_*.
-module(pbcompute_web).

-export([start_link/0, port/0, loop/1]).

-define(SERVER, pbcompute_web_http).
%% The spec's JobId maxLength (the `{id}` path parameter).
-define(MAX_ID_LENGTH, 100).

%% @doc Starts the listener on the configured HOST/PORT (PORT 0 = an ephemeral port).
%% pbcompute_conn is MochiWeb's connection loop with real answers to malformed requests.
start_link() ->
    {ok, Ip} = inet:getaddr(pbcompute_config:get(host), inet),
    pbcompute_conn:start_link([{name, ?SERVER}, {ip, Ip}, {port, pbcompute_config:get(port)},
                              {loop, fun ?MODULE:loop/1}, {nodelay, true}]).

%% @doc The port actually bound (the real one when 0 was asked).
port() -> mochiweb_socket_server:get(?SERVER, port).

%% @doc One request: who is asking (pbcompute_auth, before anything else), then the route.
%% Unexpected crashes become `500 internal_error`; socket errors (MochiWeb exits with
%% {shutdown, _}) end the connection as MochiWeb intends.
loop(Req) ->
    try
        Method = mochiweb_request:get(method, Req),
        Path = path_segments(Req),
        case {pbcompute_auth:check(Method, Path, Req), Path} of
            {{error, Why}, _} -> unauthorized(Req, Why);
            {{ok, _}, invalid} ->
                pbcompute_http:problem(Req, validation_failed, <<"The request path is not valid percent-encoding.">>);
            {{ok, Tenant}, Segments} -> dispatch(Method, Segments, Tenant, Req)
        end
    catch
        exit:{shutdown, _} = Reason -> exit(Reason);
        Class:Reason:Stack ->
            logger:error("~p ~p failed: ~p:~p ~p",
                         [mochiweb_request:get(method, Req), mochiweb_request:get(raw_path, Req),
                          Class, Reason, Stack]),
            pbcompute_http:problem(Req, internal_error, <<"The server failed to handle the request.">>)
    end.

%% 401 with the RFC 6750 challenge. The body, if any, is never parsed (see skip_body).
unauthorized(Req, Why) ->
    pbcompute_http:skip_body(Req),
    Detail = case Why of
                 missing -> <<"Send Authorization: Bearer <token>.">>;
                 invalid_token -> <<"The bearer token is not valid.">>
             end,
    pbcompute_http:problem(Req, unauthorized, Detail, #{},
                           [{"WWW-Authenticate", pbcompute_auth:challenge(Why)}]).

%% Segments of the raw path, each percent-decoded to bytes (MochiWeb's own `path` collapses
%% "//", which would turn `/v1/jobs//events` into a job named "events"; an empty segment is
%% no route). A segment must be UTF-8 (broken encodings such as "%E0%A4%A" are not, and could
%% not be echoed back as JSON).
path_segments(Req) ->
    try mochiweb_util:urlsplit_path(mochiweb_request:get(raw_path, Req)) of
        {Path, _, _} ->
            Segments = [list_to_binary(mochiweb_util:unquote(S)) || S <- string:split(Path, "/", all)],
            case lists:all(fun is_utf8/1, Segments) of
                true -> Segments;
                false -> invalid
            end
    catch _:_ -> invalid
    end.

is_utf8(Bin) -> is_binary(unicode:characters_to_binary(Bin)).

%% HEAD runs the GET handler: MochiWeb sends a HEAD response's status and headers
%% (Content-Length included) without the body; the event stream checks the method itself.
dispatch(Method, Segments, Tenant, Req) ->
    case route(Segments, Tenant) of
        not_found ->
            pbcompute_http:problem(Req, not_found, <<"No route for this path.">>);
        {Handlers0, Args} ->
            Handlers = case lists:keyfind('GET', 1, Handlers0) of
                           {'GET', Get} -> Handlers0 ++ [{'HEAD', Get}];
                           false -> Handlers0
                       end,
            case lists:keyfind(Method, 1, Handlers) of
                {_, Handler} ->
                    case param_errors(Args) of
                        [] -> apply(Handler, [Req | [untag(A) || A <- Args]]);
                        Errors -> pbcompute_http:skip_body(Req), pbcompute_http:validation_failed(Req, Errors)
                    end;
                false ->
                    Allow = string:join([atom_to_list(M) || {M, _} <- Handlers], ", "),
                    pbcompute_http:problem(Req, method_not_allowed,
                                           [atom_to_list_safe(Method), " is not allowed here."],
                                           #{}, [{"Allow", Allow}])
            end
    end.

%% The route table: path pattern -> [{Method, Handler}] and the handler's arguments after Req.
%% Job handlers get the tenant first: a job is only visible to the tenant that submitted it.
route([<<>>, <<"v1">>, <<"health">>], _) ->
    {[{'GET', fun pbcompute_api_functions:health/1}], []};
route([<<>>, <<"v1">>, <<"openapi.json">>], _) ->
    {[{'GET', fun pbcompute_api_meta:openapi_json/1}], []};
route([<<>>, <<"v1">>, <<"openapi.yaml">>], _) ->
    {[{'GET', fun pbcompute_api_meta:openapi_yaml/1}], []};
route([<<>>, <<"v1">>, <<"functions">>], _) ->
    {[{'GET', fun pbcompute_api_functions:list/1}], []};
route([<<>>, <<"v1">>, <<"functions">>, Name], _) when Name =/= <<>> ->
    {[{'GET', fun pbcompute_api_functions:get/2}], [{path_param, name, Name}]};
route([<<>>, <<"v1">>, <<"functions">>, Name, <<"call">>], _) when Name =/= <<>> ->
    {[{'POST', fun pbcompute_api_functions:call/2}], [{path_param, name, Name}]};
route([<<>>, <<"v1">>, <<"jobs">>], T) ->
    {[{'GET', fun pbcompute_api_jobs:list/2}, {'POST', fun pbcompute_api_jobs:submit/2}], [T]};
route([<<>>, <<"v1">>, <<"jobs">>, Id], T) when Id =/= <<>> ->
    {[{'GET', fun pbcompute_api_jobs:get/3}, {'DELETE', fun pbcompute_api_jobs:cancel/3}],
     [T, {path_param, id, Id}]};
route([<<>>, <<"v1">>, <<"jobs">>, Id, <<"result">>], T) when Id =/= <<>> ->
    {[{'GET', fun pbcompute_api_jobs:result/3}], [T, {path_param, id, Id}]};
route([<<>>, <<"v1">>, <<"jobs">>, Id, <<"events">>], T) when Id =/= <<>> ->
    {[{'GET', fun pbcompute_sse:stream/3}], [T, {path_param, id, Id}]};
route(_, _) -> not_found.

%% Path parameters arrive tagged ({path_param, name | id, Value}) and are checked against the spec's
%% FunctionName and JobId schemas before the handler sees them untagged; the pointer names the
%% parameter (`/name`, `/id`).
param_errors(Args) ->
    lists:append([param_error(A) || A <- Args]).

param_error({path_param, name, Name}) ->
    Pattern = pbcompute_registry:name_pattern(),
    case re:run(Name, Pattern, [{capture, none}]) of
        match -> [];
        nomatch -> [#{<<"path">> => <<"/name">>,
                      <<"message">> => iolist_to_binary(["must match pattern \"", Pattern, "\""])}]
    end;
param_error({path_param, id, Id}) ->
    case string:length(Id) > ?MAX_ID_LENGTH of
        true -> [#{<<"path">> => <<"/id">>, <<"message">> => <<"must NOT have more than 100 characters">>}];
        false -> []
    end;
param_error(_) -> [].

untag({path_param, _, Value}) -> Value;
untag(Arg) -> Arg.

%% MochiWeb gives well-known methods as atoms and others as strings.
atom_to_list_safe(M) when is_atom(M) -> atom_to_list(M);
atom_to_list_safe(M) -> M.
