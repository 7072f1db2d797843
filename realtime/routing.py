from django.urls import path

from realtime.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/<str:room_id>/<str:user_id>", RoomConsumer.as_asgi()),
]
