from django.urls import path

from selection import views

app_name = "selection"

urlpatterns = [
    path("queue/room/<str:room_id>/select", views.SelectView.as_view(), name="select"),
    path("selections/<str:selection_id>", views.SelectionDetailView.as_view(), name="detail"),
]
