%% The function catalogue built from pbcompute_functions:functions/0: definitions are checked
%% once at boot (a typo fails the start, not the first request), schemas normalised to jiffy
%% terms, and every invocation wrapped so a raising function becomes `{error, Message}`.
-module(pbcompute_registry).

-export([load/0, all/0, find/1, info/1, job_functions/1,
         validate_input/3, invoke/2, apply_unary/2, step/3, combine/3, emit/2, identity/1,
         error_message/2, normalize_schema/1, name_pattern/0]).

-define(KEY, {?MODULE, functions}).
-define(NAME_RE, "^[A-Za-z][A-Za-z0-9_.-]{0,63}$").

%% @doc Checks and stores the definitions; raises with a readable reason on a bad one.
load() ->
    Defs = [check(D) || D <- pbcompute_functions:functions()],
    Names = [maps:get(name, D) || D <- Defs],
    case Names -- lists:usort(Names) of
        [] -> ok;
        Dups -> erlang:error({duplicate_function_names, lists:usort(Dups)})
    end,
    Sorted = lists:sort(fun(A, B) -> maps:get(name, A) =< maps:get(name, B) end, Defs),
    persistent_term:put(?KEY, {Sorted, maps:from_list([{maps:get(name, D), D} || D <- Sorted])}),
    ok.

all() -> element(1, loaded()).

%% @doc The spec's FunctionName pattern (also checked on the `{name}` path parameter).
name_pattern() -> ?NAME_RE.

find(Name) ->
    case maps:find(Name, element(2, loaded())) of
        {ok, Def} -> {ok, Def};
        error -> not_found
    end.

loaded() ->
    case persistent_term:get(?KEY, undefined) of
        undefined -> load(), persistent_term:get(?KEY);
        Loaded -> Loaded
    end.

%% @doc The functions a job spec names, checked for existence and kind:
%% `{ok, #{main => Def, reducer => Def}}`, `{error, function_not_found, Detail}` or
%% `{error, function_kind_mismatch, Detail, Errors}` (Errors: the problem's `errors` member).
job_functions(#{kind := Kind, function := Name} = Spec) ->
    Needed = case Kind of
                 mapreduce -> [{main, Name, emitter}, {reducer, maps:get(reducer, Spec), reducer}];
                 fold -> [{main, Name, reducer}];
                 _ -> [{main, Name, unary}]  % map, filter
             end,
    resolve(Needed, #{}).

resolve([], Fns) -> {ok, Fns};
resolve([{Role, Name, Kind} | Rest], Fns) ->
    case find(Name) of
        not_found -> {error, function_not_found, ["No function '", Name, "'."]};
        {ok, #{kind := Kind} = Def} -> resolve(Rest, Fns#{Role => Def});
        {ok, #{kind := Other}} ->
            Message = io_lib:format("~ts is a ~s function; this job needs a ~s.", [Name, Other, Kind]),
            %% The member that names the wrong function: /function, or /reducer of a mapreduce.
            Path = case Role of main -> <<"/function">>; reducer -> <<"/reducer">> end,
            {error, function_kind_mismatch, Message,
             [#{<<"path">> => Path, <<"message">> => iolist_to_binary(Message)}]}
    end.

%% @doc The catalogue entry (FunctionInfo) of a definition.
info(#{name := Name, kind := Kind, description := Description, input := In, output := Out} = Def) ->
    Base = #{<<"name">> => Name, <<"kind">> => atom_to_binary(Kind),
             <<"description">> => Description, <<"inputSchema">> => In, <<"outputSchema">> => Out},
    case Kind of
        reducer -> Base#{<<"identity">> => maps:get(identity, Def)};
        _ -> Base
    end.

%% @doc Validates one input (a reducer's: one item) with errors under Path.
validate_input(#{input := Schema}, Value, Path) -> pbcompute_schema:validate(Schema, Value, Path).

%% @doc A synchronous call: unary and emitter take the input, a reducer `[acc, item]`.
%% The input has been validated (see pbcompute_api_functions).
invoke(#{kind := unary} = Def, Input) -> apply_unary(Def, Input);
invoke(#{kind := emitter} = Def, Input) -> emit(Def, Input);
invoke(#{kind := reducer} = Def, [Acc, Item]) -> step(Def, Acc, Item).

apply_unary(#{run := Run} = Def, X) -> guarded(Def, fun() -> Run(X) end).

step(#{step := Step} = Def, Acc, X) -> guarded(Def, fun() -> Step(Acc, X) end).

combine(#{combine := Combine} = Def, A, B) -> guarded(Def, fun() -> Combine(A, B) end).

identity(#{identity := Identity}) -> Identity.

%% @doc Runs an emitter and checks its output is `[[Key, Value], ...]` with string/number keys.
emit(#{run := Run, name := Name} = Def, X) ->
    case guarded(Def, fun() -> Run(X) end) of
        {ok, Pairs} when is_list(Pairs) ->
            case lists:all(fun is_pair/1, Pairs) of
                true -> {ok, Pairs};
                false -> {error, <<Name/binary, " must emit [key, value] pairs with string or number keys">>}
            end;
        {ok, _} -> {error, <<Name/binary, " must emit a list of [key, value] pairs">>};
        Error -> Error
    end.

is_pair([K, _]) -> is_binary(K) orelse is_number(K);
is_pair(_) -> false.

guarded(#{name := Name}, Fun) ->
    try {ok, Fun()}
    catch
        error:badarith:Stack ->
            case non_finite(Stack) of
                {true, Value} -> {error, non_finite_message(Name, Value)};
                false -> {error, error_message(error, badarith)}
            end;
        error:{non_finite, Value} when is_binary(Value) -> {error, non_finite_message(Name, Value)};
        Class:Reason -> {error, error_message(Class, Reason)}
    end.

%% Erlang floats have no Infinity or NaN: an operation that would make one raises badarith
%% instead, so a result JSON could not carry never exists. When the failing operation is on top
%% of the stack with its arguments, a badarith of numbers is an overflow (`+ - *`: the sign is
%% known; a math function: it is not) and one of a non-number is a plain type error. Float
%% instructions (`/`, arithmetic with a float literal) report only the calling function: such
%% a badarith is taken as an overflow or a division by zero, since inputs were validated.
%% `div`/`rem` by zero stay plain errors.
non_finite([{erlang, Op, [A, B], _} | _]) when is_number(A), is_number(B) ->
    case Op of
        '*' -> {true, infinity(sign(A) * sign(B))};
        '+' -> {true, infinity(larger(A, B))};
        '-' -> {true, infinity(larger(A, -B))};
        _ -> false  % div, rem, bsl, ...
    end;
non_finite([{erlang, _, _, _} | _]) -> false;
non_finite([{math, _, Args, _} | _]) when is_list(Args) ->
    case lists:all(fun is_number/1, Args) of
        true -> {true, undefined};
        false -> false
    end;
non_finite([{_, _, Arity, _} | _]) when is_integer(Arity) -> {true, undefined};  % a float instruction
non_finite(_) -> false.

sign(X) when X < 0 -> -1;
sign(_) -> 1.

%% The sign of an overflowing sum is the sign of its larger term.
larger(A, B) when abs(A) >= abs(B) -> sign(A);
larger(_, B) -> sign(B).

infinity(1) -> <<"Infinity">>;
infinity(-1) -> <<"-Infinity">>.

%% The message of a function whose result JSON cannot carry, as every polybridge stack words it.
non_finite_message(Name, undefined) ->
    <<Name/binary, " returned a non-finite number (an overflow or a division by zero),"
      " which JSON cannot represent">>;
non_finite_message(Name, Value) ->
    <<Name/binary, " returned a non-finite number (", Value/binary, "), which JSON cannot represent">>.

%% @doc The text a caller sees for a raised function: a binary/string reason as is,
%% anything else printed as an Erlang term.
error_message(_, Reason) when is_binary(Reason) -> Reason;
error_message(_, Reason) when is_list(Reason) ->
    try unicode:characters_to_binary(Reason) of
        Bin when is_binary(Bin) -> Bin;
        _ -> printed(Reason)
    catch _:_ -> printed(Reason)
    end;
error_message(exit, Reason) -> <<"exit: ", (printed(Reason))/binary>>;
error_message(_, Reason) -> printed(Reason).

printed(Term) -> unicode:characters_to_binary(io_lib:format("~0tp", [Term])).

%% @doc Atom-friendly schema syntax to jiffy terms: keys and atom values become binaries,
%% except the JSON literals true/false/null; under `type`, null is the type name "null".
normalize_schema(Map) when is_map(Map) ->
    maps:from_list([{key(K), normalize_value(key(K), V)} || {K, V} <- maps:to_list(Map)]);
normalize_schema(List) when is_list(List) -> [normalize_schema(V) || V <- List];
normalize_schema(Literal) when Literal =:= true; Literal =:= false; Literal =:= null -> Literal;
normalize_schema(Atom) when is_atom(Atom) -> atom_to_binary(Atom);
normalize_schema(Other) -> Other.

normalize_value(<<"type">>, Types) when is_list(Types) -> [type_name(T) || T <- Types];
normalize_value(<<"type">>, Type) -> type_name(Type);
normalize_value(_, V) -> normalize_schema(V).

type_name(T) when is_atom(T) -> atom_to_binary(T);
type_name(T) -> T.

key(K) when is_atom(K) -> atom_to_binary(K);
key(K) -> K.

%% Definition checks ---------------------------------------------------------------------

check(#{name := Name, kind := Kind} = Def) when is_binary(Name) ->
    re:run(Name, ?NAME_RE, [{capture, none}]) =:= match
        orelse erlang:error({bad_function_name, Name}),
    lists:member(Kind, [unary, reducer, emitter])
        orelse erlang:error({bad_function_kind, Name, Kind}),
    [erlang:error({missing_field, Name, F}) || F <- required(Kind), not maps:is_key(F, Def)],
    [erlang:error({bad_arity, Name, F, A})
     || {F, A} <- arities(Kind), not is_function(maps:get(F, Def), A)],
    Def#{description => iolist_to_binary(maps:get(description, Def, <<>>)),
         input => normalize_schema(maps:get(input, Def, #{})),
         output => normalize_schema(maps:get(output, Def, #{}))};
check(Def) -> erlang:error({bad_function_definition, Def}).

required(reducer) -> [identity, step, combine];
required(_) -> [run].

arities(reducer) -> [{step, 2}, {combine, 2}];
arities(_) -> [{run, 1}].
