"""The OpenAPI description of the SSE streams, which are plain async views rather than DRF's."""

from typing import Any

_STREAMS = {
    "room": "Every event of the room.",
    "votes": "Only `vote_update` events.",
    "queue": "Only `queue_update` events.",
}

_DESCRIPTION = (
    "A `text/event-stream` of the room's events. Each is sent as `id: <seq>`, `event: <type>` "
    "and `data: <json>`; the JSON is the event as the WebSocket sends it. A browser's "
    "`EventSource` reconnects with `Last-Event-ID` and receives exactly what it missed; if that "
    "is older than the events kept, a `resync` event tells it to fetch the room's state again. "
    "Idle streams get a comment line every `SSE_KEEPALIVE_SECONDS`. `EventSource` cannot set "
    "headers, so the member token may come as `?token=`."
)

_EXAMPLE = (
    'id: 7\nevent: vote_update\ndata: {"type":"vote_update","room_id":"665f1c2e8a1b2c3d4e5f6a7b",'
    '"seq":7,"user_id":"bob","vote":"up","item_id":"665f1c2e8a1b2c3d4e5f6a7c",'
    '"upvotes":1,"downvotes":0,"vote_score":1}\n\n'
)


def add_event_streams(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular post-processing hook: add the three SSE paths."""
    for kind, summary in _STREAMS.items():
        result["paths"][f"/api/events/{kind}/{{room_id}}"] = {
            "get": {
                "operationId": f"events_{kind}",
                "summary": f"Live stream of a room's changes (SSE). {summary}",
                "description": _DESCRIPTION,
                "tags": ["real time"],
                "parameters": [
                    {
                        "name": "room_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "token",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "Last-Event-ID",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "integer"},
                        "description": "Resume after this event number.",
                    },
                ],
                "security": [{"memberToken": []}, {}],
                "responses": {
                    "200": {
                        "description": "The stream.",
                        "content": {
                            "text/event-stream": {"schema": {"type": "string"}, "example": _EXAMPLE}
                        },
                    },
                    "401": {"description": "No token, or a token that is not valid."},
                    "403": {"description": "The token is for another room."},
                    "404": {"description": "No room with this id."},
                },
            }
        }
    return result
