from django.urls import path

from selection import views

app_name = "selection"

urlpatterns = [
    path("selections/<str:selection_id>", views.SelectionDetailView.as_view(), name="detail"),
]
