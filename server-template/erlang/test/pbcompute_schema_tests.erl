%% The JSON Schema subset validator.
-module(pbcompute_schema_tests).
-include_lib("eunit/include/eunit.hrl").

s(Schema) -> pbcompute_registry:normalize_schema(Schema).

v(Schema, Value) -> pbcompute_schema:validate(s(Schema), Value).

paths({error, Errors}) -> [{P, M} || #{<<"path">> := P, <<"message">> := M} <- Errors].

type_test_() ->
    [?_assertEqual(ok, v(#{type => integer}, 3)),
     ?_assertEqual(ok, v(#{type => integer}, 4.0)),  % JSON Schema: a zero fraction is an integer
     ?_assertEqual([{<<>>, <<"must be integer">>}], paths(v(#{type => integer}, 2.5))),
     ?_assertEqual(ok, v(#{type => integer}, 123456789012345678901234567890)),
     ?_assertEqual(ok, v(#{type => number}, 2.5)),
     ?_assertEqual([{<<>>, <<"must be number">>}], paths(v(#{type => number}, <<"1">>))),
     ?_assertEqual(ok, v(#{type => string}, <<"x">>)),
     ?_assertEqual(ok, v(#{type => boolean}, false)),
     ?_assertMatch({error, _}, v(#{type => boolean}, null)),
     ?_assertEqual(ok, v(#{type => null}, null)),
     ?_assertEqual(ok, v(#{type => array}, [])),
     ?_assertEqual(ok, v(#{type => object}, #{})),
     ?_assertMatch({error, _}, v(#{type => object}, [])),
     ?_assertEqual(ok, v(#{type => [string, null]}, null)),
     ?_assertEqual([{<<>>, <<"must be string,null">>}], paths(v(#{type => [string, null]}, 1))),
     ?_assertEqual(ok, v(#{}, #{<<"anything">> => [1, <<"goes">>]}))].

enum_const_not_test_() ->
    [?_assertEqual(ok, v(#{enum => [a, b]}, <<"a">>)),
     ?_assertEqual([{<<>>, <<"must be equal to one of the allowed values">>}], paths(v(#{enum => [a, b]}, <<"c">>))),
     ?_assertEqual(ok, v(#{const => 1}, 1.0)),  % JSON numbers: 1 and 1.0 are equal
     ?_assertEqual([{<<>>, <<"must be equal to constant">>}], paths(v(#{const => 0}, 1))),
     ?_assertEqual(ok, v(#{const => #{<<"a">> => [1, 2]}}, #{<<"a">> => [1, 2]})),
     ?_assertEqual([{<<>>, <<"must NOT be valid">>}], paths(v(#{'not' => #{const => 0}}, 0))),
     ?_assertEqual(ok, v(#{'not' => #{const => 0}}, 2))].

bounds_test_() ->
    S = #{type => integer, minimum => 0, maximum => 10000},
    [?_assertEqual(ok, v(S, 0)),
     ?_assertEqual(ok, v(S, 10000)),
     ?_assertEqual([{<<>>, <<"must be >= 0">>}], paths(v(S, -1))),
     ?_assertEqual([{<<>>, <<"must be <= 10000">>}], paths(v(S, 10001))),
     ?_assertEqual([{<<>>, <<"must be > 1">>}], paths(v(#{exclusiveMinimum => 1}, 1))),
     ?_assertEqual([{<<>>, <<"must be < 1.5">>}], paths(v(#{exclusiveMaximum => 1.5}, 2))),
     ?_assertEqual(ok, v(#{minimum => 1}, <<"not a number: bounds do not apply">>))].

strings_test_() ->
    S = #{type => string, minLength => 2, maxLength => 3},
    [?_assertEqual(ok, v(S, <<"ab">>)),
     %% Lengths count code points: "été" is 5 bytes but 3 characters.
     ?_assertEqual(ok, v(S, <<"été"/utf8>>)),
     ?_assertEqual([{<<>>, <<"must NOT have fewer than 2 characters">>}], paths(v(S, <<"a">>))),
     ?_assertEqual([{<<>>, <<"must NOT have more than 3 characters">>}], paths(v(S, <<"abcd">>))),
     ?_assertEqual(ok, v(#{pattern => <<"^[a-z]+$">>}, <<"abc">>)),
     ?_assertMatch({error, [_]}, v(#{pattern => <<"^[a-z]+$">>}, <<"ab1">>))].

arrays_test_() ->
    S = #{type => array, items => #{type => integer}, minItems => 1, maxItems => 3},
    [?_assertEqual(ok, v(S, [1, 2])),
     ?_assertEqual([{<<"/1">>, <<"must be integer">>}, {<<"/2">>, <<"must be integer">>}],
                   paths(v(S, [1, <<"x">>, 2.5]))),
     ?_assertEqual([{<<>>, <<"must NOT have fewer than 1 items">>}], paths(v(S, []))),
     ?_assertEqual([{<<>>, <<"must NOT have more than 3 items">>}], paths(v(S, [1, 2, 3, 4])))].

objects_test_() ->
    S = #{type => object, required => [a], additionalProperties => false,
          properties => #{a => #{type => integer},
                          nested => #{type => object, properties => #{<<"x/y">> => #{type => string}}}}},
    [?_assertEqual(ok, v(S, #{<<"a">> => 1})),
     ?_assertEqual([{<<"/a">>, <<"must have required property 'a'">>}], paths(v(S, #{}))),
     ?_assertEqual([{<<"/b">>, <<"must NOT have additional properties">>}],
                   paths(v(S, #{<<"a">> => 1, <<"b">> => 2}))),
     %% JSON Pointer escapes '/' as ~1 inside a key.
     ?_assertEqual([{<<"/nested/x~1y">>, <<"must be string">>}],
                   paths(v(S, #{<<"a">> => 1, <<"nested">> => #{<<"x/y">> => 1}}))),
     ?_assertEqual([{<<"/extra">>, <<"must be integer">>}],
                   paths(v(#{additionalProperties => #{type => integer}}, #{<<"extra">> => <<"x">>})))].

base_path_and_format_test() ->
    {error, Errors} = pbcompute_schema:validate(s(#{type => number}), <<"x">>, <<"/input">>),
    ?assertEqual([{<<"/input">>, <<"must be number">>}], paths({error, Errors})),
    ?assertEqual(<<"/input must be number">>, pbcompute_schema:format_errors(Errors)).
