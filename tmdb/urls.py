from django.urls import path

from tmdb import views

app_name = "tmdb"

urlpatterns = [
    path("search", views.SearchView.as_view(), name="search"),
    path("tmdb/providers", views.ProvidersView.as_view(), name="providers"),
    path("queue/<str:item_id>/enrich", views.EnrichView.as_view(), name="enrich"),
]
