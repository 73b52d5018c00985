"""A local HTTP server that replays scripted API replies (JSON bodies and server-sent-event streams).

The real ``openai`` and ``anthropic`` clients are pointed at it with ``base_url``; it listens on 127.0.0.1
only, on a free port, records every request it receives, and can hold a stream open after some events to
see whether the client closes the connection.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from _payloads import (
    anthropic_events,
    anthropic_message,
    chat_chunks,
    chat_completion,
    response,
    response_events,
)

__all__ = ["ReplayServer", "Request"]

#: How long a held stream waits for the client to hang up before giving up.
HOLD_TIMEOUT = 5.0


class Request:
    """One request the server received."""

    __slots__ = ("body", "headers", "path")

    def __init__(self, path: str, headers: dict[str, str], body: Any) -> None:
        self.path = path
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"Request({self.path!r})"


class _Reply:
    __slots__ = ("body", "events", "hold_after", "status")

    def __init__(
        self,
        *,
        status: int = 200,
        body: Any = None,
        events: list[tuple[str | None, Any]] | None = None,
        hold_after: int | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.events = events
        self.hold_after = hold_after


class ReplayServer:
    """Serve scripted replies, in order, to POST requests on 127.0.0.1.

    Use as a context manager; ``url`` is the base URL, ``requests`` what was received, and
    ``hang_ups()`` one bool per held stream: whether the client closed it while it was held. With
    *echo*, a request with no scripted reply is answered ``"You said: <last user text>"`` in the
    API's shape (streamed when the request asks for a stream); without it, with an HTTP 500.
    """

    def __init__(self, *, echo: bool = False) -> None:
        self.echo = echo
        self.requests: list[Request] = []
        self.hung_up: list[bool] = []
        self._replies: deque[_Reply] = deque()
        self._lock = threading.Condition()
        self._held = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.replay = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # -- scripting ------------------------------------------------------------------------------

    def reply_json(self, body: Any, *, status: int = 200) -> None:
        """Answer the next request with *body* as JSON."""
        self._replies.append(_Reply(status=status, body=body))

    def reply_sse(self, events: list[tuple[str | None, Any]], *, hold_after: int | None = None) -> None:
        """Answer the next request with a server-sent-event stream of ``(event name, data)``.

        With *hold_after*, the stream stops after that many events and waits for the client to hang
        up (recorded in ``hung_up``); if it does not, the rest is sent.
        """
        self._replies.append(_Reply(events=events, hold_after=hold_after))

    @property
    def pending(self) -> int:
        """Scripted replies not served yet."""
        return len(self._replies)

    def hang_ups(self, timeout: float = HOLD_TIMEOUT + 1) -> list[bool]:
        """Wait until every held stream served so far has an outcome, then return ``hung_up``."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.hung_up) >= self._held, timeout)
            return list(self.hung_up)

    def _next(self, request: Request) -> _Reply | None:
        with self._lock:
            self.requests.append(request)
            reply = self._replies.popleft() if self._replies else None
            if reply is not None and reply.hold_after is not None:
                self._held += 1
            return reply

    def _held_outcome(self, hung_up: bool) -> None:
        with self._lock:
            self.hung_up.append(hung_up)
            self._lock.notify_all()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Keep test output quiet."""

    def do_POST(self) -> None:
        """Record the request and play the next scripted reply."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        replay: ReplayServer = self.server.replay  # type: ignore[attr-defined]
        reply = replay._next(Request(self.path, dict(self.headers.items()), body))
        if reply is None and replay.echo:
            reply = _echo(self.path, body)
        if reply is None:
            reply = _Reply(status=500, body={"error": {"message": "no reply scripted"}})
        if reply.events is None:
            self._send_json(reply.status, reply.body)
        else:
            self._send_events(replay, reply)

    def _send_json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def _send_events(self, replay: ReplayServer, reply: _Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        events = reply.events or []
        held = reply.hold_after is not None
        try:
            for index, (name, data) in enumerate(events):
                if index == reply.hold_after:
                    held = False
                    hung_up = self._wait_for_hang_up()
                    replay._held_outcome(hung_up)
                    if hung_up:
                        return
                text = data if isinstance(data, str) else json.dumps(data)
                frame = (f"event: {name}\n" if name else "") + f"data: {text}\n\n"
                self._chunk(frame.encode())
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError):
            if held:  # the client hung up before the hold was reached
                replay._held_outcome(True)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _wait_for_hang_up(self) -> bool:
        conn: socket.socket = self.connection
        conn.settimeout(HOLD_TIMEOUT)
        try:
            return conn.recv(1) == b""
        except TimeoutError:
            return False
        except OSError:
            return True
        finally:
            conn.settimeout(None)


def _last_user_text(body: Any) -> str:
    items = body.get("messages") or body.get("input") or []
    if isinstance(items, str):
        return items
    for item in reversed(items):
        if item.get("role") != "user":
            continue
        content = item.get("content")
        if isinstance(content, str):
            return content
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and "text" in p)
    return ""


def _echo(path: str, body: Any) -> _Reply | None:
    text = "You said: " + _last_user_text(body or {})
    words = [text[i : i + 5] for i in range(0, len(text), 5)]
    stream = bool((body or {}).get("stream"))
    if path.endswith("/chat/completions"):
        return _Reply(events=chat_chunks(words)) if stream else _Reply(body=chat_completion(text))
    if path.endswith("/responses"):
        return _Reply(events=response_events([words])) if stream else _Reply(body=response([text]))
    if path.endswith("/messages"):
        return _Reply(events=anthropic_events(words)) if stream else _Reply(body=anthropic_message(text))
    return None
