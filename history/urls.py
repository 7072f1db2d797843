from django.urls import path

from history import views

app_name = "history"

urlpatterns = [
    path("queue/<str:item_id>/watched", views.MarkWatchedView.as_view(), name="watched"),
    path("history/room/<str:room_id>", views.RoomHistoryView.as_view(), name="room"),
    path("history/<str:entry_id>", views.EntryView.as_view(), name="entry"),
    path("history/<str:entry_id>/ratings/<str:user_id>", views.RatingView.as_view(), name="rating"),
    path("rooms/<str:room_id>/ledger", views.RoomLedgerView.as_view(), name="ledger"),
    path("rooms/<str:room_id>/taste", views.RoomTasteView.as_view(), name="taste"),
]
