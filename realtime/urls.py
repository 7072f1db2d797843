from django.urls import path

from realtime import sse

app_name = "realtime"

urlpatterns = [
    path("events/room/<str:room_id>", sse.room_events, {"kind": "room"}, name="room"),
    path("events/votes/<str:room_id>", sse.room_events, {"kind": "votes"}, name="votes"),
    path("events/queue/<str:room_id>", sse.room_events, {"kind": "queue"}, name="queue"),
]
