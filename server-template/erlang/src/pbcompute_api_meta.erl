%% GET /v1/openapi.json and GET /v1/openapi.yaml: the contract this server speaks, served as
%% loaded with `servers` set to the server's own URL. priv/openapi.yaml and priv/openapi.json are
%% copies of the protocol's spec/openapi.yaml written by the polybridge code generator (do not
%% edit them). Open without a token (pbcompute_auth).
-module(pbcompute_api_meta).

-export([openapi_json/1, openapi_yaml/1, own_url/3, yaml_with_server/2]).

%% GET /v1/openapi.json
openapi_json(Req) ->
    Doc = (document())#{<<"servers">> => servers(url(Req))},
    mochiweb_request:respond({200, [{"Content-Type", "application/json; charset=utf-8"}],
                              pbcompute_json:encode(Doc)}, Req).

%% GET /v1/openapi.yaml
openapi_yaml(Req) ->
    mochiweb_request:respond({200, [{"Content-Type", "application/yaml; charset=utf-8"}],
                              yaml_with_server(yaml_text(), url(Req))}, Req).

url(Req) ->
    own_url(pbcompute_http:header("host", Req), pbcompute_config:get(host), pbcompute_web:port()).

%% @doc The server's URL as the client reached it (a sane `Host`), else the listening address.
-spec own_url(string() | undefined, string(), inet:port_number()) -> binary().
own_url(Host, ListenHost, Port) ->
    Sane = "^(?:[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?$",
    case Host =/= undefined andalso re:run(Host, Sane, [{capture, none}]) =:= match of
        true -> iolist_to_binary(["http://", Host]);
        false ->
            Name = case lists:member($:, ListenHost) of
                       true -> ["[", ListenHost, "]"];
                       false -> ListenHost
                   end,
            iolist_to_binary(["http://", Name, ":", integer_to_list(Port)])
    end.

servers(Url) -> [#{<<"url">> => Url, <<"description">> => <<"This server.">>}].

%% @doc The YAML text as written (comments kept) with its top-level `servers:` block naming Url;
%% without one, the block goes before `paths:`.
-spec yaml_with_server(binary(), binary()) -> iodata().
yaml_with_server(Text, Url) ->
    Block = [<<"servers:\n  - url: ">>, pbcompute_json:encode(Url), <<"\n    description: This server.\n">>],
    Pattern = "^servers:[ \\t]*(?:#.*)?\\n(?:(?:[ \\t-].*)?\\n)*?(?=[^ \\t\\n-])",
    case re:run(Text, Pattern, [multiline]) of
        {match, [{Start, Length} | _]} ->
            <<Before:Start/binary, _:Length/binary, After/binary>> = Text,
            [Before, Block, After];
        nomatch ->
            case binary:match(Text, <<"\npaths:">>) of
                {At, _} ->
                    <<Before:(At + 1)/binary, After/binary>> = Text,
                    [Before, Block, After];
                nomatch -> [Text, Block]
            end
    end.

%% Read once, kept in persistent_term.
document() -> cached(document, fun() -> {ok, Doc} = pbcompute_json:decode(read("openapi.json")), Doc end).
yaml_text() -> cached(yaml_text, fun() -> read("openapi.yaml") end).

cached(Key, Load) ->
    case persistent_term:get({?MODULE, Key}, undefined) of
        undefined ->
            Value = Load(),
            persistent_term:put({?MODULE, Key}, Value),
            Value;
        Value -> Value
    end.

%% priv/ next to the ebin/ this module was loaded from (works without an OTP release).
read(Name) ->
    Root = filename:dirname(filename:dirname(code:which(?MODULE))),
    {ok, Bin} = file:read_file(filename:join([Root, "priv", Name])),
    Bin.
