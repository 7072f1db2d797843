"""The OpenAPI description of `GET /api/search` and `POST /api/queue/{item_id}/enrich`, plain
async views rather than DRF's."""

from typing import Any

from tmdb.views import QUERY_MAX, TMDB_NOT_CONFIGURED

_RESULT = {
    "type": "object",
    "properties": {
        "tmdb_id": {"type": "integer"},
        "media_type": {"type": "string", "enum": ["movie", "tv"]},
        "title": {"type": "string"},
        "year": {"type": "integer", "nullable": True},
        "overview": {"type": "string"},
        "poster_url": {"type": "string", "nullable": True},
        "backdrop_url": {"type": "string", "nullable": True},
        "genres": {"type": "array", "items": {"type": "string"}},
    },
}

_EXAMPLE = {
    "query": "heat",
    "type": None,
    "results": [
        {
            "tmdb_id": 949,
            "media_type": "movie",
            "title": "Heat",
            "year": 1995,
            "overview": "Obsessive master thief Neil McCauley leads a top-notch crew...",
            "poster_url": "https://image.tmdb.org/t/p/w500/umSVjVdbVwtx5ryCA2QXL44Durm.jpg",
            "backdrop_url": "https://image.tmdb.org/t/p/w1280/4B9i4mdVQYxEPAmBv5JRZNwVOdD.jpg",
            "genres": ["Action", "Crime", "Drama"],
        }
    ],
}


_ITEM = {"$ref": "#/components/schemas/QueueItem"}
_ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


_ENRICH = {
    "post": {
        "operationId": "queue_enrich",
        "summary": "Fetch an item's metadata from TMDB now",
        "description": (
            "Asks TMDB about the item (by its `tmdb_id`, or by a title that names one film or "
            "show unambiguously) and answers the item as it then is: poster and backdrop, year, "
            "runtime, genres, overview, and `providers`, where it streams, rents or buys in "
            "`TMDB_REGION`. Items added while TMDB is configured are enriched like this in the "
            "background. The outcome is in `enrichment`: `enriched`, `unmatched` (no single "
            "match for the title, with why in `enrichment_error`) or `failed`. If TMDB's id makes "
            "the item a duplicate of another open one, a queued item is merged into that one "
            "(its votes move over where the voter has none there) and the answer is that item. "
            "The room sees every step as a `queue_update`."
        ),
        "tags": ["queue"],
        "parameters": [
            {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "security": [{"memberToken": []}],
        "responses": {
            "200": {
                "description": "TMDB answered; the item, or the one it was merged into.",
                "content": {"application/json": {"schema": _ITEM}},
            },
            "401": _error("No token, or a token that is not valid."),
            "403": _error("The token is for another room."),
            "404": _error("No item with this id."),
            "409": _error("The room is closed (`room_closed`) or the item watched."),
            "503": _error(
                "TMDB is not configured (`tmdb_not_configured`), refused the key "
                "(`tmdb_refused_key`) or did not answer (`tmdb_unavailable`); the last two come "
                f"with the `item` as recorded. {TMDB_NOT_CONFIGURED}"
            ),
        },
    }
}


def add_search(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular post-processing hook: add the TMDB paths."""
    result["paths"]["/api/queue/{item_id}/enrich"] = _ENRICH
    result["paths"]["/api/search"] = {
        "get": {
            "operationId": "search",
            "summary": "Search TMDB's movies and shows (for suggestions)",
            "description": (
                "Movies and TV shows matching `q`, most relevant first, answered from a "
                "five-minute cache. Needs any member's token; the server's TMDB key stays on "
                "the server. Without a key configured: 503 `tmdb_not_configured` "
                f"({TMDB_NOT_CONFIGURED})"
            ),
            "tags": ["metadata"],
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": QUERY_MAX},
                },
                {
                    "name": "type",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["movie", "tv"]},
                },
            ],
            "security": [{"memberToken": []}],
            "responses": {
                "200": {
                    "description": "The matches.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "query": {"type": "string"},
                                    "type": {"type": "string", "nullable": True},
                                    "results": {"type": "array", "items": _RESULT},
                                },
                            },
                            "example": _EXAMPLE,
                        }
                    },
                },
                "400": {"description": "No search text, or an unknown type."},
                "401": {"description": "No token, or a token that is not valid."},
                "503": {
                    "description": (
                        "TMDB is not configured (`tmdb_not_configured`), refused the key "
                        "(`tmdb_refused_key`) or did not answer (`tmdb_unavailable`)."
                    )
                },
            },
        }
    }
    return result
