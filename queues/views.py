from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from queues import services
from queues.models import ItemStatus
from queues.serializers import (
    QueueAddSerializer,
    QueueItemSerializer,
    QueueListQuerySerializer,
    QueueUpdateSerializer,
)
from rooms.auth import require_member, require_reader
from rooms.services import room_get
from watchqueue_site.api import parse, query_params
from watchqueue_site.errors import Forbidden
from watchqueue_site.schema import CLOSED, conflict, error, responses

DUPLICATE = error(
    "The room's queue already has this title or TMDB id (`duplicate_item`; `existing_item` is "
    "that item), the queue is full (`queue_full`, `ROOM_ITEMS_MAX`) or the room is closed "
    "(`room_closed`).",
    "duplicate_item",
    services.DUPLICATE_TITLE,
    ("queue_full", services.QUEUE_FULL.format(limit=200)),
    CLOSED,
)
WATCHED = ("already_watched", services.ALREADY_WATCHED)


class QueueCollectionView(APIView):
    @extend_schema(
        operation_id="queue_add",
        summary="Add a film or show to a room's queue",
        description=(
            "Refused with 409 if one of the room's items that is not yet watched has the same "
            "title (ignoring case and spacing) or the same TMDB id."
        ),
        request=QueueAddSerializer,
        responses=responses({201: QueueItemSerializer}, (409, DUPLICATE)),
        examples=[
            OpenApiExample(
                "Inception",
                request_only=True,
                value={
                    "room_id": "665f1c2e8a1b2c3d4e5f6a7b",
                    "title": "Inception",
                    "added_by": "alice",
                },
            )
        ],
        tags=["queue"],
    )
    def post(self, request: Request) -> Response:
        data = parse(QueueAddSerializer, request.data)
        room = room_get(data.pop("room_id"))
        member = require_member(request, room)
        added_by = data.pop("added_by", member.user_id)
        if added_by != member.user_id:
            raise Forbidden(services.ADD_AS_SELF_ONLY)
        item = services.queue_item_add(room=room, by=member, **data)
        return Response(QueueItemSerializer(item).data, status=status.HTTP_201_CREATED)


class RoomQueueView(APIView):
    @extend_schema(
        operation_id="queue_room_list",
        summary="A room's queue",
        description=(
            "Without `status`, the items still in play (queued and watching). Sorted by "
            "`vote_score` (highest first, then earliest added) or by when they were added."
        ),
        parameters=[
            OpenApiParameter("status", enum=[s.value for s in ItemStatus], required=False),
            OpenApiParameter("sort", enum=["score", "added"], required=False, default="score"),
        ],
        responses=responses({200: QueueItemSerializer(many=True)}),
        tags=["queue"],
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        require_reader(request, room)
        query = parse(QueueListQuerySerializer, query_params(request))
        items = services.room_queue(
            room, status=query.get("status"), sort=query.get("sort", "score")
        )
        return Response(QueueItemSerializer(items, many=True).data)


class QueueItemView(APIView):
    @extend_schema(
        operation_id="queue_retrieve",
        summary="Get a queue item",
        responses=responses({200: QueueItemSerializer}),
        tags=["queue"],
    )
    def get(self, request: Request, item_id: str) -> Response:
        item = services.item_get(item_id)
        require_reader(request, item.room)
        return Response(QueueItemSerializer(item).data)

    @extend_schema(
        operation_id="queue_update",
        summary="Edit an item, or move it between queued, watching and watched",
        description=(
            "Details can be changed by whoever added the item or the host. Any member may set "
            "`status`: `watching` puts any other watching item back in the queue, `watched` "
            "records the item in the room's history."
        ),
        request=QueueUpdateSerializer,
        responses=responses(
            {200: QueueItemSerializer},
            (
                409,
                conflict(("duplicate_item", services.DUPLICATE_TITLE), WATCHED, CLOSED),
            ),
        ),
        examples=[
            OpenApiExample(
                "Fix the title", request_only=True, value={"title": "Inception", "year": 2010}
            ),
            OpenApiExample("Now watching", request_only=True, value={"status": "watching"}),
        ],
        tags=["queue"],
    )
    def patch(self, request: Request, item_id: str) -> Response:
        item = services.item_get(item_id)
        member = require_member(request, item.room)
        data = parse(QueueUpdateSerializer, request.data)
        new_status = data.pop("status", None)
        if data:
            item = services.queue_item_update(item=item, by=member, **data)
        if new_status is not None:
            item = services.queue_item_set_status(item=item, by=member, status=new_status)
        return Response(QueueItemSerializer(item).data)

    @extend_schema(
        operation_id="queue_destroy",
        summary="Remove an item from the queue (whoever added it, or the host)",
        responses=responses({204: None}, (409, conflict(WATCHED, CLOSED))),
        tags=["queue"],
    )
    def delete(self, request: Request, item_id: str) -> Response:
        item = services.item_get(item_id)
        member = require_member(request, item.room)
        services.queue_item_remove(item=item, by=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QueueItemWatchView(APIView):
    @extend_schema(
        operation_id="queue_watch",
        summary="Mark an item as being watched now",
        request=None,
        responses=responses({200: QueueItemSerializer}, (409, conflict(WATCHED, CLOSED))),
        tags=["queue"],
    )
    def post(self, request: Request, item_id: str) -> Response:
        item = services.item_get(item_id)
        member = require_member(request, item.room)
        item = services.queue_item_start_watching(item=item, by=member)
        return Response(QueueItemSerializer(item).data)
