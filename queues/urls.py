from django.urls import path

from queues import views

app_name = "queues"

# The room routes come first: "room" is never an item id (ids are 24 hex digits).
urlpatterns = [
    path("queue", views.QueueCollectionView.as_view(), name="collection"),
    path("queue/room/<str:room_id>", views.RoomQueueView.as_view(), name="room"),
    path("queue/<str:item_id>", views.QueueItemView.as_view(), name="item"),
    path("queue/<str:item_id>/watch", views.QueueItemWatchView.as_view(), name="watch"),
]
