%% A small JSON Schema validator: the subset polybridge functions and requests need.
%% Keywords: type (incl. integer vs number, or a list of types), enum, const, not,
%% minimum/maximum, exclusiveMinimum/exclusiveMaximum, minLength/maxLength, pattern,
%% items, minItems/maxItems, properties, required, additionalProperties (bool or schema).
%% Other keywords (description, default, title, ...) are ignored, as JSON Schema says.
%% Errors are `#{path => JSONPointer, message => Text}` with Ajv-like messages, so every
%% polybridge stack words them the same way.
-module(pbcompute_schema).

-export([validate/2, validate/3, pointer/2, format_errors/1]).

-type error() :: #{binary() => binary()}.
-export_type([error/0]).

%% @doc Validates Value against Schema; paths start at the root ("").
-spec validate(map() | boolean(), term()) -> ok | {error, [error()]}.
validate(Schema, Value) -> validate(Schema, Value, <<>>).

%% @doc Validates with paths under Base (e.g. `<<"/input">>`).
-spec validate(map() | boolean(), term(), binary()) -> ok | {error, [error()]}.
validate(Schema, Value, Base) ->
    case check(Schema, Value, Base) of
        [] -> ok;
        Errors -> {error, Errors}
    end.

%% @doc Appends one reference token to a JSON Pointer, escaping `~` and `/` (RFC 6901).
-spec pointer(binary(), binary() | integer()) -> binary().
pointer(Base, Index) when is_integer(Index) -> <<Base/binary, "/", (integer_to_binary(Index))/binary>>;
pointer(Base, Key) ->
    Escaped = binary:replace(binary:replace(Key, <<"~">>, <<"~0">>, [global]), <<"/">>, <<"~1">>, [global]),
    <<Base/binary, "/", Escaped/binary>>.

%% @doc One line for humans: "/a must be integer; /b must be >= 1".
-spec format_errors([error()]) -> binary().
format_errors(Errors) ->
    Lines = [case P of <<>> -> M; _ -> <<P/binary, " ", M/binary>> end
             || #{<<"path">> := P, <<"message">> := M} <- Errors],
    iolist_to_binary(lists:join(<<"; ">>, Lines)).

check(true, _, _) -> [];
check(false, _, Path) -> [err(Path, <<"must NOT be present">>)];
check(Schema, Value, Path) when is_map(Schema) ->
    case check_type(Schema, Value, Path) of
        [] -> lists:append([Check(Schema, Value, Path) || Check <- keyword_checks()]);
        TypeErrors -> TypeErrors  % the other keywords make no sense for a value of the wrong type
    end.

keyword_checks() ->
    [fun check_enum/3, fun check_const/3, fun check_not/3, fun check_number/3,
     fun check_string/3, fun check_array/3, fun check_object/3].

check_type(#{<<"type">> := Types}, Value, Path) when is_list(Types) ->
    case lists:any(fun(T) -> is_type(T, Value) end, Types) of
        true -> [];
        false -> [err(Path, ["must be ", lists:join(",", [type_text(T) || T <- Types])])]
    end;
check_type(#{<<"type">> := Type}, Value, Path) ->
    case is_type(Type, Value) of
        true -> [];
        false -> [err(Path, ["must be ", type_text(Type)])]
    end;
check_type(_, _, _) -> [].

type_text(T) when is_binary(T) -> T;
type_text(T) -> pbcompute_json:compact(T).  % a malformed schema still yields a message

%% JSON Schema counts 2.0 as an integer; JSON has no separate integer type.
is_type(<<"integer">>, V) when is_integer(V) -> true;
is_type(<<"integer">>, V) when is_float(V) -> V == trunc(V);
is_type(<<"number">>, V) -> is_number(V);
is_type(<<"string">>, V) -> is_binary(V);
is_type(<<"boolean">>, V) -> is_boolean(V);
is_type(<<"null">>, V) -> V =:= null;
is_type(<<"array">>, V) -> is_list(V);
is_type(<<"object">>, V) -> is_map(V);
is_type(_, _) -> false.

check_enum(#{<<"enum">> := Allowed}, Value, Path) ->
    case lists:any(fun(A) -> json_equal(A, Value) end, Allowed) of
        true -> [];
        false -> [err(Path, <<"must be equal to one of the allowed values">>)]
    end;
check_enum(_, _, _) -> [].

check_const(#{<<"const">> := Const}, Value, Path) ->
    case json_equal(Const, Value) of
        true -> [];
        false -> [err(Path, <<"must be equal to constant">>)]
    end;
check_const(_, _, _) -> [].

check_not(#{<<"not">> := Sub}, Value, Path) ->
    case check(Sub, Value, Path) of
        [] -> [err(Path, <<"must NOT be valid">>)];
        _ -> []
    end;
check_not(_, _, _) -> [].

%% == makes 1 and 1.0 equal, as JSON numbers are; in maps and lists it applies element-wise.
json_equal(A, B) -> A == B.

check_number(Schema, V, Path) when is_number(V) ->
    Bounds = [{<<"minimum">>, fun(X, L) -> X >= L end, <<">=">>},
              {<<"maximum">>, fun(X, L) -> X =< L end, <<"<=">>},
              {<<"exclusiveMinimum">>, fun(X, L) -> X > L end, <<">">>},
              {<<"exclusiveMaximum">>, fun(X, L) -> X < L end, <<"<">>}],
    [err(Path, ["must be ", Op, " ", number_text(Limit)])
     || {Key, Ok, Op} <- Bounds, Limit <- [maps:get(Key, Schema, undefined)],
        is_number(Limit), not Ok(V, Limit)];
check_number(_, _, _) -> [].

check_string(Schema, V, Path) when is_binary(V) ->
    CodePoints = code_points(V),  % JSON Schema counts code points, not bytes or graphemes
    Min = maps:get(<<"minLength">>, Schema, undefined),
    Max = maps:get(<<"maxLength">>, Schema, undefined),
    [err(Path, ["must NOT have fewer than ", integer_to_binary(Min), " characters"])
     || is_integer(Min), CodePoints < Min] ++
    [err(Path, ["must NOT have more than ", integer_to_binary(Max), " characters"])
     || is_integer(Max), CodePoints > Max] ++
    check_pattern(maps:get(<<"pattern">>, Schema, undefined), V, Path);
check_string(_, _, _) -> [].

code_points(V) ->
    case unicode:characters_to_list(V) of
        L when is_list(L) -> length(L);
        _ -> byte_size(V)
    end.

check_pattern(undefined, _, _) -> [];
check_pattern(Pattern, V, Path) ->
    case re:run(V, Pattern, [unicode, ucp, {capture, none}]) of
        match -> [];
        nomatch -> [err(Path, ["must match pattern \"", Pattern, "\""])]
    end.

check_array(Schema, V, Path) when is_list(V) ->
    Min = maps:get(<<"minItems">>, Schema, undefined),
    Max = maps:get(<<"maxItems">>, Schema, undefined),
    Len = length(V),
    [err(Path, ["must NOT have fewer than ", integer_to_binary(Min), " items"]) || is_integer(Min), Len < Min] ++
    [err(Path, ["must NOT have more than ", integer_to_binary(Max), " items"]) || is_integer(Max), Len > Max] ++
    case maps:get(<<"items">>, Schema, undefined) of
        undefined -> [];
        Items ->
            {Errors, _} = lists:foldl(fun(Item, {Acc, I}) ->
                                              {[check(Items, Item, pointer(Path, I)) | Acc], I + 1}
                                      end, {[], 0}, V),
            lists:append(lists:reverse(Errors))
    end;
check_array(_, _, _) -> [].

check_object(Schema, V, Path) when is_map(V) ->
    Props = maps:get(<<"properties">>, Schema, #{}),
    %% The pointer names the missing member itself (`/input`), not the object lacking it.
    Required = [err(pointer(Path, Key), ["must have required property '", Key, "'"])
                || Key <- maps:get(<<"required">>, Schema, []), not maps:is_key(Key, V)],
    Keys = lists:sort(maps:keys(V)),
    Known = lists:append([check(maps:get(K, Props), maps:get(K, V), pointer(Path, K))
                          || K <- Keys, maps:is_key(K, Props)]),
    Extra = [K || K <- Keys, not maps:is_key(K, Props)],
    Additional =
        case maps:get(<<"additionalProperties">>, Schema, true) of
            true -> [];
            false -> [err(pointer(Path, K), <<"must NOT have additional properties">>) || K <- Extra];
            Sub -> lists:append([check(Sub, maps:get(K, V), pointer(Path, K)) || K <- Extra])
        end,
    Required ++ Known ++ Additional;
check_object(_, _, _) -> [].

number_text(N) when is_integer(N) -> integer_to_binary(N);
number_text(N) -> float_to_binary(N, [short]).

err(Path, Message) -> #{<<"path">> => Path, <<"message">> => iolist_to_binary(Message)}.
