%% JSON in and out (jiffy, maps with binary keys) plus the few JSON-level rules of the protocol:
%% nesting depth, compact text for messages, and the key order of mapreduce entries.
-module(pbcompute_json).

-export([decode/1, encode/1, depth_exceeds/2, compact/1, compare_keys/2, sort_entries/1]).

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
