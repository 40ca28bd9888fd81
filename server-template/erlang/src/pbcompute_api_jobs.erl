%% Handlers for /v1/jobs: submit (Prefer, Idempotency-Key, limits, kinds), list, get,
%% result and cancel. Events are in pbcompute_sse. Each handler gets the caller's tenant
%% (pbcompute_auth): jobs, their listing and Idempotency-Keys are per tenant, and another
%% tenant's job answers 404 job_not_found.
-module(pbcompute_api_jobs).

-export([submit/2, list/2, get/3, result/3, cancel/3, parse_prefer/1]).

-define(MAX_WAIT_S, 60).

%% POST /v1/jobs
submit(Req, Tenant) ->
    case pbcompute_http:read_json(Req) of
        {error, Code, Detail} -> pbcompute_http:problem(Req, Code, Detail);
        {ok, Body} ->
            case pbcompute_request:job(Body) of
                {error, Errors} -> pbcompute_http:validation_failed(Req, Errors);
                {ok, Spec} -> check_limits(Req, Tenant, Body, Spec)
            end
    end.

check_limits(Req, Tenant, Body, #{input := Input} = Spec) ->
    {Count, Max} = case Input of
                       {items, Items} -> {length(Items), pbcompute_config:get(max_items)};
                       {range, S, E, St} -> {pbcompute_request:range_count(S, E, St), pbcompute_config:get(max_range)}
                   end,
    case Count > Max of
        true -> pbcompute_http:problem(Req, too_many_items,
                                       io_lib:format("The input has ~b items; the limit is ~b.", [Count, Max]));
        false -> check_functions(Req, Tenant, Body, Spec)
    end.

check_functions(Req, Tenant, Body, Spec) ->
    case pbcompute_registry:job_functions(Spec) of
        {error, Code, Detail} -> pbcompute_http:problem(Req, Code, Detail);
        {error, Code, Detail, Errors} -> pbcompute_http:problem(Req, Code, Detail, #{<<"errors">> => Errors}, []);
        {ok, Fns} ->
            case check_range_start(Spec, maps:get(main, Fns)) of
                {error, Errors} -> pbcompute_http:validation_failed(Req, Errors);
                ok -> create(Req, Tenant, Body, Spec, Fns)
            end
    end.

%% A range's values are only computed while running, so its first value is checked up front.
check_range_start(#{input := {range, Start, End, Step}}, Def) ->
    case pbcompute_request:range_count(Start, End, Step) of
        0 -> ok;
        _ -> pbcompute_registry:validate_input(Def, Start, <<"/input/range/start">>)
    end;
check_range_start(_, _) -> ok.

create(Req, Tenant, Body, Spec, Fns) ->
    case idempotency_key(pbcompute_http:header("idempotency-key", Req)) of
        error ->
            pbcompute_http:validation_failed(
              Req, [#{<<"path">> => <<"/Idempotency-Key">>, <<"message">> => <<"must be 1 to 255 characters">>}]);
        Key -> create(Req, Tenant, Body, Spec, Fns, Key)
    end.

create(Req, Tenant, Body, Spec, Fns, Key) ->
    case pbcompute_jobs:submit(Tenant, Spec, Fns, Key, Body) of
        {new, Id} -> respond_submitted(Req, Id, []);
        {replayed, Id} -> respond_submitted(Req, Id, [{"Idempotent-Replayed", "true"}]);
        {error, idempotency_key_conflict} ->
            pbcompute_http:problem(Req, idempotency_key_conflict,
                                   ["Idempotency-Key '", Key, "' was first used with a different body."]);
        {error, Busy} ->  % queue_full | shutting_down
            pbcompute_http:problem(Req, Busy, undefined, #{<<"retryAfterSeconds">> => 1}, [{"Retry-After", "1"}])
    end.

%% The spec's bounds for the header: 1 to 255 characters.
idempotency_key(undefined) -> undefined;
idempotency_key(Value) ->
    case unicode:characters_to_binary(Value) of
        Key when is_binary(Key), byte_size(Key) >= 1, length(Value) =< 255 -> Key;
        _ -> error
    end.

%% Prefer: wait=N waits for a terminal state (200 with the result) up to N s; otherwise 202.
respond_submitted(Req, Id, Extra) ->
    {Applied, WaitMs} = case parse_prefer(pbcompute_http:header("prefer", Req)) of
                            {wait, S} -> {[{"Preference-Applied", "wait=" ++ integer_to_list(S)}], S * 1000};
                            respond_async -> {[{"Preference-Applied", "respond-async"}], 0};
                            none -> {[], 0}
                        end,
    wait_terminal(Id, WaitMs),
    {ok, Job, Result, _} = pbcompute_store:lookup(Id),
    Headers = [{"Location", binary_to_list(<<"/v1/jobs/", Id/binary>>)} | Applied ++ Extra],
    case terminal(Job) of
        true when WaitMs > 0 -> pbcompute_http:json(Req, 200, with_result(Job, Result), Headers);
        _ -> pbcompute_http:json(Req, 202, Job, [{"Retry-After", "1"} | Headers])
    end.

with_result(Job, undefined) -> Job;
with_result(Job, Result) -> Job#{<<"result">> => Result}.

%% @doc RFC 7240 preferences we honour: `{wait, Seconds}` (capped), respond_async, or none.
%% wait wins when both are sent: the client still gets 202 if the wait runs out.
parse_prefer(undefined) -> none;
parse_prefer(Value) ->
    Prefs = [preference(P) || P <- string:split(Value, ",", all)],
    case {[S || {wait, S} <- Prefs], lists:member(respond_async, Prefs)} of
        {[S | _], _} -> {wait, min(S, ?MAX_WAIT_S)};
        {[], true} -> respond_async;
        {[], false} -> none
    end.

%% One preference, without its parameters (after ';').
preference(P) ->
    Token = string:lowercase(string:trim(hd(string:split(P, ";")))),
    case [string:trim(Part) || Part <- string:split(Token, "=")] of
        ["respond-async"] -> respond_async;
        ["wait", Seconds] ->
            try list_to_integer(string:trim(Seconds, both, "\"")) of
                S when S >= 0 -> {wait, S};
                _ -> ignored
            catch error:badarg -> ignored
            end;
        _ -> ignored
    end.

%% A runner exits when its job is terminal, so waiting is a monitor with a deadline.
wait_terminal(_, 0) -> ok;
wait_terminal(Id, Ms) ->
    case pbcompute_store:lookup(Id) of
        {ok, Job, _, Runner} ->
            case terminal(Job) of
                true -> ok;
                false ->
                    Ref = erlang:monitor(process, Runner),
                    receive {'DOWN', Ref, process, _, _} -> ok
                    after Ms -> erlang:demonitor(Ref, [flush]), ok
                    end
            end;
        not_found -> ok
    end.

terminal(#{<<"status">> := S}) -> lists:member(S, [<<"successful">>, <<"failed">>, <<"dismissed">>]).

%% GET /v1/jobs?status=&limit=&cursor= (the caller's jobs only)
list(Req, Tenant) ->
    Query = pbcompute_http:query(Req),
    Checks = [list_param(K, proplists:get_value(K, Query)) || K <- ["status", "limit", "cursor"]],
    case [E || {error, E} <- Checks] of
        [] ->
            [{ok, Status}, {ok, Limit}, {ok, Cursor}] = Checks,
            {Jobs, Next} = pbcompute_store:page(Tenant, Status, Limit, Cursor),
            NextCursor = case Next of undefined -> null; Seq -> pbcompute_store:encode_cursor(Seq) end,
            pbcompute_http:json(Req, 200, #{<<"jobs">> => Jobs, <<"nextCursor">> => NextCursor});
        Errors -> pbcompute_http:validation_failed(Req, Errors)
    end.

list_param("status", undefined) -> {ok, undefined};
list_param("status", S) ->
    case lists:member(S, ["accepted", "running", "successful", "failed", "dismissed"]) of
        true -> {ok, list_to_binary(S)};
        false -> {error, param_error("status", <<"must be equal to one of the allowed values">>)}
    end;
list_param("limit", undefined) -> {ok, 20};
list_param("limit", L) ->
    try list_to_integer(L) of
        N when N >= 1, N =< 100 -> {ok, N};
        N when N < 1 -> {error, param_error("limit", <<"must be >= 1">>)};
        _ -> {error, param_error("limit", <<"must be <= 100">>)}
    catch error:badarg -> {error, param_error("limit", <<"must be integer">>)}
    end;
list_param("cursor", undefined) -> {ok, undefined};
list_param("cursor", C) ->
    case pbcompute_store:decode_cursor(list_to_binary(C)) of
        {ok, Seq} -> {ok, Seq};
        error -> {error, param_error("cursor", <<"is not a cursor this server issued">>)}
    end.

%% Query parameters have no place in the body, so their pointer names the parameter.
param_error(Name, Message) -> #{<<"path">> => list_to_binary("/" ++ Name), <<"message">> => Message}.

%% GET /v1/jobs/{id}
get(Req, Tenant, Id) ->
    case pbcompute_store:lookup(Id, Tenant) of
        not_found -> job_not_found(Req, Id);
        {ok, Job, _, _} ->
            Headers = case terminal(Job) of true -> []; false -> [{"Retry-After", "1"}] end,
            pbcompute_http:json(Req, 200, Job, Headers)
    end.

%% GET /v1/jobs/{id}/result
result(Req, Tenant, Id) ->
    case pbcompute_store:lookup(Id, Tenant) of
        not_found -> job_not_found(Req, Id);
        {ok, #{<<"status">> := <<"successful">>}, Result, _} -> pbcompute_http:json(Req, 200, Result);
        {ok, #{<<"status">> := <<"failed">>} = Job, _, _} ->
            Error = maps:get(<<"error">>, Job, #{}),
            Extra = maps:with([<<"itemIndex">>], Error),
            pbcompute_http:problem(Req, job_failed, maps:get(<<"detail">>, Error, <<"The job failed.">>),
                                   Extra#{<<"jobId">> => Id}, []);
        {ok, #{<<"status">> := <<"dismissed">>}, _, _} ->
            pbcompute_http:problem(Req, job_dismissed, ["Job '", Id, "' was dismissed."], #{<<"jobId">> => Id}, []);
        {ok, #{<<"status">> := Status}, _, _} ->
            pbcompute_http:problem(Req, result_not_ready, ["Job '", Id, "' is ", Status, "."],
                                   #{<<"jobId">> => Id, <<"retryAfterSeconds">> => 1}, [{"Retry-After", "1"}])
    end.

%% DELETE /v1/jobs/{id}
cancel(Req, Tenant, Id) ->
    case pbcompute_jobs:cancel(Tenant, Id) of
        {ok, Job} -> pbcompute_http:json(Req, 200, Job);
        {error, job_not_found} -> job_not_found(Req, Id);
        {error, job_already_finished} ->
            pbcompute_http:problem(Req, job_already_finished, ["Job '", Id, "' already finished."],
                                   #{<<"jobId">> => Id}, [])
    end.

job_not_found(Req, Id) -> pbcompute_http:problem(Req, job_not_found, ["No job '", Id, "'."]).
