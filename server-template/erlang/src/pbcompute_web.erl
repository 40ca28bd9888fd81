%% The MochiWeb side: starts the listener and routes each request to its handler. In the
%% MochiWeb skeleton this is the `[project]_web.erl` file; here the functions live in
%% pbcompute_functions and the protocol handlers in pbcompute_api_*.
-module(pbcompute_web).

-export([start_link/0, port/0, loop/1]).

-define(SERVER, pbcompute_web_http).

%% @doc Starts the listener on the configured HOST/PORT (PORT 0 = an ephemeral port).
start_link() ->
    {ok, Ip} = inet:getaddr(pbcompute_config:get(host), inet),
    mochiweb_http:start_link([{name, ?SERVER}, {ip, Ip}, {port, pbcompute_config:get(port)},
                              {loop, fun ?MODULE:loop/1}, {nodelay, true}]).

%% @doc The port actually bound (the real one when 0 was asked).
port() -> mochiweb_socket_server:get(?SERVER, port).

%% @doc One request. Unexpected crashes become `500 internal_error`; socket errors (MochiWeb
%% exits with {shutdown, _}) end the connection as MochiWeb intends.
loop(Req) ->
    try
        case path_segments(Req) of
            {ok, Segments} -> dispatch(mochiweb_request:get(method, Req), Segments, Req);
            error -> pbcompute_http:problem(Req, validation_failed, <<"The request path is not valid percent-encoding.">>)
        end
    catch
        exit:{shutdown, _} = Reason -> exit(Reason);
        Class:Reason:Stack ->
            logger:error("~p ~p failed: ~p:~p ~p",
                         [mochiweb_request:get(method, Req), mochiweb_request:get(raw_path, Req),
                          Class, Reason, Stack]),
            pbcompute_http:problem(Req, internal_error, <<"The server failed to handle the request.">>)
    end.

%% MochiWeb percent-decodes the path to bytes; a segment must then be UTF-8 (broken
%% encodings such as "%E0%A4%A" are not, and could not be echoed back as JSON).
path_segments(Req) ->
    try mochiweb_request:get(path, Req) of
        Path ->
            Segments = [list_to_binary(S) || S <- string:split(Path, "/", all)],
            case lists:all(fun is_utf8/1, Segments) of
                true -> {ok, Segments};
                false -> error
            end
    catch _:_ -> error
    end.

is_utf8(Bin) -> is_binary(unicode:characters_to_binary(Bin)).

dispatch(Method, Segments, Req) ->
    case route(Segments) of
        not_found ->
            pbcompute_http:problem(Req, not_found, <<"No route for this path.">>);
        {Handlers, Args} ->
            case lists:keyfind(Method, 1, Handlers) of
                {_, Handler} -> apply(Handler, [Req | Args]);
                false ->
                    Allow = string:join([atom_to_list(M) || {M, _} <- Handlers], ", "),
                    pbcompute_http:problem(Req, method_not_allowed,
                                           [atom_to_list_safe(Method), " is not allowed here."],
                                           #{}, [{"Allow", Allow}])
            end
    end.

%% The route table: path pattern -> [{Method, Handler}].
route([<<>>, <<"v1">>, <<"health">>]) ->
    {[{'GET', fun pbcompute_api_functions:health/1}], []};
route([<<>>, <<"v1">>, <<"functions">>]) ->
    {[{'GET', fun pbcompute_api_functions:list/1}], []};
route([<<>>, <<"v1">>, <<"functions">>, Name]) when Name =/= <<>> ->
    {[{'GET', fun pbcompute_api_functions:get/2}], [Name]};
route([<<>>, <<"v1">>, <<"functions">>, Name, <<"call">>]) when Name =/= <<>> ->
    {[{'POST', fun pbcompute_api_functions:call/2}], [Name]};
route([<<>>, <<"v1">>, <<"jobs">>]) ->
    {[{'GET', fun pbcompute_api_jobs:list/1}, {'POST', fun pbcompute_api_jobs:submit/1}], []};
route([<<>>, <<"v1">>, <<"jobs">>, Id]) when Id =/= <<>> ->
    {[{'GET', fun pbcompute_api_jobs:get/2}, {'DELETE', fun pbcompute_api_jobs:cancel/2}], [Id]};
route([<<>>, <<"v1">>, <<"jobs">>, Id, <<"result">>]) when Id =/= <<>> ->
    {[{'GET', fun pbcompute_api_jobs:result/2}], [Id]};
route([<<>>, <<"v1">>, <<"jobs">>, Id, <<"events">>]) when Id =/= <<>> ->
    {[{'GET', fun pbcompute_sse:stream/2}], [Id]};
route(_) -> not_found.

%% MochiWeb gives well-known methods as atoms and others as strings.
atom_to_list_safe(M) when is_atom(M) -> atom_to_list(M);
atom_to_list_safe(M) -> M.
