"""`/health`: whether this server process can serve, for load balancers and health checks."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from realtime.feed import feed
from rooms.models import Room


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query, 503 with the reason when it does not."""
    try:
        Room.objects.only("id").first()
    except DatabaseError as error:
        return JsonResponse(
            {"status": "unavailable", "database": connection.vendor, "reason": str(error)},
            status=503,
        )
    return JsonResponse(
        {
            "status": "ok",
            "database": connection.vendor,
            # Live clients of this process: a number that only goes back to 0 if every
            # disconnected WebSocket and SSE stream gave its subscription back.
            "realtime_subscribers": feed.subscriber_count(),
        }
    )
