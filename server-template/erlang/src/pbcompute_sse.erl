%% GET /v1/jobs/{id}/events: the job's event log as Server-Sent Events over a chunked
%% MochiWeb response. Replays logged events after Last-Event-ID, then follows the runner live,
%% sends `: heartbeat` comments while idle (every `?heartbeatMs=` if the client asks, else
%% POLYBRIDGE_HEARTBEAT_MS), and ends after the terminal `status` event.
-module(pbcompute_sse).

-export([stream/3, heartbeat_ms/1]).

%% The bounds of `?heartbeatMs=` (spec/openapi.yaml, streamJobEvents).
-define(MIN_HEARTBEAT_MS, 100).
-define(MAX_HEARTBEAT_MS, 60000).

%% After the runner is gone, how long to look for the terminal events pbcompute_jobs writes
%% for a crashed runner before giving up on the stream.
-define(CRASH_GRACE_MS, 1000).

%% Only the tenant that submitted the job sees its events (pbcompute_auth).
stream(Req, Tenant, Id) ->
    case pbcompute_store:lookup(Id, Tenant) of
        not_found ->
            pbcompute_http:problem(Req, job_not_found, ["No job '", Id, "'."]);
        {ok, _Job, _, Runner} ->
            Method = mochiweb_request:get(method, Req),
            LastEventId = last_event_id(pbcompute_http:header("last-event-id", Req)),
            Heartbeat = heartbeat_ms(proplists:get_value("heartbeatMs", pbcompute_http:query(Req))),
            Errors = [#{<<"path">> => <<"/Last-Event-ID">>, <<"message">> => <<"must match pattern \"^[0-9]{1,15}$\"">>}
                      || LastEventId =:= error]
                ++ [E || {error, E} <- [Heartbeat]],
            case {Errors, Heartbeat} of
                {[], {ok, _}} when Method =:= 'HEAD' ->
                    %% The stream's status and headers, at once; nothing is subscribed to.
                    mochiweb_request:respond({200, stream_headers(), chunked}, Req), ok;
                {[], {ok, HeartbeatMs}} -> open(Req, Id, Runner, LastEventId, HeartbeatMs);
                _ -> pbcompute_http:validation_failed(Req, Errors)
            end
    end.

%% `?heartbeatMs=N` (a string, or undefined when absent): the client's heartbeat interval, an
%% integer within 100..60000; absent, the server's default (POLYBRIDGE_HEARTBEAT_MS).
heartbeat_ms(undefined) -> {ok, pbcompute_config:get(heartbeat_ms)};
heartbeat_ms(Value) ->
    case re:run(Value, "^-?[0-9]{1,15}$", [{capture, none}]) of
        nomatch -> {error, heartbeat_error(<<"must be integer">>)};
        match ->
            case list_to_integer(Value) of
                N when N < ?MIN_HEARTBEAT_MS -> {error, heartbeat_error(<<"must be >= 100">>)};
                N when N > ?MAX_HEARTBEAT_MS -> {error, heartbeat_error(<<"must be <= 60000">>)};
                N -> {ok, N}
            end
    end.

%% Query parameters have no place in the body, so their pointer names the parameter.
heartbeat_error(Message) -> #{<<"path">> => <<"/heartbeatMs">>, <<"message">> => Message}.

open(Req, Id, Runner, After, HeartbeatMs) ->
    %% Subscribe before replaying: the runner logs an event before sending it, so
    %% replay (store, up to UpTo) and live messages (after UpTo) neither gap nor overlap.
    Live = try pbcompute_job_runner:subscribe(Runner, self()) of
               {ok, UpTo} -> {erlang:monitor(process, Runner), UpTo}
           catch exit:_ -> finished  % the runner is gone: the log is complete
           end,
    Resp = mochiweb_request:respond({200, stream_headers(), chunked}, Req),
    case replay(Resp, Id, After, Live) of
        {done, _} -> ok;
        {continue, Last} ->
            {Ref, _} = Live,
            follow(Resp, Id, Last, Ref, HeartbeatMs)
    end,
    mochiweb_response:write_chunk(<<>>, Resp).  % the zero-length chunk ends the response

stream_headers() -> [{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}].

%% The spec's pattern for the header: ^[0-9]{1,15}$.
last_event_id(undefined) -> 0;
last_event_id(Value) ->
    case re:run(Value, "^[0-9]{1,15}$", [{capture, none}]) of
        match -> list_to_integer(Value);
        nomatch -> error
    end.

replay(Resp, Id, After, Live) ->
    Events = case Live of
                 finished -> pbcompute_store:events_after(Id, After);
                 {_, UpTo} -> [E || {N, _, _} = E <- pbcompute_store:events_after(Id, After), N =< UpTo]
             end,
    case send_all(Resp, Events, After) of
        {done, Last} -> {done, Last};
        {continue, Last} when Live =:= finished -> {done, Last};
        {continue, Last} -> {continue, Last}
    end.

send_all(_, [], Last) -> {continue, Last};
send_all(Resp, [{N, Name, Json} | Rest], _) ->
    send_event(Resp, N, Name, Json),
    case is_terminal_status(Name, Json) of
        true -> {done, N};
        false -> send_all(Resp, Rest, N)
    end.

follow(Resp, Id, Last, Ref, HeartbeatMs) ->
    receive
        {pb_event, Id, N, Name, Json} when N > Last ->
            send_event(Resp, N, Name, Json),
            case is_terminal_status(Name, Json) of
                true -> erlang:demonitor(Ref, [flush]), ok;
                false -> follow(Resp, Id, N, Ref, HeartbeatMs)
            end;
        {'DOWN', Ref, process, _, _} ->
            drain_after_crash(Resp, Id, Last, erlang:monotonic_time(millisecond) + ?CRASH_GRACE_MS)
    after HeartbeatMs ->
            mochiweb_response:write_chunk(<<": heartbeat\n\n">>, Resp),
            follow(Resp, Id, Last, Ref, HeartbeatMs)
    end.

%% The runner ended without a terminal event reaching us (it crashed): pbcompute_jobs logs
%% the failure shortly; send it if it shows up in time.
drain_after_crash(Resp, Id, Last, Deadline) ->
    case send_all(Resp, pbcompute_store:events_after(Id, Last), Last) of
        {done, _} -> ok;
        {continue, Last1} ->
            case erlang:monotonic_time(millisecond) < Deadline of
                true -> timer:sleep(50), drain_after_crash(Resp, Id, Last1, Deadline);
                false -> ok
            end
    end.

send_event(Resp, N, Name, Json) ->
    mochiweb_response:write_chunk(format_event(N, Name, Json), Resp).

%% One event: `id`, `event`, one-line `data` (jiffy output has no raw newlines).
format_event(N, Name, Json) ->
    [<<"id: ">>, integer_to_binary(N), <<"\nevent: ">>, Name, <<"\ndata: ">>, Json, <<"\n\n">>].

is_terminal_status(<<"status">>, Json) ->
    #{<<"status">> := S} = jiffy:decode(Json, [return_maps]),
    lists:member(S, [<<"successful">>, <<"failed">>, <<"dismissed">>]);
is_terminal_status(_, _) -> false.
