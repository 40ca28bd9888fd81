%% Text rules every polybridge stack shares (docs/PROTOCOL.md, D2): lower-casing with Unicode's
%% full default case mapping *including* the context-sensitive Final_Sigma rule, as JavaScript's
%% toLowerCase and Python's str.lower do. Erlang's string:lowercase/1 maps every capital sigma
%% to σ, so "ΟΔΟΣ" would become "οδοσ" instead of "οδος".
-module(pbcompute_text).

-export([lowercase/1]).

-define(CAPITAL_SIGMA, 16#03A3).
-define(FINAL_SIGMA, 16#03C2).

%% @doc Lower-cases UTF-8 text; Σ becomes ς at the end of a word (Unicode 3.13, Final_Sigma:
%% preceded by a cased letter and not followed by one, case-ignorable characters skipped).
%%
%% Example: `lowercase(<<"ΟΔΟΣ Σ"/utf8>>)` is `<<"οδος σ"/utf8>>`.
-spec lowercase(unicode:unicode_binary()) -> unicode:unicode_binary().
lowercase(Text) ->
    case binary:match(Text, <<?CAPITAL_SIGMA/utf8>>) of
        nomatch -> string:lowercase(Text);  % the common case, at string:lowercase's speed
        _ -> unicode:characters_to_binary(lower(unicode:characters_to_list(Text), false))
    end.

%% AfterCased: a cased letter precedes, with only case-ignorable characters since.
lower([], _) -> [];
lower([?CAPITAL_SIGMA | Rest], AfterCased) ->
    Sigma = case AfterCased andalso not cased_follows(Rest) of
                true -> ?FINAL_SIGMA;
                false -> 16#03C3
            end,
    [Sigma | lower(Rest, true)];
lower([C | Rest], AfterCased) ->
    Next = case is_cased(C) of
               true -> true;
               false -> AfterCased andalso is_case_ignorable(C)
           end,
    string:lowercase([C]) ++ lower(Rest, Next).

cased_follows([]) -> false;
cased_follows([C | Rest]) ->
    case is_cased(C) of
        true -> true;
        false -> is_case_ignorable(C) andalso cased_follows(Rest)
    end.

%% Cased (Unicode: Lowercase, Uppercase or Lt): a letter that case mapping changes one way or
%% the other, or a lower/upper/title-case letter by category.
is_cased(C) ->
    string:lowercase([C]) =/= [C] orelse string:uppercase([C]) =/= [C]
        orelse match([C], "^[\\p{Ll}\\p{Lu}\\p{Lt}]$").

%% Case_Ignorable: marks, format characters, modifier letters and symbols, and the word-internal
%% punctuation Unicode lists (apostrophes, full stop, colon, middle dot).
is_case_ignorable(C) ->
    match([C], "^[\\p{Mn}\\p{Me}\\p{Cf}\\p{Lm}\\p{Sk}'.:\\x{00B7}\\x{2018}\\x{2019}\\x{2024}\\x{FE52}\\x{FF07}\\x{FF0E}\\x{FF1A}]$").

match(Chars, Re) -> re:run(Chars, Re, [unicode, ucp, {capture, none}]) =:= match.
