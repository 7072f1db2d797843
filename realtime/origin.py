from channels.security.websocket import OriginValidator
from django.conf import settings


class BrowserOriginValidator(OriginValidator):
    """Refuse a WebSocket whose page came from a host outside ALLOWED_HOSTS.

    Browsers always send `Origin`; a client that sends none is not a browser page that another
    site could have opened, so it is let through to the token check like any API client.
    """

    def valid_origin(self, parsed_origin: object) -> bool:
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)


def browser_origin_validator(application: object) -> BrowserOriginValidator:
    allowed = settings.ALLOWED_HOSTS or (
        ["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else []
    )
    return BrowserOriginValidator(application, allowed)
