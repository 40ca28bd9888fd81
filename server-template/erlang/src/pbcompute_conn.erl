%% The connection loop in place of mochiweb_http's own (MochiWeb 3.1.1): reads the request line
%% and headers with the VM's HTTP packet parser, then hands a mochiweb_request to the handler,
%% exactly as mochiweb_http does, except for requests HTTP itself rejects. MochiWeb leaves a
%% garbage request line or header line unmatched in its mailbox (the client waits 300 s for
%% nothing), answers an oversized header block with an empty 400, and crashes on
%% `Content-Length: abc` only when the body is read. Here every such request gets a real
%% HTTP/1.1 answer in problem+json with `Connection: close`, then the socket is closed:
%% 400 malformed_request (request line, header line, framing headers) or 431 headers_too_large.
-module(pbcompute_conn).

-export([start_link/1, loop/3, malformed/2]).

%% MochiWeb's limits: at most this many header lines; a line longer than recbuf is emsgsize.
-define(MAX_HEADERS, 1000).
-define(REQUEST_LINE_TIMEOUT_MS, 300000).
-define(HEADERS_TIMEOUT_MS, 30000).

%% @doc Starts a MochiWeb socket server whose connections run this loop; Options are
%% mochiweb_http:start_link/1's, `{loop, fun(Req) -> ... end}` included.
start_link(Options) ->
    case mochiweb_clock:start() of
        {ok, _} -> ok;
        {error, {already_started, _}} -> ok
    end,
    {loop, Handler} = proplists:lookup(loop, Options),
    mochiweb_socket_server:start_link([{loop, {?MODULE, loop, [Handler]}}
                                       | proplists:delete(loop, Options)]).

%% @doc One keep-alive connection: called by MochiWeb's acceptor with the accepted socket.
loop(Socket, Opts, Handler) ->
    setopts(Socket, [{packet, http}]),
    request(Socket, Opts, Handler).

request(Socket, Opts, Handler) ->
    setopts(Socket, [{active, once}]),
    receive
        {Protocol, _, {http_request, Method, Path, Version}} when Protocol =:= http; Protocol =:= ssl ->
            setopts(Socket, [{packet, httph}]),
            headers(Socket, Opts, Handler, {Method, Path, Version}, [], 0);
        {Protocol, _, {http_error, Blank}} when (Protocol =:= http orelse Protocol =:= ssl),
                                                (Blank =:= "\r\n" orelse Blank =:= "\n") ->
            request(Socket, Opts, Handler);  % RFC 9112 2.2: ignore empty lines before a request
        {Protocol, _, {http_error, _}} when Protocol =:= http; Protocol =:= ssl ->
            reject(Socket, Opts, default_request(), [], malformed_request,
                   <<"The request line is not an HTTP/1.x request line.">>);
        {tcp_error, _, emsgsize} ->
            reject(Socket, Opts, default_request(), [], headers_too_large,
                   <<"The request line is longer than the server accepts.">>);
        {Closed, _} when Closed =:= tcp_closed; Closed =:= ssl_closed -> close(Socket, Closed);
        {Error, _, Reason} when Error =:= tcp_error; Error =:= ssl_error -> close(Socket, Reason)
    after ?REQUEST_LINE_TIMEOUT_MS -> close(Socket, request_recv_timeout)
    end.

headers(Socket, Opts, _Handler, Request, Headers, ?MAX_HEADERS) ->
    reject(Socket, Opts, Request, Headers, headers_too_large,
           io_lib:format("The request has more than ~b header lines.", [?MAX_HEADERS - 1]));
headers(Socket, Opts, Handler, Request, Headers, Count) ->
    setopts(Socket, [{active, once}]),
    receive
        {Protocol, _, http_eoh} when Protocol =:= http; Protocol =:= ssl ->
            Req = new_request(Socket, Opts, Request, Headers),
            case framing_error(Req) of
                none ->
                    Handler(Req),
                    after_response(Handler, Req);
                Detail -> malformed(Req, Detail)
            end;
        {Protocol, _, {http_header, _, Name, _, Value}} when Protocol =:= http; Protocol =:= ssl ->
            headers(Socket, Opts, Handler, Request, [{Name, Value} | Headers], Count + 1);
        {Protocol, _, {http_error, Line}} when Protocol =:= http; Protocol =:= ssl ->
            reject(Socket, Opts, Request, Headers, malformed_request,
                   ["Not a valid header line: ", printable(Line)]);
        {tcp_error, _, emsgsize} ->
            reject(Socket, Opts, Request, Headers, headers_too_large,
                   <<"A header line is longer than the server accepts.">>);
        {Closed, _} when Closed =:= tcp_closed; Closed =:= ssl_closed -> close(Socket, Closed);
        {Error, _, Reason} when Error =:= tcp_error; Error =:= ssl_error -> close(Socket, Reason)
    after ?HEADERS_TIMEOUT_MS -> close(Socket, headers_recv_timeout)
    end.

%% @doc What is wrong with the body framing of a parsed request (RFC 9112 6.1-6.3), or none:
%% both Transfer-Encoding and Content-Length, a Content-Length that is not one decimal
%% number, or a transfer coding other than chunked.
-spec framing_error(term()) -> none | binary().
framing_error(Req) ->
    Length = mochiweb_request:get_combined_header_value("content-length", Req),
    Coding = mochiweb_request:get_combined_header_value("transfer-encoding", Req),
    case {Length, Coding} of
        {undefined, undefined} -> none;
        {_, undefined} ->
            case lists:usort([string:trim(V) || V <- string:split(Length, ",", all)]) of
                [Single] ->
                    case re:run(Single, "^[0-9]{1,18}$", [{capture, none}]) of
                        match -> none;
                        nomatch -> <<"Content-Length is not a decimal number.">>
                    end;
                _ -> <<"Content-Length has conflicting values.">>
            end;
        {undefined, "chunked"} -> none;  % MochiWeb reads only this exact spelling
        {undefined, _} -> <<"Transfer-Encoding other than chunked is not supported.">>;
        {_, _} -> <<"Both Transfer-Encoding and Content-Length are present.">>
    end.

%% @doc Answers 400 malformed_request and closes the connection (also used when the body
%% turns out to be badly framed: a broken chunk size line). Never returns.
-spec malformed(term(), iodata()) -> no_return().
malformed(Req, Detail) ->
    answer_and_close(Req, malformed_request, Detail).

reject(Socket, Opts, Request, RevHeaders, Code, Detail) ->
    answer_and_close(new_request(Socket, Opts, Request, RevHeaders), Code, Detail).

%% MochiWeb adds `Connection: close` itself when the request must close (its own flag).
answer_and_close(Req, Code, Detail) ->
    put(mochiweb_request_force_close, true),
    Problem = pbcompute_problem:new(Code, Detail),
    mochiweb_request:respond({maps:get(<<"status">>, Problem),
                              [{"Content-Type", "application/problem+json"}],
                              pbcompute_json:encode(Problem)}, Req),
    Socket = mochiweb_request:get(socket, Req),
    mochiweb_socket:close(Socket),
    exit({shutdown, Code}).

%% The request a broken request line stands for: answered as HTTP/1.1.
default_request() -> {'GET', {abs_path, "/"}, {1, 1}}.

new_request(Socket, Opts, Request, RevHeaders) ->
    setopts(Socket, [{packet, raw}]),
    mochiweb:new_request({Socket, Opts, Request, lists:reverse(RevHeaders)}).

%% As mochiweb_http:after_response/2, looping back into this module.
after_response(Handler, Req) ->
    Socket = mochiweb_request:get(socket, Req),
    case mochiweb_request:should_close(Req) of
        true -> close(Socket, should_close);
        false ->
            mochiweb_request:cleanup(Req),
            erlang:garbage_collect(),
            loop(Socket, mochiweb_request:get(opts, Req), Handler)
    end.

close(Socket, Why) ->
    mochiweb_socket:close(Socket),
    exit({shutdown, Why}).

setopts(Socket, Opts) ->
    ok = mochiweb_socket:exit_if_closed(mochiweb_socket:setopts(Socket, Opts)).

%% A rejected line shown in the detail: trimmed, at most 100 characters, valid UTF-8.
printable(Line) when is_list(Line) ->
    Trimmed = string:trim(Line),
    Short = lists:sublist(Trimmed, 100),
    case unicode:characters_to_binary(Short) of
        Bin when is_binary(Bin) -> Bin;
        _ -> unicode:characters_to_binary(Short, latin1)
    end;
printable(Line) when is_binary(Line) -> printable(binary_to_list(Line)).
