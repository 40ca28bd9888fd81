%% HTTP helpers over MochiWeb 3 (`mochiweb_request:F(..., Req)`): JSON and problem+json
%% replies, and reading a JSON body under the protocol's limits (media type, 16 MiB, depth).
-module(pbcompute_http).

-export([json/3, json/4, problem/2, problem/3, problem/5, validation_failed/2, read_json/1, skip_body/1, header/2, query/1]).

json(Req, Status, Body) -> json(Req, Status, Body, []).

json(Req, Status, Body, Headers) ->
    mochiweb_request:respond({Status, [{"Content-Type", "application/json"} | Headers],
                              pbcompute_json:encode(Body)}, Req).

%% @doc Replies with a problem map (see pbcompute_problem:new/3) or a code.
problem(Req, Problem) when is_map(Problem) -> problem_reply(Req, Problem, []);
problem(Req, Code) when is_atom(Code) -> problem(Req, Code, undefined).

problem(Req, Code, Detail) -> problem(Req, Code, Detail, #{}, []).

problem(Req, Code, Detail, Extra, Headers) ->
    problem_reply(Req, pbcompute_problem:new(Code, Detail, Extra), Headers).

problem_reply(Req, #{<<"status">> := Status} = Problem, Headers) ->
    mochiweb_request:respond({Status, [{"Content-Type", "application/problem+json"} | Headers],
                              pbcompute_json:encode(Problem)}, Req).

%% @doc `400 validation_failed` listing the field errors.
validation_failed(Req, Errors) ->
    N = length(Errors),
    Detail = case N of
                 1 -> <<"1 field is invalid">>;
                 _ -> io_lib:format("~b fields are invalid", [N])
             end,
    problem(Req, validation_failed, Detail, #{<<"errors">> => Errors}, []).

%% @doc A request header as a string, or undefined.
header(Name, Req) -> mochiweb_request:get_header_value(Name, Req).

%% @doc The query string as `[{Key, Value}]` strings.
query(Req) -> mochiweb_request:parse_qs(Req).

%% @doc Reads and parses a JSON request body:
%% `{ok, Term}` or `{error, Code, Detail}` with Code one of unsupported_media_type,
%% payload_too_large, invalid_json, nesting_too_deep.
read_json(Req) ->
    Max = pbcompute_config:get(max_body_bytes),
    case is_json(header("content-type", Req)) of
        {false, Type} ->
            {error, unsupported_media_type, ["Send application/json, not ", Type, "."]};
        true ->
            case declared_length(Req) of
                Length when is_integer(Length), Length > Max ->
                    discard_body(Req, Length, Max),
                    too_large(Max);
                _ ->
                    try mochiweb_request:recv_body(Max, Req) of
                        Body -> parse(Body)
                    catch
                        exit:{body_too_large, _} ->
                            force_close(),
                            too_large(Max);
                        error:_ ->
                            %% MochiWeb crashes on a chunk-size line that is not hex.
                            pbcompute_conn:malformed(Req, <<"The chunked body is not well framed.">>)
                    end
            end
    end.

parse(undefined) -> {error, invalid_json, <<"The request has no body.">>};
parse(Body) ->
    case pbcompute_json:decode(Body) of
        {error, invalid_json} -> {error, invalid_json, invalid_json_detail(Body)};
        {ok, Term} ->
            Depth = pbcompute_config:get(max_depth),
            case pbcompute_json:depth_exceeds(Term, Depth) of
                true -> {error, nesting_too_deep, io_lib:format("JSON nests deeper than ~b levels.", [Depth])};
                false -> {ok, Term}
            end
    end.

%% jiffy rejects invalid UTF-8 (it never decodes with replacement characters); only on that
%% error path is the body checked again, to say why.
invalid_json_detail(Body) ->
    case unicode:characters_to_binary(Body) of
        Valid when is_binary(Valid) -> <<"The body is not valid JSON.">>;
        _ -> <<"The body is not valid UTF-8.">>
    end.

too_large(Max) ->
    {error, payload_too_large, io_lib:format("The body is larger than ~b bytes.", [Max])}.

%% application/json, the seed's application/jsonrequest, or any application/*+json, with or
%% without parameters.
is_json(undefined) -> {false, "no content type"};
is_json(Value) ->
    Type = string:lowercase(string:trim(hd(string:split(Value, ";")))),
    case Type =:= "application/json" orelse Type =:= "application/jsonrequest" orelse
        (lists:prefix("application/", Type) andalso lists:suffix("+json", Type)
         andalso length(Type) > length("application/+json")) of
        true -> true;
        false -> {false, Type}
    end.

%% @doc For a request answered without reading its body (401): the body is dropped unparsed,
%% as for a 413, so the client can finish sending and read the answer. A client that waits
%% for `100 Continue` has sent nothing yet: it gets the answer at once and the connection closes.
skip_body(Req) ->
    case {declared_length(Req), header("expect", Req)} of
        {_, Expect} when Expect =/= undefined -> force_close();
        {Length, _} when is_integer(Length), Length > 0 ->
            discard_body(Req, Length, pbcompute_config:get(max_body_bytes));
        {Length, _} when is_integer(Length) -> ok;
        {undefined, _} ->
            %% Chunked or an unparsable length: not worth reading; close after the answer.
            case {header("content-length", Req), header("transfer-encoding", Req)} of
                {undefined, undefined} -> ok;
                _ -> force_close()
            end
    end.

declared_length(Req) ->
    case header("content-length", Req) of
        undefined -> undefined;
        Value -> try list_to_integer(string:trim(Value)) catch error:badarg -> undefined end
    end.

%% Reading a moderately oversized body before answering lets the client finish sending and
%% read the 413; a huge one is not worth reading, so that connection is closed instead.
discard_body(Req, Length, Max) when Length =< 4 * Max ->
    mochiweb_request:stream_body(1024 * 1024, fun(_, Acc) -> Acc end, ok, Req);
discard_body(_, _, _) ->
    force_close().

%% MochiWeb's own flag (process dictionary of the connection) to close after this response.
force_close() -> put(mochiweb_request_force_close, true).
