from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser

TOO_DEEP = "JSON parse error - the document is nested too deeply."


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, with one more malformed input: nesting deep enough to exhaust
    Python's recursion limit, which would otherwise escape as a server error."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
