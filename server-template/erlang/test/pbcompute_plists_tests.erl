%% Chunking, one chunk of each job kind, merging partials, and the JSON helpers they use.
-module(pbcompute_plists_tests).
-include_lib("eunit/include/eunit.hrl").

fn(Name) -> {ok, Def} = pbcompute_registry:find(Name), Def.

chunking_test_() ->
    Items = pbcompute_plists:source({items, [a, b, c, d, e]}),
    Up = pbcompute_plists:source({range, 0, 10, 3}),       % 0 3 6 9
    Down = pbcompute_plists:source({range, 5, 0, -2}),     % 5 3 1
    [?_assertEqual(5, pbcompute_plists:total(Items)),
     ?_assertEqual(3, pbcompute_plists:chunk_count(5, 2)),
     ?_assertEqual(0, pbcompute_plists:chunk_count(0, 7)),
     ?_assertEqual({0, [a, b]}, pbcompute_plists:chunk(Items, 2, 0)),
     ?_assertEqual({4, [e]}, pbcompute_plists:chunk(Items, 2, 2)),
     ?_assertEqual(4, pbcompute_plists:total(Up)),
     ?_assertEqual({2, [6, 9]}, pbcompute_plists:chunk(Up, 2, 1)),
     ?_assertEqual({0, [5, 3, 1]}, pbcompute_plists:chunk(Down, 10, 0)),
     ?_assertEqual(0, pbcompute_plists:total(pbcompute_plists:source({range, 0, 10, -1}))),
     ?_assertEqual(0, pbcompute_plists:total(pbcompute_plists:source({range, 3, 3, 1})))].

big_range_is_not_materialised_test() ->
    %% 10^8 values: only the asked-for chunk exists as a list.
    Source = pbcompute_plists:source({range, 0, 100000000, 1}),
    ?assertEqual(100000000, pbcompute_plists:total(Source)),
    ?assertEqual({99999998, [99999998, 99999999]}, pbcompute_plists:chunk(Source, 2, 49999999)).

default_chunk_size_test_() ->
    [?_assertEqual(1, pbcompute_plists:default_chunk_size(0, 2)),
     ?_assertEqual(1, pbcompute_plists:default_chunk_size(3, 2)),
     ?_assertEqual(125, pbcompute_plists:default_chunk_size(1000, 2)),
     ?_assertEqual(10000, pbcompute_plists:default_chunk_size(100000000, 2))].

map_chunk_test() ->
    ?assertEqual({ok, [100, 121]}, pbcompute_plists:run_chunk(map, #{main => fn(<<"square">>)}, 10, [10, 11])).

map_chunk_reports_first_failing_item_index_test() ->
    %% Indexes are positions in the job's input: this chunk starts at item 10.
    ?assertEqual({item_failed, 11, <<"fail: -1">>},
                 pbcompute_plists:run_chunk(map, #{main => fn(<<"fail">>)}, 10, [1, -1, -2])).

map_chunk_invalid_item_test() ->
    {item_failed, 1, Message} = pbcompute_plists:run_chunk(map, #{main => fn(<<"square">>)}, 0, [1, <<"x">>]),
    ?assertEqual(<<"invalid input: must be number">>, Message).

filter_chunk_test() ->
    ?assertEqual({ok, [0, 2, -4]},
                 pbcompute_plists:run_chunk(filter, #{main => fn(<<"isEven">>)}, 0, [0, 1, 2, 3, -4])).

filter_needs_boolean_test() ->
    ?assertMatch({item_failed, 0, <<"filter function must return a boolean", _/binary>>},
                 pbcompute_plists:run_chunk(filter, #{main => fn(<<"echo">>)}, 0, [7])).

fold_chunk_test() ->
    ?assertEqual({ok, 10}, pbcompute_plists:run_chunk(fold, #{main => fn(<<"sum">>)}, 0, [1, 2, 3, 4])),
    ?assertEqual({ok, 0}, pbcompute_plists:run_chunk(fold, #{main => fn(<<"sum">>)}, 0, [])).

mapreduce_chunk_test() ->
    Fns = #{main => fn(<<"tokenize">>), reducer => fn(<<"sum">>)},
    ?assertEqual({ok, #{<<"a">> => 2, <<"b">> => 2, <<"c">> => 1}},
                 pbcompute_plists:run_chunk(mapreduce, Fns, 0, [<<"A b, a">>, <<"b c">>])).

merge_and_finish_map_keeps_input_order_test() ->
    Fns = #{main => fn(<<"square">>)},
    %% Chunks arrive out of order; the result is in input order.
    {ok, A1} = pbcompute_plists:merge(map, Fns, pbcompute_plists:new_acc(map), {1, [9, 16]}),
    {ok, A2} = pbcompute_plists:merge(map, Fns, A1, {0, [1, 4]}),
    ?assertEqual(#{<<"kind">> => <<"map">>, <<"items">> => [1, 4, 9, 16]},
                 pbcompute_plists:finish(map, Fns, A2)).

merge_and_finish_fold_test() ->
    Fns = #{main => fn(<<"sum">>)},
    ?assertEqual(#{<<"kind">> => <<"fold">>, <<"value">> => 0},
                 pbcompute_plists:finish(fold, Fns, pbcompute_plists:new_acc(fold))),
    {ok, A1} = pbcompute_plists:merge(fold, Fns, none, {3, 5}),
    {ok, A2} = pbcompute_plists:merge(fold, Fns, A1, {0, 7}),
    ?assertEqual(#{<<"kind">> => <<"fold">>, <<"value">> => 12}, pbcompute_plists:finish(fold, Fns, A2)).

merge_and_finish_mapreduce_sorts_keys_test() ->
    Fns = #{main => fn(<<"tokenize">>), reducer => fn(<<"sum">>)},
    {ok, A1} = pbcompute_plists:merge(mapreduce, Fns, #{}, {0, #{<<"b">> => 1, 2 => 1}}),
    {ok, A2} = pbcompute_plists:merge(mapreduce, Fns, A1, {1, #{<<"b">> => 2, <<"a">> => 1, 10 => 1}}),
    ?assertEqual([[2, 1], [10, 1], [<<"a">>, 1], [<<"b">>, 3]],
                 maps:get(<<"entries">>, pbcompute_plists:finish(mapreduce, Fns, A2))).

key_order_is_utf16_code_units_test() ->
    %% U+FF5E (one UTF-16 unit 0xFF5E) sorts after U+1F600 (surrogates 0xD83D...) in
    %% JavaScript, though its UTF-8 bytes sort before.
    Emoji = <<16#1F600/utf8>>,
    Wide = <<16#FF5E/utf8>>,
    ?assertEqual([[1.5, x], [<<"Z">>, x], [<<"a">>, x], [Emoji, x], [Wide, x]],
                 pbcompute_json:sort_entries([{Wide, x}, {<<"a">>, x}, {Emoji, x}, {<<"Z">>, x}, {1.5, x}])).

depth_test_() ->
    Nest = fun(N) -> lists:foldl(fun(_, Acc) -> [Acc] end, 0, lists:seq(1, N)) end,
    [?_assertNot(pbcompute_json:depth_exceeds(Nest(64), 64)),
     ?_assert(pbcompute_json:depth_exceeds(Nest(65), 64)),
     ?_assertNot(pbcompute_json:depth_exceeds(#{<<"a">> => [#{}]}, 3)),
     ?_assert(pbcompute_json:depth_exceeds(#{<<"a">> => [#{<<"b">> => []}]}, 3))].

%% A per-key total that overflows fails at the item that made it; across chunks, at the merge.
non_finite_mapreduce_test() ->
    Emit = #{name => <<"big">>, kind => emitter, input => #{}, run => fun(X) -> [[<<"k">>, X]] end},
    Fns = #{main => Emit, reducer => fn(<<"sum">>)},
    Detail = <<"sum returned a non-finite number (Infinity), which JSON cannot represent">>,
    ?assertEqual({item_failed, 7, Detail}, pbcompute_plists:run_chunk(mapreduce, Fns, 5, [1.0, 1.0e308, 1.0e308])),
    {ok, Partial} = pbcompute_plists:run_chunk(mapreduce, Fns, 0, [1.0e308]),
    {ok, Acc} = pbcompute_plists:merge(mapreduce, Fns, pbcompute_plists:new_acc(mapreduce), {0, Partial}),
    ?assertEqual({error, Detail}, pbcompute_plists:merge(mapreduce, Fns, Acc, {1, Partial})).
