from django.urls import path

from tonight import views

app_name = "tonight"

urlpatterns = [
    path("rooms/<str:room_id>/tonight", views.TonightView.as_view(), name="tonight"),
    path("rooms/<str:room_id>/tonight/new", views.EveningNewView.as_view(), name="new"),
    path(
        "rooms/<str:room_id>/tonight/attendees/<str:user_id>",
        views.AttendanceView.as_view(),
        name="attendance",
    ),
    path(
        "rooms/<str:room_id>/members/<str:user_id>/services",
        views.ServicesView.as_view(),
        name="services",
    ),
    path("queue/<str:item_id>/seen/<str:user_id>", views.SeenView.as_view(), name="seen"),
    path("queue/<str:item_id>/veto", views.VetoView.as_view(), name="veto"),
]
