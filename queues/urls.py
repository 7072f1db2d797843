from django.urls import path

from history.views import MarkWatchedView
from queues import views
from selection.views import SelectView
from tmdb import views as tmdb_views

app_name = "queues"

# The room routes come first: "room" is never an item id (ids are 24 hex digits).
urlpatterns = [
    path("queue", views.QueueCollectionView.as_view(), name="collection"),
    path("queue/room/<str:room_id>", views.RoomQueueView.as_view(), name="room"),
    path("queue/room/<str:room_id>/select", SelectView.as_view(), name="select"),
    path("queue/<str:item_id>", views.QueueItemView.as_view(), name="item"),
    path("queue/<str:item_id>/enrich", tmdb_views.EnrichView.as_view(), name="enrich"),
    path("queue/<str:item_id>/watch", views.QueueItemWatchView.as_view(), name="watch"),
    path("queue/<str:item_id>/watched", MarkWatchedView.as_view(), name="watched"),
]
