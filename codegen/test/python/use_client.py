"""Drives a generated compute_client module against a live server and prints what it saw as one
JSON object (test/pythonClient.test.ts asserts on it). Uses only the conformance functions, so it
runs against every stack. A small proxy in front of the server injects 503s and hides the event
stream, to watch retries and the polling fallback. Type-checked with mypy --strict.

Usage: python3 use_client.py URL [TOKEN]
"""
from __future__ import annotations

import http.server
import json
import sys
import threading
import urllib.error
import urllib.request
from typing import Dict, List, Optional, Tuple, Union

from compute_client import Client, Job, JobEvent, ProblemError, Progress

JsonRecord = Dict[str, object]


def problem(call: object) -> JsonRecord:
    """Runs a zero-argument callable that must raise ProblemError; returns the error's fields."""
    assert callable(call)
    try:
        call()
    except ProblemError as error:
        return {"status": error.status, "code": error.code, "detail": error.detail, "errors": list(error.errors), "itemIndex": error.item_index, "jobId": error.job_id}
    raise AssertionError("no ProblemError")


class Proxy(http.server.ThreadingHTTPServer):
    """Forwards to the server; answers 503 to the next `fail` requests whose path starts with `fail_prefix`;
    when `hide_events`, answers event streams with an HTML page (as a buffering proxy might); when
    `cut_events`, ends a fresh event stream (no Last-Event-ID) after its first two events."""

    daemon_threads = True

    def __init__(self, target: str) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.target = target
        self.fail = 0
        self.fail_prefix = ""
        self.hide_events = False
        self.cut_events = False
        self.last_event_ids: List[Optional[str]] = []
        self.content_types: List[Optional[str]] = []
        self.seen: List[Tuple[str, str, int]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: Proxy

    def log_message(self, format: str, *args: object) -> None:
        pass

    def answer(self, status: int, content_type: str, body: bytes, headers: Dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def forward(self) -> None:
        proxy = self.server
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else None
        if data is not None:
            proxy.content_types.append(self.headers.get("Content-Type"))
        with proxy.lock:
            failing = proxy.fail > 0 and self.path.startswith(proxy.fail_prefix)
            if failing:
                proxy.fail -= 1
        if failing:
            body = json.dumps({"type": "https://polybridge.dev/problems/queue_full", "title": "Queue full", "status": 503, "code": "queue_full"}).encode()
            proxy.seen.append((self.command, self.path, 503))
            return self.answer(503, "application/problem+json", body, {"Retry-After": "0"})
        if proxy.hide_events and "/events" in self.path:
            proxy.seen.append((self.command, self.path, 200))
            return self.answer(200, "text/html", b"<html>streaming is not allowed here</html>", {})
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
        request = urllib.request.Request(proxy.target + self.path, data=data, headers=headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body, answer_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, body, answer_headers = error.code, error.read(), error.headers
        proxy.seen.append((self.command, self.path, status))
        if "/events" in self.path:
            proxy.last_event_ids.append(self.headers.get("Last-Event-ID"))
            if proxy.cut_events and self.headers.get("Last-Event-ID") is None:
                body = b"".join(event + b"\n\n" for event in body.split(b"\n\n")[:2])
        extra = {k: v for k, v in answer_headers.items() if k.lower() in ("retry-after", "location", "idempotent-replayed", "www-authenticate")}
        self.answer(status, answer_headers.get("Content-Type") or "application/json", body, extra)

    do_GET = forward
    do_POST = forward
    do_DELETE = forward


def event_names(events: List[JobEvent]) -> List[str]:
    return [event["event"] for event in events]


def main() -> None:
    url = sys.argv[1]
    token = sys.argv[2] if len(sys.argv) > 2 else None
    client = Client(url, token=token, timeout=20)
    out: JsonRecord = {}

    # Calls: unary, reducer (acc, item), emitter ((key, value) tuples).
    square: float = client.functions.square(12)
    total: float = client.functions.sum(1, 2)
    words: List[Tuple[Union[str, float], float]] = client.functions.tokenize("A b, a")
    out["calls"] = {"square": square, "sum": total, "tokenize": words, "tokenizeTuples": all(isinstance(w, tuple) for w in words), "echo": client.functions.echo({"a": [1, None]})}

    # Each job kind, typed by the catalogue; items, a Python range (run on the server), progress.
    progress: List[Progress] = []
    squares: List[float] = client.jobs.run("map", "square", [1, 2, 3], chunk_size=1, on_progress=progress.append)
    evens: List[int] = client.jobs.run("filter", "isEven", range(0, 10), chunk_size=3)
    folded: float = client.jobs.run("fold", "sum", range(1, 101))
    counts: List[Tuple[Union[str, float], float]] = client.jobs.run("mapreduce", "tokenize", ["a b a", "b c"], reducer="sum")
    out["jobs"] = {"map": squares, "filter": evens, "fold": folded, "mapreduce": counts, "progress": [p["completedItems"] for p in progress], "totalItems": [p["totalItems"] for p in progress]}

    # A job handle: its events over SSE (with ids), then its result.
    job: Job[List[float]] = client.jobs.submit("map", "square", [4, 5], chunk_size=1)
    events = list(job.events(heartbeat_ms=1000))
    out["events"] = {"names": event_names(events), "ids": [event.get("id") for event in events], "result": job.result(), "status": job.info["status"]}
    waited = client.jobs.submit("fold", "sum", [1, 2, 3], wait=10)
    out["wait"] = {"status": waited.info["status"], "result": waited.result()}
    key = f"python-client-{job.id}"
    first = client.jobs.submit("map", "square", [6], idempotency_key=key)
    again = client.jobs.submit("map", "square", [6], idempotency_key=key)
    out["idempotency"] = {"sameJob": first.id == again.id, "replayed": [first.replayed, again.replayed], "result": again.result()}

    # Cancel while it runs: the stream ends with job_cancelled and the dismissed job.
    slow: Job[List[int]] = client.jobs.submit("map", "sleep", [300] * 8, chunk_size=1, concurrency=1)
    seen: List[JobEvent] = []
    cancelled_status = ""
    for event in slow.events():
        seen.append(event)
        if event["event"] == "progress" and not cancelled_status:
            cancelled_status = slow.cancel()["status"]
    error_events = [event["data"]["code"] for event in seen if event["event"] == "error"]
    out["cancel"] = {"cancelAnswer": cancelled_status, "names": event_names(seen), "errorCodes": error_events, "final": slow.info["status"], "result": problem(slow.result), "again": slow.cancel()["status"]}

    # Problems: a function that throws, invalid input, a failing item, an unknown function, a client timeout.
    out["problems"] = {
        "fail": problem(lambda: client.functions.fail("boom")),
        "invalid": problem(lambda: client.call("square", "x")),
        "item": problem(lambda: client.jobs.run("map", "fail", [1, -1, 2], chunk_size=1)),
        "unknown": problem(lambda: client.call("nope", 1)),
        "timeout": problem(lambda: client.functions.sleep(3000, timeout=0.3)),
        "callTimeout": problem(lambda: client.functions.sleep(2000, timeout_ms=50)),
        "network": problem(lambda: Client("http://127.0.0.1:9", retries=1, timeout=5).health()),
    }
    # run() gives up after its timeout, and cancels the job it leaves behind.
    gave_up = problem(lambda: client.jobs.run("map", "sleep", [400] * 8, chunk_size=1, concurrency=1, timeout=0.6))
    out["runTimeout"] = {"problem": gave_up, "jobStatus": client.jobs.get(str(gave_up["jobId"]))["status"]}

    # Through a proxy: 503 + Retry-After retried for safe requests only; no event stream → polling.
    proxy = Proxy(url)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        proxied = Client(proxy.url, token=token, timeout=20)
        proxy.fail, proxy.fail_prefix = 1, "/v1/jobs"
        polled_progress: List[Progress] = []
        polled: Job[List[int]] = proxied.jobs.submit("map", "sleep", [400] * 5, chunk_size=1, concurrency=1)
        proxy.hide_events = True
        polled_events = list(polled.events())
        polled_result = polled.result(on_progress=polled_progress.append)
        submits = [status for method, path, status in proxy.seen if method == "POST" and path == "/v1/jobs"]
        proxy.fail, proxy.fail_prefix = 1, "/v1/health"
        health_status = proxied.health()["status"]
        healths = [status for method, path, status in proxy.seen if path == "/v1/health"]
        proxy.fail, proxy.fail_prefix = 1, "/v1/functions/square/call"
        not_retried = problem(lambda: proxied.functions.square(3))
        calls = [status for method, path, status in proxy.seen if path == "/v1/functions/square/call"]
        out["proxy"] = {
            "submitStatuses": submits,
            "polledNames": event_names(polled_events),
            "polledIds": [event.get("id") for event in polled_events],
            "polledResult": polled_result,
            "callStatuses": calls,
            "healthStatuses": healths,
            "health": health_status,
            "notRetried": not_retried,
            "pollingFallback": stream_disabled_names(proxied, polled),
            "bodyContentTypes": sorted(set(str(t) for t in proxy.content_types)),
        }
        # A stream cut after two events: resumed with Last-Event-ID, nothing lost or repeated.
        proxy.hide_events, proxy.cut_events, proxy.last_event_ids = False, True, []
        done = proxied.jobs.submit("map", "square", [1, 2, 3], chunk_size=1, wait=10)
        resumed = list(done.events())
        out["resume"] = {"names": event_names(resumed), "ids": [event.get("id") for event in resumed], "lastEventIds": proxy.last_event_ids}
    finally:
        proxy.shutdown()
        proxy.server_close()
    if token is not None:
        # A server with tokens: none is 401 unauthorized; a callable token is asked per request.
        asked: List[int] = []

        def current_token() -> str:
            asked.append(1)
            return token or ""

        out["auth"] = {
            "without": problem(lambda: Client(url).jobs.list()),
            "wrong": problem(lambda: Client(url, token="not-the-token").functions.square(2)),
            "callable": Client(url, token=current_token).functions.square(5),
            "asked": len(asked),
        }
    print(json.dumps(out))


def stream_disabled_names(client: Client, job: Job[List[int]]) -> List[str]:
    """``stream=False`` polls from the start; an ended job gives its last events."""
    return event_names(list(client.jobs.attach(job.id).events(stream=False)))


if __name__ == "__main__":
    main()
