%% Shared by the EUnit modules that run jobs without HTTP: submit a JobRequest body, wait for
%% the job to end.
-module(pbcompute_test_jobs).

-export([submit/1, wait/1]).

%% @doc Submits a JobRequest body (binary keys) as the public tenant; returns the job id.
submit(Body) ->
    {ok, Spec} = pbcompute_request:job(Body),
    {ok, Fns} = pbcompute_registry:job_functions(Spec),
    {new, Id} = pbcompute_jobs:submit(Spec, Fns, undefined, Body),
    Id.

%% @doc Polls the store until the job is terminal: `{Job, Result | undefined}`.
wait(Id) ->
    {ok, #{<<"status">> := S} = Job, Result, _} = pbcompute_store:lookup(Id),
    case lists:member(S, [<<"successful">>, <<"failed">>, <<"dismissed">>]) of
        true -> {Job, Result};
        false -> timer:sleep(20), wait(Id)
    end.
