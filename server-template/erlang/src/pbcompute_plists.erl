%% The plists half of the engine, free of processes so it can be unit tested: how a job's
%% input is cut into chunks, what one chunk computes, and how chunk partials merge into the
%% job's result. pbcompute_job_runner runs chunks in processes and feeds partials back here.
-module(pbcompute_plists).

-export([source/1, total/1, chunk_count/2, default_chunk_size/2, chunk/3,
         run_chunk/4, run_chunk_for/5, new_acc/1, merge/4, finish/3]).

-type source() :: {items, tuple(), non_neg_integer()}
                | {range, integer(), integer(), non_neg_integer()}.
-type kind() :: map | filter | fold | mapreduce.
%% main: the function named by the job; reducer: mapreduce's per-key reducer.
-type fns() :: #{main := map(), reducer => map()}.
-export_type([source/0, kind/0, fns/0]).

%% @doc The input as something cheap to slice: a tuple for items (O(1) element access), or
%% the range arithmetic, so a 10^8 range never exists as a list.
-spec source({items, list()} | {range, integer(), integer(), integer()}) -> source().
source({items, Items}) -> {items, list_to_tuple(Items), length(Items)};
source({range, Start, End, Step}) -> {range, Start, Step, pbcompute_request:range_count(Start, End, Step)}.

total({items, _, N}) -> N;
total({range, _, _, N}) -> N.

chunk_count(0, _) -> 0;
chunk_count(Total, ChunkSize) -> (Total + ChunkSize - 1) div ChunkSize.

%% @doc Items per chunk when the client gave none: about four chunks per concurrent slot, so
%% a slow chunk does not idle the others, capped so progress stays visible on big inputs.
default_chunk_size(Total, Concurrency) ->
    max(1, min(10000, (Total + 4 * Concurrency - 1) div (4 * Concurrency))).

%% @doc Chunk number Index (0-based): `{IndexOfFirstItem, Items}`.
-spec chunk(source(), pos_integer(), non_neg_integer()) -> {non_neg_integer(), list()}.
chunk(Source, ChunkSize, Index) ->
    First = Index * ChunkSize,
    Last = min(First + ChunkSize, total(Source)) - 1,
    {First, [item(Source, I) || I <- lists:seq(First, Last)]}.

item({items, Tuple, _}, I) -> element(I + 1, Tuple);
item({range, Start, Step, _}, I) -> Start + I * Step.

%% @doc Computes one chunk. The first invalid or failing item stops it:
%% `{item_failed, IndexInJobInput, Message}`.
-spec run_chunk(kind(), fns(), non_neg_integer(), list()) ->
          {ok, term()} | {item_failed, non_neg_integer(), binary()}.
run_chunk(map, #{main := F}, First, Items) ->
    each(F, First, Items, [], fun(_, Out, Acc) -> {ok, [pbcompute_json:js_numbers(Out) | Acc]} end,
         fun lists:reverse/1,
         fun pbcompute_registry:apply_unary/2);
run_chunk(filter, #{main := F}, First, Items) ->
    Keep = fun(X, true, Acc) -> {ok, [pbcompute_json:js_numbers(X) | Acc]};
              (_, false, Acc) -> {ok, Acc};
              (_, Other, _) -> {error, <<"filter function must return a boolean, got ",
                                        (pbcompute_json:compact(Other))/binary>>}
           end,
    each(F, First, Items, [], Keep, fun lists:reverse/1, fun pbcompute_registry:apply_unary/2);
run_chunk(fold, #{main := R}, First, Items) ->
    Step = fun(X, _, Acc) -> pbcompute_registry:step(R, Acc, X) end,
    each(R, First, Items, pbcompute_registry:identity(R), Step, fun(A) -> A end,
         fun(_, _) -> {ok, unused} end);
run_chunk(mapreduce, #{main := E, reducer := R}, First, Items) ->
    Identity = pbcompute_registry:identity(R),
    Fold = fun(_, Pairs, Acc) -> fold_pairs(R, Identity, Pairs, Acc) end,
    each(E, First, Items, #{}, Fold, fun(A) -> A end, fun pbcompute_registry:emit/2).

%% @doc A chunk worker's body, on this node or another: computes the chunk and sends the
%% outcome to the job's runner as `{chunk_done, self(), Outcome}`. Fns are definitions, or
%% (from another node) the function names, resolved in this node's registry.
-spec run_chunk_for(pid(), kind(), fns() | #{atom() => binary()}, non_neg_integer(), list()) -> term().
run_chunk_for(Runner, Kind, Fns, First, Items) ->
    Defs = maps:map(fun(_, Name) when is_binary(Name) ->
                            case pbcompute_registry:find(Name) of
                                {ok, Def} -> Def;
                                not_found -> exit({function_not_on_node, Name, node()})
                            end;
                       (_, Def) -> Def
                    end, Fns),
    Runner ! {chunk_done, self(), run_chunk(Kind, Defs, First, Items)}.

%% The shared item loop: validate, Call, then Accumulate; stop at the first error.
each(_, _, [], Acc, _, Done, _) -> {ok, Done(Acc)};
each(Def, Index, [X | Rest], Acc, Accumulate, Done, Call) ->
    Result = case pbcompute_registry:validate_input(Def, X, <<>>) of
                 ok ->
                     case Call(Def, X) of
                         {ok, Out} -> Accumulate(X, Out, Acc);
                         {error, _} = E -> E
                     end;
                 {error, Errors} ->
                     {error, <<"invalid input: ", (pbcompute_schema:format_errors(Errors))/binary>>}
             end,
    case Result of
        {ok, Acc1} -> each(Def, Index + 1, Rest, Acc1, Accumulate, Done, Call);
        {error, Message} -> {item_failed, Index, Message}
    end.

fold_pairs(_, _, [], Acc) -> {ok, Acc};
fold_pairs(R, Identity, [[Key, Value] | Rest], Acc) ->
    K = normal_key(Key),
    case pbcompute_registry:step(R, maps:get(K, Acc, Identity), Value) of
        {ok, V} -> fold_pairs(R, Identity, Rest, Acc#{K => V});
        Error -> Error
    end.

%% 2.0 and 2 are the same JSON key.
normal_key(K) when is_float(K), K == trunc(K) -> trunc(K);
normal_key(K) -> K.

%% @doc The empty merge state of a job.
new_acc(map) -> #{};
new_acc(filter) -> #{};
new_acc(fold) -> none;
new_acc(mapreduce) -> #{}.

%% @doc Folds one chunk's partial into the job's state. map/filter keep partials by chunk
%% number (order is restored at the end); fold and mapreduce combine at once.
-spec merge(kind(), fns(), term(), {non_neg_integer(), term()}) -> {ok, term()} | {error, binary()}.
merge(Kind, _, Acc, {Index, Items}) when Kind =:= map; Kind =:= filter -> {ok, Acc#{Index => Items}};
merge(fold, _, none, {_, Partial}) -> {ok, {value, Partial}};
merge(fold, #{main := R}, {value, V}, {_, Partial}) ->
    case pbcompute_registry:combine(R, V, Partial) of
        {ok, V1} -> {ok, {value, V1}};
        Error -> Error
    end;
merge(mapreduce, #{reducer := R}, Acc, {_, Partial}) ->
    maps:fold(fun(_, _, {error, _} = E) -> E;
                 (K, V, {ok, A}) ->
                      case maps:find(K, A) of
                          error -> {ok, A#{K => V}};
                          {ok, Old} ->
                              case pbcompute_registry:combine(R, Old, V) of
                                  {ok, New} -> {ok, A#{K => New}};
                                  Error -> Error
                              end
                      end
              end, {ok, Acc}, Partial).

%% @doc The JobResult of a finished job.
finish(Kind, _, Acc) when Kind =:= map; Kind =:= filter ->
    Items = lists:append([Part || {_, Part} <- lists:keysort(1, maps:to_list(Acc))]),
    #{<<"kind">> => atom_to_binary(Kind), <<"items">> => Items};
finish(fold, #{main := R}, none) ->
    #{<<"kind">> => <<"fold">>, <<"value">> => pbcompute_json:js_numbers(pbcompute_registry:identity(R))};
finish(fold, _, {value, V}) ->
    #{<<"kind">> => <<"fold">>, <<"value">> => pbcompute_json:js_numbers(V)};
finish(mapreduce, _, Acc) ->
    Entries = pbcompute_json:sort_entries(maps:to_list(Acc)),
    #{<<"kind">> => <<"mapreduce">>, <<"entries">> => pbcompute_json:js_numbers(Entries)}.
