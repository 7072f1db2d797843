"""Request bodies reach Django as they were sent, whatever their content type.

Under daphne, Twisted parses the body of a POST sent as `multipart/form-data` (or as a form)
itself, for a `request.args` that daphne never reads: daphne hands Django the raw body. A
multipart body Twisted cannot parse (no boundary, a cut-off part) is refused there with a
bare 400 and no body, before the app can answer it in JSON. Requests built with
`parsePOSTFormSubmission=False` skip that parse, so every body reaches the app and is answered
as any other is (415 for the API, which takes JSON only).

It lives here because this app owns what is served over daphne. It can go once daphne builds
its requests that way.
"""

import inspect
from typing import Any

from daphne import http_protocol
from twisted.web import http


class WebRequest(http_protocol.WebRequest):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, parsePOSTFormSubmission=False, **kwargs)


def install() -> None:
    """Have daphne build its requests as `WebRequest`: its `HTTPFactory` looks the class up in
    its module for each new connection. A Twisted without that switch is left as it is."""
    if "parsePOSTFormSubmission" in inspect.signature(http.Request.__init__).parameters:
        http_protocol.WebRequest = WebRequest
