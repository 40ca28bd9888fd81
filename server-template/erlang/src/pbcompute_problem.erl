%% RFC 9457 problem details with the protocol's closed list of codes (spec ErrorCode).
%% One table maps each code to its HTTP status and title, so no handler invents a status.
-module(pbcompute_problem).

-export([new/1, new/2, new/3, status/1, title/1, codes/0]).

-define(TYPE_BASE, "https://polybridge.dev/problems/").

%% {code, HTTP status, title}. Job error codes (the last five) carry the status that best
%% describes them; they only appear inside `Job.error` and SSE `error` events. The titles of the
%% codes added with auth follow the spec's x-problems table.
table() ->
    [{invalid_json, 400, <<"Invalid JSON">>},
     {malformed_request, 400, <<"Malformed HTTP request">>},
     {unauthorized, 401, <<"Authentication required">>},
     {request_timeout, 408, <<"Request timed out">>},
     {rate_limited, 429, <<"Too many requests">>},
     {headers_too_large, 431, <<"Request headers too large">>},
     {validation_failed, 400, <<"Request validation failed">>},
     {nesting_too_deep, 400, <<"JSON nested too deep">>},
     {function_kind_mismatch, 400, <<"Function kind mismatch">>},
     {not_found, 404, <<"Not found">>},
     {function_not_found, 404, <<"Function not found">>},
     {job_not_found, 404, <<"Job not found">>},
     {method_not_allowed, 405, <<"Method not allowed">>},
     {result_not_ready, 409, <<"Result not ready">>},
     {job_failed, 409, <<"Job failed">>},
     {job_dismissed, 409, <<"Job dismissed">>},
     {job_already_finished, 409, <<"Job already finished">>},
     {payload_too_large, 413, <<"Payload too large">>},
     {too_many_items, 413, <<"Too many items">>},
     {unsupported_media_type, 415, <<"Unsupported media type">>},
     {idempotency_key_conflict, 422, <<"Idempotency key reused with a different request">>},
     {function_failed, 422, <<"Function failed">>},
     {internal_error, 500, <<"Internal server error">>},
     {queue_full, 503, <<"Job queue is full">>},
     {shutting_down, 503, <<"Server is shutting down">>},
     {call_timeout, 504, <<"Call timed out">>},
     {item_failed, 422, <<"Item failed">>},
     {job_timeout, 504, <<"Job timed out">>},
     {job_cancelled, 409, <<"Job cancelled">>},
     {worker_crashed, 500, <<"Worker crashed">>},
     {result_too_large, 413, <<"Result too large">>}].

codes() -> [Code || {Code, _, _} <- table()].

status(Code) -> element(2, lists:keyfind(Code, 1, table())).

title(Code) -> element(3, lists:keyfind(Code, 1, table())).

%% @doc A problem map ready for JSON: type, title, status, code (+ detail, + extra fields).
new(Code) -> new(Code, undefined, #{}).

new(Code, Detail) -> new(Code, Detail, #{}).

new(Code, Detail, Extra) when is_atom(Code), is_map(Extra) ->
    CodeBin = atom_to_binary(Code),
    Base = #{<<"type">> => <<?TYPE_BASE, CodeBin/binary>>,
             <<"title">> => title(Code),
             <<"status">> => status(Code),
             <<"code">> => CodeBin},
    WithDetail = case Detail of
                     undefined -> Base;
                     _ -> Base#{<<"detail">> => iolist_to_binary(Detail)}
                 end,
    maps:merge(WithDetail, Extra).
