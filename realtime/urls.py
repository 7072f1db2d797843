from django.urls import path

from realtime import sse, views

app_name = "realtime"

urlpatterns = [
    path("rooms/<str:room_id>/snapshot", views.SnapshotView.as_view(), name="snapshot"),
    path("rooms/<str:room_id>/presence", views.PresenceView.as_view(), name="presence"),
    path("events/room/<str:room_id>", sse.RoomEventsView.as_view(), name="room"),
    path("events/votes/<str:room_id>", sse.VoteEventsView.as_view(), name="votes"),
    path("events/queue/<str:room_id>", sse.QueueEventsView.as_view(), name="queue"),
]
