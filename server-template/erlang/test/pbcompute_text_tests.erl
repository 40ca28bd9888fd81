%% Lower-casing with the Greek final-sigma rule (D2), and tokenize built on it.
-module(pbcompute_text_tests).
-include_lib("eunit/include/eunit.hrl").

lower(Text) -> pbcompute_text:lowercase(Text).

final_sigma_test_() ->
    [?_assertEqual(<<"οδος οδος οδος"/utf8>>, lower(<<"ΟΔΟΣ οδος Οδος"/utf8>>)),
     %% Alone, or at the start of a word, it is not final.
     ?_assertEqual(<<"σ"/utf8>>, lower(<<"Σ"/utf8>>)),
     ?_assertEqual(<<"σα"/utf8>>, lower(<<"ΣΑ"/utf8>>)),
     ?_assertEqual(<<"ασα"/utf8>>, lower(<<"ΑΣΑ"/utf8>>)),
     %% Punctuation and digits end the word; case-ignorable characters are skipped both ways.
     ?_assertEqual(<<"οδος."/utf8>>, lower(<<"ΟΔΟΣ."/utf8>>)),
     ?_assertEqual(<<"οδος1"/utf8>>, lower(<<"ΟΔΟΣ1"/utf8>>)),
     ?_assertEqual(<<"ασ'α"/utf8>>, lower(<<"ΑΣ'Α"/utf8>>)),
     ?_assertEqual(<<"α'ς"/utf8>>, lower(<<"Α'Σ"/utf8>>)),
     %% Text without a capital sigma is string:lowercase/1's.
     ?_assertEqual(<<"straße i̇"/utf8>>, lower(<<"STRAßE İ"/utf8>>))].

tokenize_test_() ->
    {ok, Tokenize} = pbcompute_registry:find(<<"tokenize">>),
    {ok, Sum} = pbcompute_registry:find(<<"sum">>),
    Fns = #{main => Tokenize, reducer => Sum},
    Text = <<"ΟΔΟΣ οδος Οδος"/utf8>>,
    [?_assertEqual({ok, [[<<"οδος"/utf8>>, 1], [<<"οδος"/utf8>>, 1], [<<"οδος"/utf8>>, 1]]},
                   pbcompute_registry:invoke(Tokenize, Text)),
     ?_assertEqual(#{<<"kind">> => <<"mapreduce">>, <<"entries">> => [[<<"οδος"/utf8>>, 3]]},
                   begin
                       {ok, Partial} = pbcompute_plists:run_chunk(mapreduce, Fns, 0, [Text]),
                       {ok, Acc} = pbcompute_plists:merge(mapreduce, Fns, pbcompute_plists:new_acc(mapreduce), {0, Partial}),
                       pbcompute_plists:finish(mapreduce, Fns, Acc)
                   end)].
