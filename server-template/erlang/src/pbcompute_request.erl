%% Validation of request bodies: the spec's CallRequest and JobRequest schemas (with JobInput,
%% Range and JobOptions), encoded here so a generated project needs no spec/ folder. The
%% discriminator `kind` picks the job schema; `input` is exactly one of items / range.
-module(pbcompute_request).

-export([call/1, job/1, range_count/3]).

-import(pbcompute_registry, [normalize_schema/1]).

-define(NAME_SCHEMA, #{type => string, pattern => <<"^[A-Za-z][A-Za-z0-9_.-]{0,63}$">>}).

call_schema() ->
    normalize_schema(
      #{type => object, required => [input], additionalProperties => false,
        properties => #{input => #{},
                        timeoutMs => #{type => integer, minimum => 1, maximum => 600000}}}).

job_schema(Kind) ->
    Props = #{kind => #{type => string, const => Kind},
              function => ?NAME_SCHEMA,
              input => #{type => object},
              options => options_schema()},
    {Required, AllProps} =
        case Kind of
            mapreduce -> {[kind, function, reducer, input], Props#{reducer => ?NAME_SCHEMA}};
            _ -> {[kind, function, input], Props}
        end,
    normalize_schema(#{type => object, required => Required, additionalProperties => false,
                       properties => AllProps}).

options_schema() ->
    #{type => object, additionalProperties => false,
      properties => #{chunkSize => #{type => integer, minimum => 1, maximum => 1000000},
                      concurrency => #{type => integer, minimum => 1, maximum => 1024},
                      timeoutMs => #{type => integer, minimum => 1, maximum => 86400000}}}.

items_input_schema() ->
    normalize_schema(#{type => object, required => [items], additionalProperties => false,
                       properties => #{items => #{type => array}}}).

range_input_schema() ->
    normalize_schema(
      #{type => object, required => [range], additionalProperties => false,
        properties => #{range => #{type => object, required => [start, 'end'],
                                   additionalProperties => false,
                                   properties => #{start => #{type => integer},
                                                   'end' => #{type => integer},
                                                   step => #{type => integer,
                                                             'not' => #{const => 0}}}}}}).

%% @doc A CallRequest: `{ok, Input, TimeoutMs | infinity}` or the field errors.
call(Body) ->
    case pbcompute_schema:validate(call_schema(), Body) of
        ok -> {ok, maps:get(<<"input">>, Body), as_int(maps:get(<<"timeoutMs">>, Body, infinity))};
        {error, Errors} -> {error, Errors}
    end.

%% @doc A JobRequest as a job spec:
%% `#{kind, function, reducer, input => {items, List} | {range, Start, End, Step}, options}`.
job(Body) when not is_map(Body) ->
    {error, [field_error(<<>>, <<"must be object">>)]};
job(#{<<"kind">> := KindBin} = Body) ->
    case kind(KindBin) of
        undefined ->
            {error, [field_error(<<"/kind">>, <<"must be one of map, filter, fold, mapreduce">>)]};
        Kind ->
            BodyErrors = errors_of(pbcompute_schema:validate(job_schema(Kind), Body)),
            case BodyErrors ++ input_errors(maps:get(<<"input">>, Body, undefined)) of
                [] -> {ok, spec(Kind, Body)};
                Errors -> {error, Errors}
            end
    end;
job(_) ->
    {error, [field_error(<<"/kind">>, <<"must have required property 'kind'">>)]}.

kind(<<"map">>) -> map;
kind(<<"filter">>) -> filter;
kind(<<"fold">>) -> fold;
kind(<<"mapreduce">>) -> mapreduce;
kind(_) -> undefined.

%% JobInput is a oneOf: the keys present say which branch the client meant.
input_errors(Input) when is_map(Input) ->
    case {maps:is_key(<<"items">>, Input), maps:is_key(<<"range">>, Input)} of
        {true, false} -> errors_of(pbcompute_schema:validate(items_input_schema(), Input, <<"/input">>));
        {false, true} -> errors_of(pbcompute_schema:validate(range_input_schema(), Input, <<"/input">>));
        _ -> [field_error(<<"/input">>, <<"must have exactly one of the properties 'items' or 'range'">>)]
    end;
input_errors(_) -> [].  % missing or not an object: the body schema already said so

spec(Kind, Body) ->
    Options = maps:get(<<"options">>, Body, #{}),
    #{kind => Kind,
      function => maps:get(<<"function">>, Body),
      reducer => maps:get(<<"reducer">>, Body, undefined),
      input => input(maps:get(<<"input">>, Body)),
      options => maps:map(fun(_, V) -> as_int(V) end, Options)}.

input(#{<<"items">> := Items}) -> {items, Items};
input(#{<<"range">> := Range}) ->
    {range, as_int(maps:get(<<"start">>, Range)), as_int(maps:get(<<"end">>, Range)),
     as_int(maps:get(<<"step">>, Range, 1))}.

%% @doc How many integers a range yields (0 when step points away from end).
range_count(Start, End, Step) when Step > 0, End > Start -> (End - Start + Step - 1) div Step;
range_count(Start, End, Step) when Step < 0, End < Start -> (Start - End - Step - 1) div -Step;
range_count(_, _, _) -> 0.

%% The validator accepts 3.0 as an integer; the engine wants real integers.
as_int(F) when is_float(F) -> trunc(F);
as_int(V) -> V.

errors_of(ok) -> [];
errors_of({error, Errors}) -> Errors.

field_error(Path, Message) -> #{<<"path">> => Path, <<"message">> => Message}.
