from django.urls import path

from rooms import views

app_name = "rooms"

urlpatterns = [
    path("rooms", views.RoomCollectionView.as_view(), name="collection"),
    path("rooms/code/<str:code>", views.RoomByCodeView.as_view(), name="by-code"),
    path("rooms/<str:code>/join", views.RoomJoinView.as_view(), name="join"),
    path("rooms/<str:code>/screen", views.RoomScreenView.as_view(), name="screen"),
    path("rooms/<str:room_id>", views.RoomDetailView.as_view(), name="detail"),
    path("rooms/<str:room_id>/host", views.RoomHostView.as_view(), name="host"),
    path("rooms/<str:room_id>/members", views.MemberCollectionView.as_view(), name="members"),
    path(
        "rooms/<str:room_id>/members/<str:user_id>",
        views.MemberDetailView.as_view(),
        name="member",
    ),
    path(
        "rooms/<str:room_id>/members/<str:user_id>/token",
        views.MemberTokenView.as_view(),
        name="member-token",
    ),
    path("rooms/<str:room_id>/screens", views.ScreenCollectionView.as_view(), name="screens"),
    path(
        "rooms/<str:room_id>/screens/<str:screen_id>",
        views.ScreenDetailView.as_view(),
        name="screen-detail",
    ),
]
