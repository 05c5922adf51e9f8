"""A fake OpenAI-compatible language model server on loopback, for tests.

It answers ``POST /v1/chat/completions`` (plain JSON, or server-sent events with
``"stream": true``, as OpenAI, Ollama and vLLM do) and ``GET /v1/models``, and records every
request so a test can assert on exactly what reached the model::

    with FakeModel() as model:
        model.reply("Bob's weakest skill is discovery.")
        ...  # the app, with COACHBOT_LLM_BASE_URL=model.base_url
        assert "Cy's private note" not in model.prompt_text()

``fail(500)`` answers errors, ``hang(seconds)`` holds answers (for timeouts); ``stop()`` wakes
held requests. Only the standard library is used; all public methods are thread-safe.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

DEFAULT_MODEL = "fake-model"
DEFAULT_REPLY = "Here is what I see in your notes."


@dataclass
class ModelRequest:
    """One chat-completions request as the fake received it."""

    path: str
    model: str
    messages: list[dict[str, Any]]
    stream: bool
    authorization: str | None
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Every message's content, one per line: what the model was shown."""
        return "\n".join(str(m.get("content") or "") for m in self.messages)


class FakeModel:
    def __init__(self, *, model: str = DEFAULT_MODEL) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: list[ModelRequest] = []
        self._reply = DEFAULT_REPLY
        self._fail: tuple[int, int | None] | None = None  # (status, times left; None = always)
        self._hang = 0.0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Self:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._stopping.clear()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start() if self._server is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``: what COACHBOT_LLM_BASE_URL is set to."""
        assert self._server is not None, "start() the fake model first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # -- behaviour ---------------------------------------------------------------------

    def reply(self, text: str) -> None:
        """Answer every later request with ``text`` (and stop failing or hanging)."""
        with self._lock:
            self._reply, self._fail, self._hang = text, None, 0.0

    def fail(self, status: int = 500, *, times: int | None = None) -> None:
        """Answer ``status`` with an OpenAI-style error body (``times`` requests, or all)."""
        with self._lock:
            self._fail = (status, times)

    def hang(self, seconds: float) -> None:
        """Hold each answer for ``seconds`` (woken early by ``stop``): longer than the app's
        timeout, it is a model that does not answer."""
        with self._lock:
            self._hang = seconds

    # -- read back ---------------------------------------------------------------------

    @property
    def requests(self) -> list[ModelRequest]:
        with self._lock:
            return list(self._requests)

    def completions(self) -> list[ModelRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def prompt_text(self) -> str:
        """Everything every completion request showed the model, for "never reaches the
        prompt" assertions."""
        return "\n".join(r.text for r in self.completions())

    def wait_for_completions(self, count: int = 1, timeout: float = 10.0) -> list[ModelRequest]:
        deadline = time.monotonic() + timeout
        while len(found := self.completions()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} completion request(s), expected {count}")
            time.sleep(0.01)
        return found

    # -- serving -------------------------------------------------------------------------

    def _answer(self, handler: _Handler, method: str) -> None:
        path = handler.path.split("?", 1)[0].rstrip("/")
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if method == "GET" and path.endswith("/models"):
            self._record(ModelRequest(path, "", [], False, handler.headers.get("Authorization")))
            if (failing := self._take_failure()) is not None:
                _send_json(handler, failing, {"error": {"message": "the fake model failed", "type": "server_error"}})
                return
            _send_json(handler, 200, {"object": "list", "data": [{"id": self.model, "object": "model"}]})
            return
        if method != "POST" or not path.endswith("/chat/completions"):
            _send_json(handler, 404, {"error": {"message": f"no route {path}", "type": "invalid_request_error"}})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            _send_json(handler, 400, {"error": {"message": "invalid JSON", "type": "invalid_request_error"}})
            return
        messages = body.get("messages") if isinstance(body.get("messages"), list) else []
        request = ModelRequest(
            path, str(body.get("model") or ""), messages, bool(body.get("stream")), handler.headers.get("Authorization")
        )
        request.body = body
        self._record(request)
        with self._lock:
            reply, hang = self._reply, self._hang
        fail = self._take_failure()
        if hang:
            self._stopping.wait(hang)
        if fail is not None:
            _send_json(handler, fail, {"error": {"message": "the fake model failed", "type": "server_error"}})
            return
        if request.stream:
            self._stream(handler, request, reply)
        else:
            _send_json(handler, 200, _completion(request.model or self.model, reply))

    def _take_failure(self) -> int | None:
        """The status to fail this request with, if failing (one of ``times`` used up)."""
        with self._lock:
            fail = self._fail
            if fail is not None and fail[1] is not None:
                self._fail = (fail[0], fail[1] - 1) if fail[1] > 1 else None
        return fail[0] if fail is not None else None

    def _record(self, request: ModelRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _stream(self, handler: _Handler, request: ModelRequest, reply: str) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        # No length is known up front: the stream ends when the connection closes.
        handler.send_header("Connection", "close")
        handler.close_connection = True
        handler.end_headers()
        model = request.model or self.model
        words = reply.split(" ")
        pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
        first = {"role": "assistant", "content": ""}
        for delta, finish in [(first, None), *(({"content": p}, None) for p in pieces), ({}, "stop")]:
            chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 1767225600,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            handler.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            handler.wfile.flush()
        handler.wfile.write(b"data: [DONE]\n\n")
        handler.wfile.flush()


def _completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1767225600,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _send_json(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
    data = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeModel

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the app's timeout) closes the socket mid-answer: not an error."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.fake._answer(self, "GET")

    def do_POST(self) -> None:
        self.server.fake._answer(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``requests`` instead."""
