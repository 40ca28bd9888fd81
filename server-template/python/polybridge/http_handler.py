"""HTTP/1.1 transport for the endpoints: routing, body framing and limits, responses.

`http.server` handles keep-alive once `protocol_version` is HTTP/1.1, provided every response
has a correct `Content-Length` and every request body is consumed (or the connection closed):
an unread body would otherwise be parsed as the next request.

Authentication comes first, before routing answers 404/405 and before the body is read or
checked: a caller without a valid token learns nothing about routes or limits, and its body
is drained unparsed.
"""

from __future__ import annotations

import sys
import traceback
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

from .endpoints import EventStream, Request, Response
from .jsonio import JsonSyntaxError, JsonTooDeep, dumps, parse_json
from .problems import CODES, ProblemError, problem
from .protocol import MAX_BODY_BYTES, MAX_JSON_DEPTH
from .openapi import own_url
from .routes import Route, match
from .sse import stream_job_events

# How much of a refused body is read and dropped before closing, and for how long at most.
DISCARD_LIMIT_BYTES = 4 * MAX_BODY_BYTES
DISCARD_TIMEOUT_S = 10.0

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
            if endpoint is None:
                allowed = ", ".join(route.methods)
                raise ProblemError("method_not_allowed", f"{self.command} is not allowed here; use {allowed}.",
                                   headers={"Allow": allowed})
            request = Request(self.command, split.path, params, parse_qs(split.query), self.headers, self._read_json,
                              tenant, own_url(self.headers.get("Host"), self.server.server_address))
            outcome = getattr(self.server.endpoints, endpoint)(request)
            if isinstance(outcome, EventStream):
                self._finish_body()
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
        length_header = self.headers.get("Content-Length")
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        if length_header is not None and not chunked:
            if not length_header.strip().isdigit():
                self.close_connection = True
                raise ProblemError("invalid_json", "Content-Length is not a number.")
            if int(length_header) > MAX_BODY_BYTES:
                self.close_connection = True  # the body stays unread
                raise ProblemError("payload_too_large", f"The body is over {MAX_BODY_BYTES} bytes.")
        if not _is_json_media_type(self.headers.get("Content-Type")):
            sent = (self.headers.get("Content-Type") or "no content type").split(";", 1)[0]
            raise ProblemError("unsupported_media_type", f"Send application/json, not {sent}.")
        try:
            data = self._read_chunked() if chunked else self.rfile.read(int(length_header or 0))
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

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        size_total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                raise ProblemError("invalid_json", "Malformed chunked body.") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            size_total += size
            if size_total > MAX_BODY_BYTES:
                self.close_connection = True
                raise ProblemError("payload_too_large", f"The body is over {MAX_BODY_BYTES} bytes.")
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _finish_body(self) -> None:
        """Consumes an unread request body so the connection can be reused, or closes it.

        A body over the limit is still read and dropped (up to a bound), because closing a
        socket with unread input makes TCP reset it, and the client may lose our answer.
        """
        if self._body_consumed:
            return
        self._body_consumed = True
        length = self.headers.get("Content-Length")
        if not self._body_reusable():
            self.close_connection = True
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return
        if length is not None and length.strip().isdigit():
            size = int(length)
            if size <= DISCARD_LIMIT_BYTES:
                self._discard(size)

    def _body_reusable(self) -> bool:
        """Whether an unread body can be skipped so the connection stays usable."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return False
        length = self.headers.get("Content-Length")
        return length is None or (length.strip().isdigit() and int(length) <= MAX_BODY_BYTES)

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

    def _stream(self, stream: EventStream) -> None:
        # The stream's length is unknown, so it is delimited by closing the connection.
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        self.wfile.flush()
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
        """Errors http.server detects itself (bad request line, oversized headers) as problems."""
        by_status = {404: "not_found", 405: "method_not_allowed", 408: "request_timeout", 413: "payload_too_large",
                     414: "payload_too_large", 431: "headers_too_large", 500: "internal_error"}
        code_name = by_status.get(code, "validation_failed" if code < 500 else "internal_error")
        body = problem(code_name, message or explain or f"HTTP {code}")
        payload = dumps(body).encode("utf-8")
        self.close_connection = True
        try:
            self.send_response(CODES[code_name][0], message)
            self.send_header("Content-Type", "application/problem+json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            if getattr(self, "command", None) != "HEAD":
                self.wfile.write(payload)
        except OSError:
            pass

    def handle_expect_100(self) -> bool:
        """Refuses a body before the client sends it (`Expect: 100-continue`): no valid token
        (checked first, as for any request), or too large."""
        length = self.headers.get("Content-Length") or ""
        error: Optional[ProblemError] = None
        try:
            self._authenticate(match(urlsplit(self.path).path))
        except ProblemError as refused:
            error = refused
        if error is None and length.strip().isdigit() and int(length) > MAX_BODY_BYTES:
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
