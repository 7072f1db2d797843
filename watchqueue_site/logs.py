"""No token in any log line.

Tokens ride in URLs where a client cannot set headers (`?token=` on an SSE stream or a
WebSocket), and daphne's access log writes each request's full path, query string included.
Whoever reads the log would then hold every member's token. `redact` blanks the value of every
`token=` parameter and every `Bearer` credential; the access log and Django's logging both pass
their lines through it.
"""

import logging
import re

from daphne.access import AccessLogGenerator

_TOKEN_PARAM = re.compile(r"(?i)(token=)[^&\s\"';]+")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _BEARER.sub(rf"\g<1>{REDACTED}", _TOKEN_PARAM.sub(rf"\g<1>{REDACTED}", text))


class RedactTokens(logging.Filter):
    """A logging filter (settings.LOGGING) that rewrites a record whose message holds a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def redact_access_log() -> None:
    """Pass every line of daphne's access log (`AccessLogGenerator`, which daphne's command line
    makes for `--access-log` or `-v1`) through `redact`. Daphne offers no hook for its access
    log's format, so its one writing method is wrapped; `watchqueue_site.asgi`, the module daphne
    loads, calls this before the server takes its first connection."""
    if getattr(AccessLogGenerator.write_entry, "redacts_tokens", False):
        return
    write_entry = AccessLogGenerator.write_entry

    def redacted(self: AccessLogGenerator, host: str, date: object, request: str, *args, **kwargs):
        return write_entry(self, host, date, redact(request), *args, **kwargs)

    redacted.redacts_tokens = True
    AccessLogGenerator.write_entry = redacted
