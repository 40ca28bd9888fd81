%% THE file to edit: the functions this server offers.
%%
%% Each entry of functions/0 is a map:
%%   name        binary matching ^[A-Za-z][A-Za-z0-9_.-]{0,63}$
%%   kind        unary | reducer | emitter
%%   description binary
%%   input       JSON Schema of one input (for a reducer: of one item)
%%   output      JSON Schema of the output (for a reducer: of the accumulator)
%%   unary:   run => fun(Input) -> Output end                 (call, map, filter)
%%   reducer: identity => Acc0,
%%            step => fun(Acc, Item) -> Acc end,              (fold within a chunk)
%%            combine => fun(AccA, AccB) -> Acc end           (merges chunk partials; associative)
%%   emitter: run => fun(Input) -> [[Key, Value], ...] end    (the map side of mapreduce)
%%
%% Schemas may be written with atoms (`#{type => integer, minimum => 0}`) or as jiffy maps with
%% binary keys; atoms other than true/false/null become strings. JSON values arrive as jiffy
%% terms: numbers, binaries (UTF-8 strings), true/false/null, lists and maps with binary keys.
%%
%% To reject an input, raise with a message: `throw(<<"why">>)` or `error(<<"why">>)`; the
%% caller sees it as the problem's `detail`. Inputs are validated against `input` before your
%% function runs, so it only sees valid values.
%%
%% The first eight functions are the polybridge conformance set (docs/PROTOCOL.md): keep them,
%% the conformance suite calls them.
-module(pbcompute_functions).

-export([functions/0]).

functions() ->
    [#{name => <<"echo">>,
       kind => unary,
       description => <<"Returns its input unchanged.">>,
       input => #{},
       output => #{},
       run => fun(X) -> X end},

     #{name => <<"square">>,
       kind => unary,
       description => <<"Squares a number.">>,
       input => #{type => number},
       output => #{type => number},
       %% Numbers are IEEE doubles on every stack: a product beyond 2^53 is the nearest double.
       run => fun(X) -> pbcompute_json:double(pbcompute_json:double(X) * pbcompute_json:double(X)) end},

     #{name => <<"isEven">>,
       kind => unary,
       description => <<"True when an integer is even.">>,
       input => #{type => integer},
       output => #{type => boolean},
       %% trunc/1: JSON Schema lets 4.0 count as an integer.
       run => fun(X) -> trunc(X) rem 2 =:= 0 end},

     #{name => <<"sum">>,
       kind => reducer,
       description => <<"Adds numbers.">>,
       input => #{type => number},
       output => #{type => number},
       identity => 0,
       step => fun add/2,
       combine => fun add/2},

     #{name => <<"tokenize">>,
       kind => emitter,
       description => <<"Lower-cases text, splits it into words and emits [word, 1] per word.">>,
       input => #{type => string},
       output => #{type => array,
                   items => #{type => array, minItems => 2, maxItems => 2,
                              prefixItems => [#{type => string}, #{type => integer}]}},
       run => fun tokenize/1},

     #{name => <<"fail">>,
       kind => unary,
       description => <<"Returns a number >= 0; fails with 'fail: <input>' for anything else.">>,
       input => #{},
       output => #{type => number, minimum => 0},
       run => fun(X) when is_number(X), X >= 0 -> X;
                 (X) -> throw(<<"fail: ", (pbcompute_json:compact(X))/binary>>)
              end},

     #{name => <<"sleep">>,
       kind => unary,
       description => <<"Waits that many milliseconds, then returns its input.">>,
       input => #{type => integer, minimum => 0, maximum => 10000},
       output => #{type => integer},
       %% A plain sleep is cancellable: cancel and timeouts kill the process running it.
       run => fun(Ms) -> timer:sleep(trunc(Ms)), Ms end},

     #{name => <<"diningPhilosophers">>,
       kind => unary,
       description => <<"Runs the Chandy/Misra dining philosophers ring as Erlang processes that only talk to "
                        "their neighbours; returns meals per philosopher, messages sent, the monitor's eating "
                        "log and the most neighbour pairs ever seen eating at once (always 0).">>,
       input => #{type => object, required => [philosophers, meals], additionalProperties => false,
                  properties => #{philosophers => #{type => integer, minimum => 2, maximum => 1000},
                                  meals => #{type => integer, minimum => 1, maximum => 100},
                                  seed => #{type => integer, minimum => 0}}},
       output => #{type => object,
                   required => [philosophers, meals, messages, log, maxNeighboursEating],
                   properties => #{philosophers => #{type => integer},
                                   meals => #{type => array, items => #{type => integer}},
                                   messages => #{type => integer},
                                   log => #{type => array,
                                            items => #{type => array, minItems => 3, maxItems => 3,
                                                       items => #{type => integer}}},
                                   maxNeighboursEating => #{type => integer, const => 0}}},
       run => fun pbcompute_philosophers:run/1}].

%% Unicode-aware: \p{L} letters and \p{N} digits (ucp), everything else separates words.
%% pbcompute_text:lowercase/1 is string:lowercase/1 plus the Greek final-sigma rule.
tokenize(Text) ->
    Words = re:split(pbcompute_text:lowercase(Text), <<"[^\\p{L}\\p{N}]+">>,
                     [unicode, ucp, {return, binary}]),
    [[Word, 1] || Word <- Words, Word =/= <<>>].

%% A sum beyond 2^53 is the nearest double, as in JavaScript (pbcompute_json:double/1).
add(A, B) -> pbcompute_json:double(pbcompute_json:double(A) + pbcompute_json:double(B)).
