%% Optional bearer-token auth and the tenant of a request. With no tokens configured everyone
%% is the one shared tenant `public`. With tokens, every request but the open groups (health,
%% catalogue: POLYBRIDGE_AUTH_OPEN) needs `Authorization: Bearer <token>`, and the tenant is
%% that token's sha256 digest: jobs and Idempotency-Keys belong to it. pbcompute_web asks here
%% before routing, so a 401 comes before any body is read and for unknown routes too.
-module(pbcompute_auth).

-export([check/3, bearer/1, challenge/1]).

-export_type([tenant/0]).

%% public when auth is off (or for an open route); the token's sha256 digest otherwise.
-type tenant() :: public | binary().

%% @doc `{ok, Tenant}` or `{error, missing | invalid_token}` for a request to Segments
%% (the path split at "/", or `invalid` when the path could not be decoded).
-spec check(atom() | string(), [binary()] | invalid, term()) ->
          {ok, tenant()} | {error, missing | invalid_token}.
check(Method, Segments, Req) ->
    case pbcompute_config:get(auth_digests) of
        [] -> {ok, public};
        Digests ->
            case is_open(Method, Segments, pbcompute_config:get(auth_open)) of
                true -> {ok, public};
                false -> authenticate(pbcompute_http:header("authorization", Req), Digests)
            end
    end.

%% @doc The WWW-Authenticate value of a 401 (RFC 6750): a bare challenge when no credentials
%% came, `error="invalid_token"` when wrong or malformed ones did.
challenge(missing) -> "Bearer realm=\"polybridge\"";
challenge(invalid_token) -> "Bearer realm=\"polybridge\", error=\"invalid_token\"".

%% @doc The token of an Authorization header value (a string of bytes, as MochiWeb gives
%% headers): `{ok, Token}` or `error`. The scheme is case-insensitive.
-spec bearer(string()) -> {ok, binary()} | error.
bearer(Value) ->
    case string:split(string:trim(Value), " ") of
        [Scheme, Rest] ->
            case {string:lowercase(Scheme), string:trim(Rest)} of
                {"bearer", Token} when Token =/= "" -> {ok, list_to_binary(Token)};
                _ -> error
            end;
        _ -> error
    end.

%% The open groups: GET/HEAD /v1/health (health); GET/HEAD /v1/functions and
%% /v1/functions/{name} (catalogue). The contract itself (GET /v1/openapi.json and .yaml) is
%% always open, whatever POLYBRIDGE_AUTH_OPEN says.
is_open(Method, Segments, Open) when Method =:= 'GET'; Method =:= 'HEAD' ->
    case group(Segments) of
        undefined -> false;
        meta -> true;
        Group -> lists:member(Group, Open)
    end;
is_open(_, _, _) -> false.

group([<<>>, <<"v1">>, <<"health">>]) -> health;
group([<<>>, <<"v1">>, <<"openapi.json">>]) -> meta;
group([<<>>, <<"v1">>, <<"openapi.yaml">>]) -> meta;
group([<<>>, <<"v1">>, <<"functions">>]) -> catalogue;
group([<<>>, <<"v1">>, <<"functions">>, Name]) when Name =/= <<>> -> catalogue;
group(_) -> undefined.

authenticate(undefined, _) -> {error, missing};
authenticate(Value, Digests) ->
    case bearer(Value) of
        {ok, Token} -> match(crypto:hash(sha256, Token), Digests);
        error -> {error, invalid_token}
    end.

%% Constant time: equal-length digests compared with crypto:hash_equals/2, and every
%% configured token is compared, so the time says nothing about which one (nearly) matched.
match(Digest, Digests) ->
    lists:foldl(fun(D, Found) ->
                        case crypto:hash_equals(D, Digest) of
                            true -> {ok, D};
                            false -> Found
                        end
                end, {error, invalid_token}, Digests).
