%% The conformance functions behave exactly as docs/PROTOCOL.md says, and the catalogue and
%% the request validation around them.
-module(pbcompute_functions_tests).
-include_lib("eunit/include/eunit.hrl").

call(Name, Input) ->
    {ok, Def} = pbcompute_registry:find(Name),
    pbcompute_registry:invoke(Def, Input).

valid(Name, Input) ->
    {ok, Def} = pbcompute_registry:find(Name),
    pbcompute_registry:validate_input(Def, Input, <<"/input">>).

catalogue_test() ->
    Names = [maps:get(name, D) || D <- pbcompute_registry:all()],
    ?assertEqual(Names, lists:sort(Names)),
    [?assert(lists:member(N, Names))
     || N <- [<<"echo">>, <<"square">>, <<"isEven">>, <<"sum">>, <<"tokenize">>, <<"fail">>, <<"sleep">>]],
    {ok, Sum} = pbcompute_registry:find(<<"sum">>),
    ?assertMatch(#{<<"kind">> := <<"reducer">>, <<"identity">> := 0,
                   <<"inputSchema">> := #{<<"type">> := <<"number">>}}, pbcompute_registry:info(Sum)),
    ?assertEqual(not_found, pbcompute_registry:find(<<"nope">>)).

echo_test() ->
    V = #{<<"a">> => [1, 2.5, null, true, <<"é"/utf8>>]},
    ?assertEqual({ok, V}, call(<<"echo">>, V)).

square_test_() ->
    [?_assertEqual({ok, 144}, call(<<"square">>, 12)),
     ?_assertEqual({ok, 2.25}, call(<<"square">>, 1.5)),
     %% Beyond 2^53 the result is the nearest double, as on every stack (D8) ...
     ?_assertEqual({ok, 1.801439877791744e16}, call(<<"square">>, 134217729)),
     ?_assertEqual({ok, 1.0e38}, call(<<"square">>, 10000000000000000000)),
     %% ... and so is an operand beyond it (JSON numbers are doubles).
     ?_assertEqual({ok, 8.112963841460668e31}, call(<<"square">>, 9007199254740993)),
     ?_assertEqual({ok, 9007199254740992.0}, call(<<"sum">>, [9007199254740991, 1])),
     ?_assertEqual({ok, 9007199254740991}, call(<<"sum">>, [9007199254740990, 1])),
     ?_assertMatch({error, [#{<<"path">> := <<"/input">>}]}, valid(<<"square">>, <<"x">>))].

is_even_test_() ->
    [?_assertEqual({ok, true}, call(<<"isEven">>, 0)),
     ?_assertEqual({ok, true}, call(<<"isEven">>, -4)),
     ?_assertEqual({ok, false}, call(<<"isEven">>, -3)),
     ?_assertEqual({ok, false}, call(<<"isEven">>, 7)),
     ?_assertMatch({error, _}, valid(<<"isEven">>, 2.5))].

sum_test_() ->
    [?_assertEqual({ok, 5}, call(<<"sum">>, [2, 3])),
     ?_assertEqual({ok, 3.5}, call(<<"sum">>, [1, 2.5]))].

tokenize_test_() ->
    [?_assertEqual({ok, [[<<"a">>, 1], [<<"b">>, 1], [<<"a">>, 1]]}, call(<<"tokenize">>, <<"A b, a">>)),
     %% Unicode letters and digits are word characters, punctuation and spaces are not.
     ?_assertEqual({ok, [[<<"straße"/utf8>>, 1], [<<"été"/utf8>>, 1], [<<"東京"/utf8>>, 1], [<<"x2"/utf8>>, 1]]},
                   call(<<"tokenize">>, <<"  Straße—ÉTÉ! 東京, x2...  "/utf8>>)),
     ?_assertEqual({ok, []}, call(<<"tokenize">>, <<" ,;- ">>))].

fail_test_() ->
    [?_assertEqual({ok, 3}, call(<<"fail">>, 3)),
     ?_assertEqual({ok, 0}, call(<<"fail">>, 0)),
     ?_assertEqual({error, <<"fail: -1">>}, call(<<"fail">>, -1)),
     ?_assertEqual({error, <<"fail: \"boom\"">>}, call(<<"fail">>, <<"boom">>)),
     ?_assertEqual({error, <<"fail: {\"a\":[1,null]}">>}, call(<<"fail">>, #{<<"a">> => [1, null]}))].

sleep_test_() ->
    [?_assertEqual(ok, valid(<<"sleep">>, 10000)),
     ?_assertMatch({error, _}, valid(<<"sleep">>, 10001)),
     ?_assertMatch({error, _}, valid(<<"sleep">>, -1)),
     fun() ->
             T0 = erlang:monotonic_time(millisecond),
             ?assertEqual({ok, 30}, call(<<"sleep">>, 30)),
             ?assert(erlang:monotonic_time(millisecond) - T0 >= 30)
     end].

%% Erlang floats overflow with badarith, never to Infinity: that becomes a clear failure, not a
%% crash and never a number JSON cannot carry.
non_finite_test_() ->
    Def = fun(Run) -> #{name => <<"f">>, kind => unary, run => Run} end,
    Unary = fun(Run, X) -> pbcompute_registry:apply_unary(Def(Run), X) end,
    Msg = fun(Value) -> <<"f returned a non-finite number (", Value/binary, "), which JSON cannot represent">> end,
    [?_assertEqual({error, <<"square returned a non-finite number (Infinity), which JSON cannot represent">>},
                   call(<<"square">>, 1.0e200)),
     ?_assertEqual({error, <<"square returned a non-finite number (Infinity), which JSON cannot represent">>},
                   call(<<"square">>, -1.0e200)),
     ?_assertEqual({error, <<"sum returned a non-finite number (-Infinity), which JSON cannot represent">>},
                   call(<<"sum">>, [-1.0e308, -1.0e308])),
     %% A bignum that no float can hold, added to a float.
     ?_assertEqual({error, <<"sum returned a non-finite number (Infinity), which JSON cannot represent">>},
                   call(<<"sum">>, [1 bsl 2000, 0.5])),
     ?_assertEqual({error, Msg(<<"-Infinity">>)}, Unary(fun([A, B]) -> A * B end, [1.0e300, -1.0e300])),
     ?_assertEqual({error, Msg(<<"-Infinity">>)}, Unary(fun([A, B]) -> A - B end, [-1.0e308, 1.0e308])),
     %% Float instructions (a float literal, `/`) and math functions do not say which value.
     ?_assertEqual({error, Msg(<<"an overflow or a division by zero">>)}, Unary(fun(X) -> X * -1.0e300 end, 1.0e300)),
     ?_assertEqual({error, Msg(<<"an overflow or a division by zero">>)}, Unary(fun(X) -> 1 / X end, 0)),
     ?_assertEqual({error, Msg(<<"an overflow or a division by zero">>)}, Unary(fun math:exp/1, 1000)),
     %% Arithmetic on a non-number, and integer division by zero, are ordinary failures.
     ?_assertEqual({error, <<"badarith">>}, Unary(fun([A, B]) -> A + B end, [1, <<"a">>])),
     ?_assertEqual({error, <<"badarith">>}, Unary(fun([A, B]) -> A div B end, [1, 0])),
     ?_assertEqual({ok, 2.0e307}, Unary(fun(X) -> X * 2 end, 1.0e307))].

raised_messages_test_() ->
    [?_assertEqual(<<"why">>, pbcompute_registry:error_message(throw, <<"why">>)),
     ?_assertEqual(<<"why">>, pbcompute_registry:error_message(error, "why")),
     ?_assertEqual(<<"badarith">>, pbcompute_registry:error_message(error, badarith))].

call_request_test_() ->
    [?_assertEqual({ok, 1, infinity}, pbcompute_request:call(#{<<"input">> => 1})),
     ?_assertEqual({ok, null, 5}, pbcompute_request:call(#{<<"input">> => null, <<"timeoutMs">> => 5})),
     %% A missing member's pointer is the member itself (D5).
     ?_assertMatch({error, [#{<<"path">> := <<"/input">>}]}, pbcompute_request:call(#{})),
     ?_assertMatch({error, [#{<<"path">> := <<"/timeoutMs">>}]},
                   pbcompute_request:call(#{<<"input">> => 1, <<"timeoutMs">> => 0})),
     ?_assertMatch({error, [#{<<"path">> := <<"/x">>}]}, pbcompute_request:call(#{<<"input">> => 1, <<"x">> => 1})),
     ?_assertMatch({error, [#{<<"path">> := <<>>}]}, pbcompute_request:call([1]))].

job_request_test_() ->
    Map = #{<<"kind">> => <<"map">>, <<"function">> => <<"square">>, <<"input">> => #{<<"items">> => [1]}},
    Paths = fun({error, Es}) -> [P || #{<<"path">> := P} <- Es] end,
    [?_assertMatch({ok, #{kind := map, input := {items, [1]}, options := #{}}}, pbcompute_request:job(Map)),
     ?_assertMatch({ok, #{input := {range, 5, 0, -1}}},
                   pbcompute_request:job(Map#{<<"input">> => #{<<"range">> => #{<<"start">> => 5, <<"end">> => 0,
                                                                                 <<"step">> => -1}}})),
     ?_assertEqual([<<"/options/chunkSize">>],
                   Paths(pbcompute_request:job(Map#{<<"options">> => #{<<"chunkSize">> => 0}}))),
     ?_assertEqual([<<"/options/concurrency">>, <<"/options/timeoutMs">>],
                   Paths(pbcompute_request:job(Map#{<<"options">> => #{<<"concurrency">> => 1025,
                                                                       <<"timeoutMs">> => 1.5}}))),
     ?_assertEqual([<<"/kind">>], Paths(pbcompute_request:job(Map#{<<"kind">> => <<"sort">>}))),
     ?_assertEqual([<<"/kind">>], Paths(pbcompute_request:job(maps:remove(<<"kind">>, Map)))),
     ?_assertMatch({error, [#{<<"path">> := <<"/kind">>, <<"message">> := <<"must be one of map, filter, fold, mapreduce">>}]},
                   pbcompute_request:job(Map#{<<"kind">> => <<"zap">>})),
     ?_assertEqual([<<"/reducer">>], Paths(pbcompute_request:job(Map#{<<"reducer">> => <<"sum">>}))),
     ?_assertEqual([<<"/reducer">>], Paths(pbcompute_request:job(Map#{<<"kind">> => <<"mapreduce">>}))),
     ?_assertEqual([<<"/function">>], Paths(pbcompute_request:job(Map#{<<"function">> => <<"9x">>}))),
     ?_assertEqual([<<"/input">>], Paths(pbcompute_request:job(Map#{<<"input">> => #{}}))),
     ?_assertEqual([<<"/input/items">>], Paths(pbcompute_request:job(Map#{<<"input">> => #{<<"items">> => 3}}))),
     ?_assertEqual([<<"/input/range/step">>],
                   Paths(pbcompute_request:job(Map#{<<"input">> => #{<<"range">> => #{<<"start">> => 0, <<"end">> => 3,
                                                                                      <<"step">> => 0}}}))),
     ?_assertEqual([<<"/input/range/end">>, <<"/input/range/by">>],
                   Paths(pbcompute_request:job(Map#{<<"input">> => #{<<"range">> => #{<<"start">> => 0, <<"by">> => 1}}}))),
     ?_assertEqual([<<"/extra">>], Paths(pbcompute_request:job(Map#{<<"extra">> => 1})))].

range_count_test_() ->
    [?_assertEqual(10, pbcompute_request:range_count(0, 10, 1)),
     ?_assertEqual(4, pbcompute_request:range_count(0, 10, 3)),
     ?_assertEqual(3, pbcompute_request:range_count(5, 0, -2)),
     ?_assertEqual(0, pbcompute_request:range_count(0, 10, -1)),
     ?_assertEqual(0, pbcompute_request:range_count(3, 3, 1))].
