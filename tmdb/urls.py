from django.urls import path

from tmdb import views

app_name = "tmdb"

urlpatterns = [
    path("search", views.search, name="search"),
    path("queue/<str:item_id>/enrich", views.enrich, name="enrich"),
]
