%% JSON in and out (jiffy, maps with binary keys) plus the few JSON-level rules of the protocol:
%% nesting depth, compact text for messages, and the key order of mapreduce entries.
-module(pbcompute_json).

-export([decode/1, encode/1, double/1, js_numbers/1, depth_exceeds/2, compact/1, compare_keys/2, sort_entries/1]).

%% 2^53 - 1: the largest integer every double-based JSON stack holds exactly (I-JSON).
-define(MAX_SAFE, 9007199254740991).

%% @doc Parses a request body. Anything jiffy rejects (including invalid UTF-8) is invalid_json.
-spec decode(binary()) -> {ok, term()} | {error, invalid_json}.
decode(Bin) ->
    try jiffy:decode(Bin, [return_maps]) of
        Term -> {ok, Term}
    catch
        _:_ -> {error, invalid_json}
    end.

%% force_utf8: a stray invalid byte sequence (say, in a function's error message) is repaired
%% instead of failing the whole response.
-spec encode(term()) -> iodata().
encode(Term) -> jiffy:encode(Term, [force_utf8]).

%% @doc Function outputs as JSON.stringify would write them: every integral double below 1e21
%% becomes the integer JavaScript prints (`2.0` -> `2`, `1.801439877791744e16` ->
%% `18014398777917440`), so every stack writes the same text for the same double (jiffy would
%% write `2.0`). Applied where outputs are made (each chunk in its worker, each call), not in
%% encode/1, so a large result is not walked again on every response that carries it.
%%
%% Example: `js_numbers([2.0, 0.5])` is `[2, 0.5]`.
-spec js_numbers(term()) -> term().
js_numbers(F) when is_float(F), F == trunc(F), abs(F) < 1.0e21 -> js_integer(F);
js_numbers(L) when is_list(L) -> [js_numbers(X) || X <- L];
js_numbers(M) when is_map(M) -> maps:map(fun(_, V) -> js_numbers(V) end, M);
js_numbers(X) -> X.

%% @doc A number as the protocol computes with it (IEEE-754 doubles, RFC 7493): an integer
%% beyond +-(2^53 - 1) becomes the nearest double; anything else is returned unchanged.
%% Arithmetic functions wrap operands and results: `double(double(X) * double(X))`.
%%
%% Raises `{non_finite, <<"Infinity">> | <<"-Infinity">>}` for an integer no double holds.
%%
%% Example: `double(18014398777917441)` is `1.801439877791744e16`.
-spec double(term()) -> term().
double(N) when is_integer(N), (N > ?MAX_SAFE orelse N < -?MAX_SAFE) ->
    try float(N)
    catch error:badarg ->
            %% Beyond the largest double: JavaScript's Infinity, which JSON cannot carry.
            %% pbcompute_registry reports it as a non-finite result of the function.
            erlang:error({non_finite, case N > 0 of true -> <<"Infinity">>; false -> <<"-Infinity">> end})
    end;
double(X) -> X.

%% The integer JavaScript prints for an integral double: exact below 2^53; above, the shortest
%% round-trip digits padded with zeros (2^60 prints as 1152921504606847000).
js_integer(F) when abs(F) =< ?MAX_SAFE -> trunc(F);
js_integer(F) ->
    {Mantissa, Exp} = case string:split(float_to_list(F, [short]), "e") of
                          [M0, E] -> {M0, E};
                          [M0] -> {M0, "0"}
                      end,
    {Sign, Digits0} = case Mantissa of
                          "-" ++ M -> {-1, M};
                          M -> {1, M}
                      end,
    {Int, Frac} = case string:split(Digits0, ".") of
                      [I, Fr] -> {I, Fr};
                      [I] -> {I, ""}
                  end,
    Zeros = list_to_integer(Exp) - length(Frac),
    Sign * list_to_integer(Int ++ Frac) * pow10(Zeros).

pow10(N) when N =< 0 -> 1;
pow10(N) -> 10 * pow10(N - 1).

%% @doc True when Term nests more than Max arrays/objects (a scalar has depth 0, `[]` 1).
%% Stops descending at the limit, so a hostile body costs O(size) at worst.
-spec depth_exceeds(term(), non_neg_integer()) -> boolean().
depth_exceeds(Term, Max) -> depth(Term, Max) < 0.

depth(List, Left) when is_list(List) -> nested(List, Left - 1);
depth(Map, Left) when is_map(Map) -> nested(maps:values(Map), Left - 1);
depth(_, Left) -> Left.

nested(_, Left) when Left < 0 -> Left;
nested([], Left) -> Left;
nested([H | T], Left) ->
    case depth(H, Left) of
        L when L < 0 -> L;
        _ -> nested(T, Left)
    end.

%% @doc Compact JSON text as a binary, e.g. for `fail: "boom"` messages.
-spec compact(term()) -> binary().
compact(Term) -> iolist_to_binary(encode(Term)).

%% @doc Mapreduce key order: numbers before strings, numbers ascending, strings by UTF-16 code
%% unit (as JavaScript sorts them; UTF-8 byte order differs above U+FFFF).
-spec compare_keys(number() | binary(), number() | binary()) -> boolean().
compare_keys(A, B) when is_number(A), is_number(B) -> A =< B;
compare_keys(A, _) when is_number(A) -> true;
compare_keys(_, B) when is_number(B) -> false;
compare_keys(A, B) -> utf16(A) =< utf16(B).

utf16(Bin) ->
    case unicode:characters_to_binary(Bin, utf8, utf16) of
        Utf16 when is_binary(Utf16) -> Utf16;
        _ -> Bin
    end.

%% @doc Sorts `{Key, Value}` pairs by key and returns them as JSON `[key, value]` arrays.
-spec sort_entries([{term(), term()}]) -> [[term()]].
sort_entries(Pairs) ->
    [[K, V] || {K, V} <- lists:sort(fun({A, _}, {B, _}) -> compare_keys(A, B) end, Pairs)].
