"""HTTP/1.1 transport for the endpoints: routing, body framing and limits, responses.

`http.server` handles keep-alive once `protocol_version` is HTTP/1.1, provided every response
has a correct `Content-Length` and every request body is consumed (or the connection closed):
an unread body would otherwise be parsed as the next request.

Authentication comes first, before routing answers 404/405 and before the body is read or
checked: a caller without a valid token learns nothing about routes or limits, and its body
is drained unparsed.

Requests that are not HTTP/1.x at all (a garbage request line, `Content-Length: abc`, both
`Transfer-Encoding` and `Content-Length`, broken chunked framing, a header line that is not
a header) are answered before any of that with an HTTP/1.1 `400 malformed_request` problem
and `Connection: close`, and the socket is closed once the client has had the answer: the
request's framing cannot be trusted, so nothing after it on the connection can be either.
"""

from __future__ import annotations

import re
import socket
import sys
import traceback
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

from .endpoints import EventStream, Request, Response
from .jsonio import JsonSyntaxError, JsonTooDeep, dumps, parse_json
from .problems import CODES, ProblemError, problem
from .protocol import MAX_BODY_BYTES, MAX_JSON_DEPTH, check_path_params
from .openapi import own_url
from .routes import Route, match
from .sse import stream_job_events

# How much of a refused body is read and dropped before closing, and for how long at most.
DISCARD_LIMIT_BYTES = 4 * MAX_BODY_BYTES
DISCARD_TIMEOUT_S = 10.0
# After a malformed request: how long and how much is read (and dropped) once our answer is
# out, so that closing a socket with unread input does not reset it under the client's feet.
LINGER_TIMEOUT_S = 1.0
LINGER_LIMIT_BYTES = 1 << 20

# RFC 9110 tokens (method and header names), field values (no control characters but HTAB)
# and chunk-size lines (hex digits, optional extensions).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_FIELD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_CHUNK_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]{1,15})[ \t]*(?:;[^\r\n]*)?\r?\n")
_MAX_TRAILER_LINES = 100
_MAX_LEADING_EMPTY_LINES = 4
# What http.server's own errors become (see `send_error`); anything else 4xx is a parse error.
_SEND_ERROR_CODES = {404: "not_found", 405: "method_not_allowed", 408: "request_timeout", 413: "payload_too_large",
                     414: "payload_too_large", 431: "headers_too_large", 500: "internal_error"}

if TYPE_CHECKING:
    from .app import PolybridgeHTTPServer


def _is_json_media_type(content_type: Optional[str]) -> bool:
    """application/json, the seed's application/jsonrequest, or any application/*+json."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in ("application/json", "application/jsonrequest"):
        return True
    return media.startswith("application/") and media.endswith("+json") and len(media) > len("application/+json")


class PolybridgeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pbcompute"
    timeout = 300  # seconds an idle keep-alive connection may hold a thread
    server: "PolybridgeHTTPServer"

    def parse_request(self) -> bool:
        """http.server's parsing, made strict: HTTP/1.x only, well-formed headers and framing.

        http.server would serve a two-word request line as HTTP/0.9 (a body with no status
        line), ignore a line that is not a header, and leave `Content-Length`/`Transfer-Encoding`
        to the handler; each of these is `400 malformed_request` here.
        """
        self._framing_checked = False
        self._linger = False
        self.command, self.requestline, self.request_version = None, "", "HTTP/1.1"  # until parsed
        # RFC 9112 2.2: empty lines before a request line are ignored (a client may send a
        # CRLF after a body); a few at most, then the line must be a request line.
        for _ in range(_MAX_LEADING_EMPTY_LINES):
            if self.raw_requestline not in (b"\r\n", b"\n"):
                break
            self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return False
        if len(self.raw_requestline) > 65536:
            self.send_error(414, "The request line is over 64 KiB.")
            return False
        if not self.raw_requestline.split():
            self.send_error(400, "The request line is blank.")
            return False
        if not super().parse_request():
            return False
        if self._framing_checked:  # done in handle_expect_100, before a 100 Continue went out
            return True
        detail = self._malformed_detail()
        if detail is not None:
            self.send_error(400, detail)
            return False
        return True

    def _malformed_detail(self) -> Optional[str]:
        """Why the request line or header block cannot be trusted, or None when it can."""
        self._framing_checked = True
        if self.request_version == "HTTP/0.9":
            return f"Bad request line {self.requestline!r}: no HTTP version."
        if not self.request_version.startswith("HTTP/1."):
            return f"Unsupported HTTP version {self.request_version!r}."
        if not _TOKEN.fullmatch(self.command or ""):
            return f"Bad method {self.command!r}."
        # The email parser behind http.server files a line without a colon as a defect (and the
        # rest as a "payload"), and a first line "From …" as an mbox separator.
        if self.headers.defects or self.headers.get_payload() or self.headers.get_unixfrom():
            return "A header line is not of the form 'name: value'."
        for name, value in self.headers.items():
            if not _TOKEN.fullmatch(name):
                return f"Bad header name {name!r}."
            if _BAD_FIELD_VALUE.search(value):
                return f"Header {name} holds a control character."
        lengths = self.headers.get_all("Content-Length") or []
        codings = self.headers.get_all("Transfer-Encoding") or []
        if lengths and codings:
            return "Both Transfer-Encoding and Content-Length: the body's length is ambiguous."
        values = {part.strip() for value in lengths for part in value.split(",")}  # "5, 5" is one length
        length = values.pop() if len(values) == 1 else ""
        if lengths and not (length.isascii() and length.isdigit()):
            return f"Content-Length {', '.join(lengths)!r} is not a number of bytes."
        if codings and ",".join(codings).strip().lower() != "chunked":
            return f"Transfer-Encoding {', '.join(codings)!r} is not supported; send chunked or a Content-Length."
        return None

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Every method, including ones http.server does not know, goes through the router,
        # so an unexpected method gets 404/405 problems rather than an HTML 501.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    # --- dispatch ------------------------------------------------------------------------

    def _dispatch(self) -> None:
        self._body_consumed = False
        try:
            self._route_and_answer()
        except OSError:
            self.close_connection = True  # the client went away mid-answer
        else:
            # After the answer: a client still sending a refused body gets its response first.
            self._finish_body()

    def _authenticate(self, found: Optional[tuple[Route, dict[str, str]]]) -> str:
        """The caller's tenant; raises `401 unauthorized` (see auth.py) when it needs a token."""
        endpoint = None
        if found is not None:
            endpoint = found[0].methods.get("GET" if self.command == "HEAD" else self.command)
        return self.server.auth.tenant(self.command, endpoint, self.headers.get("Authorization"))

    def _route_and_answer(self) -> None:
        try:
            split = urlsplit(self.path)
            found = match(split.path)
            tenant = self._authenticate(found)
            if found is None:
                raise ProblemError("not_found", f"No route {split.path}.")
            route, params = found
            endpoint = route.methods.get(self.command)
            if endpoint is None and self.command == "HEAD":  # HEAD is GET without the body
                endpoint = route.methods.get("GET")
            if endpoint is None:
                allowed = ", ".join([*route.methods, *(["HEAD"] if "GET" in route.methods else [])])
                raise ProblemError("method_not_allowed", f"{self.command} is not allowed here; use {allowed}.",
                                   headers={"Allow": allowed})
            check_path_params(params)
            request = Request(self.command, split.path, params, parse_qs(split.query), self.headers, self._read_json,
                              tenant, own_url(self.headers.get("Host"), self.server.server_address))
            outcome = getattr(self.server.endpoints, endpoint)(request)
            if isinstance(outcome, EventStream):
                self._finish_body()
                if self.command == "HEAD":  # the stream's status and headers, at once, and no stream
                    self._stream_head()
                else:
                    self._stream(outcome)
            else:
                self._send(outcome)
        except ProblemError as error:
            self._send(Response(error.status, error.body, error.headers, "application/problem+json"))
        except Exception:  # the client gets a problem, the log gets the traceback
            traceback.print_exc(file=sys.stderr)
            self._send(Response(500, problem("internal_error"), {}, "application/problem+json"))

    # --- request body --------------------------------------------------------------------

    def _read_json(self) -> Any:
        length = self._content_length()
        chunked = self._chunked()
        if length is not None and length > MAX_BODY_BYTES:
            self.close_connection = True  # the body stays unread
            raise ProblemError("payload_too_large", f"The body is over {MAX_BODY_BYTES} bytes.")
        if not _is_json_media_type(self.headers.get("Content-Type")):
            sent = (self.headers.get("Content-Type") or "no content type").split(";", 1)[0]
            raise ProblemError("unsupported_media_type", f"Send application/json, not {sent}.")
        try:
            data = self._read_chunked() if chunked else self._read_exactly(length or 0)
        except TimeoutError:  # a client that stalls mid-body holds a thread: answer and close
            self._body_consumed = True
            self.close_connection = True
            raise ProblemError("request_timeout", f"The body did not arrive within {self.timeout} s.") from None
        self._body_consumed = True
        try:
            return parse_json(data, MAX_JSON_DEPTH)
        except JsonTooDeep as exc:
            raise ProblemError("nesting_too_deep", str(exc)) from None
        except JsonSyntaxError as exc:
            raise ProblemError("invalid_json", f"The body is not valid JSON: {exc}") from None

    # parse_request made sure of the framing: a Content-Length of digits, or chunked, or neither.
    def _chunked(self) -> bool:
        return self.headers.get("Transfer-Encoding") is not None

    def _content_length(self) -> Optional[int]:
        length = self.headers.get("Content-Length")
        return None if length is None else int(length.split(",")[0])

    def _malformed(self, detail: str) -> ProblemError:
        """A body whose framing breaks mid-way: the rest of the connection is unusable."""
        self._body_consumed = True
        self.close_connection = True
        self._linger = True
        return ProblemError("malformed_request", detail)

    def _read_exactly(self, size: int) -> bytes:
        data = self.rfile.read(size)
        if len(data) < size:
            raise self._malformed(f"The body ended after {len(data)} of {size} bytes.")
        return data

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        size_total = 0
        while True:
            line = self.rfile.readline(1024)
            found = _CHUNK_SIZE_LINE.fullmatch(line)
            if found is None:
                shown = line[:40].decode("latin-1").rstrip("\r\n")
                raise self._malformed(f"Bad chunk-size line {shown!r} in a chunked body.")
            size = int(found.group(1), 16)
            if size == 0:
                self._read_trailers()
                return b"".join(parts)
            size_total += size
            if size_total > MAX_BODY_BYTES:
                self.close_connection = True
                raise ProblemError("payload_too_large", f"The body is over {MAX_BODY_BYTES} bytes.")
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                raise self._malformed(f"A chunk ended after {len(chunk)} of its {size} bytes.")
            parts.append(chunk)
            end = self.rfile.read(1)
            if end == b"\r":
                end = self.rfile.read(1)
            if end != b"\n":
                raise self._malformed(f"A chunk of {size} bytes is not followed by CRLF.")

    def _read_trailers(self) -> None:
        for _ in range(_MAX_TRAILER_LINES):
            line = self.rfile.readline(8192)
            if line in (b"\r\n", b"\n"):
                return
            if not line.endswith(b"\n") or b":" not in line:
                raise self._malformed("Bad trailer section after the last chunk.")
        raise self._malformed(f"More than {_MAX_TRAILER_LINES} trailer lines.")

    def _finish_body(self) -> None:
        """Consumes an unread request body so the connection can be reused, or closes it.

        A body over the limit is still read and dropped (up to a bound), because closing a
        socket with unread input makes TCP reset it, and the client may lose our answer.
        """
        if self._body_consumed:
            return
        self._body_consumed = True
        if not self._body_reusable():
            self.close_connection = True
        if self._chunked():
            return
        length = self._content_length()
        if length is not None and length <= DISCARD_LIMIT_BYTES:
            self._discard(length)

    def _body_reusable(self) -> bool:
        """Whether an unread body can be skipped so the connection stays usable."""
        if self._chunked():
            return False
        length = self._content_length()
        return length is None or length <= MAX_BODY_BYTES

    def _discard(self, size: int) -> None:
        try:
            self.connection.settimeout(DISCARD_TIMEOUT_S)
            while size > 0:
                got = self.rfile.read(min(size, 1 << 16))
                if not got:
                    break
                size -= len(got)
        except OSError:
            self.close_connection = True
        finally:
            try:
                self.connection.settimeout(self.timeout)
            except OSError:
                pass

    # --- responses -----------------------------------------------------------------------

    def _send(self, response: Response) -> None:
        payload = response.body.encode("utf-8") if response.raw else dumps(response.body).encode("utf-8")
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection or (not self._body_consumed and not self._body_reusable()):
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _stream_head(self) -> None:
        """The event stream's status and headers; `_stream` goes on with the events, HEAD stops here.

        A stream's length is unknown, so it is delimited by closing the connection; an answer
        to HEAD has no body, so its connection stays open unless the client asked to close it.
        """
        if self.command != "HEAD":
            self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        self.wfile.flush()

    def _stream(self, stream: EventStream) -> None:
        self._stream_head()
        try:
            heartbeat_s = self.server.heartbeat_s if stream.heartbeat_ms is None else stream.heartbeat_ms / 1000.0
            stream_job_events(self.server.endpoints.engine, stream.job, stream.last_event_id, self._write_now,
                              heartbeat_s)
        except OSError:
            pass  # the client went away

    def _write_now(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """Errors http.server detects itself, and `parse_request`'s, as problems.

        A 400 or 505 from the parser means the request is not HTTP/1.x we can trust:
        `malformed_request`, then the connection closes after a lingering read.
        """
        code_name = _SEND_ERROR_CODES.get(code, "malformed_request" if code < 500 or code == 505 else "internal_error")
        body = problem(code_name, message or explain or f"HTTP {code}")
        payload = dumps(body).encode("utf-8")
        self.close_connection = True
        self._linger = code_name == "malformed_request"
        if not getattr(self, "request_version", "").startswith("HTTP/1."):
            self.request_version = "HTTP/1.1"  # http.server writes no status line for "HTTP/0.9"
        try:
            self.send_response(CODES[code_name][0])
            self.send_header("Content-Type", "application/problem+json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            if getattr(self, "command", None) != "HEAD":
                self.wfile.write(payload)
        except OSError:
            pass

    def finish(self) -> None:
        super().finish()
        if getattr(self, "_linger", False):
            self._linger_close()

    def _linger_close(self) -> None:
        """Half-closes, then reads and drops what the client still sends, for a bounded time.

        Closing a socket that has unread input makes the kernel reset the connection, and the
        reset can overtake the answer we just wrote; the client would see "connection reset"
        instead of the 400.
        """
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(LINGER_TIMEOUT_S)
            received = 0
            while received < LINGER_LIMIT_BYTES:
                data = self.connection.recv(65536)
                if not data:
                    return
                received += len(data)
        except OSError:
            pass

    def handle_expect_100(self) -> bool:
        """Refuses a body before the client sends it (`Expect: 100-continue`): no valid token
        (checked first, as for any request), or too large."""
        detail = self._malformed_detail()
        if detail is not None:
            self.send_error(400, detail)
            return False
        length = self._content_length()
        error: Optional[ProblemError] = None
        try:
            self._authenticate(match(urlsplit(self.path).path))
        except ProblemError as refused:
            error = refused
        if error is None and length is not None and length > MAX_BODY_BYTES:
            error = ProblemError("payload_too_large", f"The body is over {MAX_BODY_BYTES} bytes.")
        if error is not None:
            self._body_consumed = True  # the client will not send it
            self.close_connection = True  # in case it sends it anyway
            self._send(Response(error.status, error.body, error.headers, "application/problem+json"))
            return False
        return super().handle_expect_100()

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.access_log:
            sys.stderr.write(f"pbcompute: {self.address_string()} {format % args}\n")

    def log_error(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"pbcompute: {self.address_string()} {format % args}\n")
