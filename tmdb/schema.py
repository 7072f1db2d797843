"""The OpenAPI description of `GET /api/search`, a plain async view rather than DRF's."""

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


def add_search(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular post-processing hook: add the TMDB search path."""
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
