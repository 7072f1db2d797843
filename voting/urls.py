from django.urls import path

from voting import views

app_name = "voting"

# The item routes come first: "item" is never an item id (ids are 24 hex digits).
urlpatterns = [
    path("votes", views.VoteCollectionView.as_view(), name="collection"),
    path("votes/item/<str:item_id>", views.ItemVotesView.as_view(), name="item"),
    path("votes/item/<str:item_id>/counts", views.ItemVoteCountsView.as_view(), name="counts"),
    path("votes/<str:item_id>/<str:user_id>", views.VoteDetailView.as_view(), name="detail"),
    path("rooms/<str:room_id>/round", views.RoundView.as_view(), name="round"),
    path("rooms/<str:room_id>/round/end", views.RoundEndView.as_view(), name="round-end"),
]
