"""What daphne receives is bounded, and reaches Django as it was sent.

Bodies. Daphne (Twisted underneath) receives a request's whole body, into a temporary file past
100 KB, before the app sees any of it, so a limit the app checks comes after the work: a 200 MB
body was received and spooled to disk before its 413. `WebRequest` checks the body while it
arrives instead: a declared `Content-Length` over `DATA_UPLOAD_MAX_MEMORY_SIZE` is answered 413
at once, before a byte of the body is read, and a chunked body is counted as it arrives and cut
at the limit with the same 413. Either way the connection is closed and the app never runs.

Forms. Twisted parses the body of a POST sent as `multipart/form-data` (or as a form) itself,
for a `request.args` that daphne never reads: daphne hands Django the raw body. A multipart body
Twisted cannot parse (no boundary, a cut-off part) is refused there with a bare 400 and no body,
before the app can answer it in JSON. Requests built with `parsePOSTFormSubmission=False` skip
that parse, so every body reaches the app and is answered as any other is (415 for the API,
which takes JSON only).

WebSocket messages. Daphne's own bound is 1 MiB per message and per frame; `WebSocketFactory`
lowers both to `WS_MESSAGE_MAX_BYTES`. Past it, autobahn closes the connection with code 1009
(message too big) before the consumer sees the message.

Headers stay bounded by Twisted itself: the request line and headers together at most 16 KiB
and at most 500 headers, past which Twisted answers a bare 400 and closes the connection; a
single line over 16 KiB closes it with no answer.

It lives here because this app owns what is served over daphne. The body checks can go once
daphne streams bodies to the app and checks its own limit.
"""

import inspect
import io
import json
import sys
from typing import Any

from daphne import http_protocol, ws_protocol
from django.conf import settings
from twisted.web import http

from watchqueue_site.api import TOO_LARGE, error_body


def _json_answer(status: str, body: dict[str, Any]) -> bytes:
    content = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 {status}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(content)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + content


class WebRequest(http_protocol.WebRequest):
    _refused = False
    _received = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if _PARSE_SWITCH:
            kwargs["parsePOSTFormSubmission"] = False
        super().__init__(*args, **kwargs)

    def gotLength(self, length: int | None) -> None:
        """Twisted's call once the headers are in: `length` is the declared Content-Length,
        or None for a chunked body. Twisted would open the file the body is spooled to here."""
        if length is not None and length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            self._refuse_too_large()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        if self._refused:
            return
        self._received += len(data)
        if self._received > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            self._refuse_too_large()
            return
        super().handleContentChunk(data)

    def process(self) -> Any:
        # A refused body that still ends (the rest of a chunked one was already in the buffer)
        # must not reach the app.
        if self._refused:
            return None
        if self.requestHeaders.hasHeader(b"Transfer-Encoding"):
            # Twisted has decoded the chunks; Django reads a body only as long as its declared
            # length, and read a chunked one as empty. Declare what arrived.
            self.requestHeaders.removeHeader(b"Transfer-Encoding")
            self.requestHeaders.setRawHeaders(b"Content-Length", [str(self._received).encode()])
        return super().process()

    def _refuse_too_large(self) -> None:
        self._refused = True
        self.content = io.BytesIO()  # Twisted seeks in it if the body's end arrives anyway
        # No "100 Continue" after the refusal, which Twisted would otherwise send next.
        self.requestHeaders.removeHeader(b"Expect")
        self.channel.transport.write(
            _json_answer("413 Content Too Large", error_body("too_large", TOO_LARGE))
        )
        self.channel.loseConnection()


class WebSocketFactory(ws_protocol.WebSocketFactory):
    def setProtocolOptions(self, **options: Any) -> None:
        limit = settings.WS_MESSAGE_MAX_BYTES
        for option in ("maxMessagePayloadSize", "maxFramePayloadSize"):
            options[option] = min(options.get(option) or limit, limit)
        # Say why in a close frame (1009) rather than drop the connection without one.
        options["failByDrop"] = False
        super().setProtocolOptions(**options)


_PARSE_SWITCH = "parsePOSTFormSubmission" in inspect.signature(http.Request.__init__).parameters


def install() -> None:
    """Have daphne build its requests as `WebRequest` (its `HTTPFactory` looks the class up in
    its module for each new connection) and its WebSocket factory as `WebSocketFactory` (its
    server looks it up when it starts, after the app is loaded). Importing `daphne.server`
    installs Twisted's reactor, so it is changed only where daphne itself imported it."""
    http_protocol.WebRequest = WebRequest
    if daphne_server := sys.modules.get("daphne.server"):
        daphne_server.WebSocketFactory = WebSocketFactory
