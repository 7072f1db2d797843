from django.urls import path

from selection import views

app_name = "selection"

urlpatterns = [
    path("queue/room/<str:room_id>/select", views.SelectView.as_view(), name="select"),
    path(
        "queue/room/<str:room_id>/select/preview",
        views.SelectPreviewView.as_view(),
        name="preview",
    ),
    path("selections/<str:selection_id>", views.SelectionDetailView.as_view(), name="detail"),
    path(
        "selections/<str:selection_id>/turn-down",
        views.TurnDownView.as_view(),
        name="turn-down",
    ),
]
