%% Handlers for health, the function catalogue and synchronous calls.
-module(pbcompute_api_functions).

-export([health/1, list/1, get/2, call/2]).

%% GET /v1/health
health(Req) ->
    #{queued := Queued, running := Running, stored := Stored, draining := Draining} = pbcompute_jobs:stats(),
    {UptimeMs, _} = erlang:statistics(wall_clock),
    {ok, Vsn} = application:get_key(pbcompute, vsn),
    pbcompute_http:json(Req, 200, #{<<"status">> => case Draining of true -> <<"draining">>; false -> <<"ok">> end,
                                    <<"version">> => list_to_binary(Vsn),
                                    <<"uptimeSeconds">> => pbcompute_json:js_numbers(UptimeMs / 1000),
                                    <<"workers">> => pbcompute_config:get(workers),
                                    %% An extension member: the nodes jobs spread their chunks over.
                                    <<"nodes">> => [atom_to_binary(N) || N <- pbcompute_cluster:members()],
                                    <<"jobs">> => #{<<"queued">> => Queued, <<"running">> => Running,
                                                    <<"stored">> => Stored}}).

%% GET /v1/functions
list(Req) ->
    Infos = [pbcompute_registry:info(D) || D <- pbcompute_registry:all()],
    pbcompute_http:json(Req, 200, #{<<"functions">> => Infos}).

%% GET /v1/functions/{name}
get(Req, Name) ->
    case pbcompute_registry:find(Name) of
        {ok, Def} -> pbcompute_http:json(Req, 200, pbcompute_registry:info(Def));
        not_found -> function_not_found(Req, Name)
    end.

%% POST /v1/functions/{name}/call
call(Req, Name) ->
    case pbcompute_registry:find(Name) of
        not_found -> function_not_found(Req, Name);
        {ok, Def} ->
            case pbcompute_http:read_json(Req) of
                {error, Code, Detail} -> pbcompute_http:problem(Req, Code, Detail);
                {ok, Body} -> call_with_body(Req, Def, Body)
            end
    end.

call_with_body(Req, Def, Body) ->
    case pbcompute_request:call(Body) of
        {error, Errors} -> pbcompute_http:validation_failed(Req, Errors);
        {ok, Input, TimeoutMs} ->
            case validate_input(Def, Input) of
                {error, Errors} -> pbcompute_http:validation_failed(Req, Errors);
                ok ->
                    case maps:get(draining, pbcompute_jobs:stats()) of
                        true -> pbcompute_http:problem(Req, shutting_down, <<"The server is shutting down.">>,
                                                       #{<<"retryAfterSeconds">> => 1}, [{"Retry-After", "1"}]);
                        false -> run(Req, Def, Input, TimeoutMs)
                    end
            end
    end.

%% A reducer is called with [accumulator, item]; the item must fit its input schema.
validate_input(#{kind := reducer} = Def, [_Acc, Item]) ->
    pbcompute_registry:validate_input(Def, Item, <<"/input/1">>);
validate_input(#{kind := reducer}, _) ->
    {error, [#{<<"path">> => <<"/input">>, <<"message">> => <<"must be an array [accumulator, item]">>}]};
validate_input(Def, Input) ->
    pbcompute_registry:validate_input(Def, Input, <<"/input">>).

%% The call runs in its own process so a timeout can kill it (stopping a `sleep` at once),
%% and so it dies with the connection if the client goes away (link).
run(Req, #{name := Name} = Def, Input, TimeoutMs) ->
    Started = erlang:monotonic_time(microsecond),
    Self = self(),
    Pid = spawn_link(fun() -> Self ! {call_result, self(), pbcompute_registry:invoke(Def, Input)} end),
    receive
        {call_result, Pid, Outcome} ->
            DurationMs = (erlang:monotonic_time(microsecond) - Started) / 1000,
            case Outcome of
                {ok, Output} ->
                    pbcompute_http:json(Req, 200, #{<<"function">> => Name,
                                                    <<"output">> => pbcompute_json:js_numbers(Output),
                                                    <<"durationMs">> => pbcompute_json:js_numbers(DurationMs)});
                {error, Message} ->
                    pbcompute_http:problem(Req, function_failed, Message)
            end
    after TimeoutMs ->
            unlink(Pid),
            exit(Pid, kill),
            pbcompute_http:problem(Req, call_timeout,
                                   io_lib:format("~ts did not finish within ~b ms", [Name, TimeoutMs]))
    end.

function_not_found(Req, Name) ->
    pbcompute_http:problem(Req, function_not_found, ["No function '", Name, "'."]).
