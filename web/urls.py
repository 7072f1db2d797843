from django.urls import path
from django.views.i18n import set_language

from web import catalog, session, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("join", views.join_by_code, name="join-by-code"),
    path("join/<str:code>", views.join, name="join"),
    path("r/<str:room_id>", views.room, name="room"),
    path("r/<str:room_id>/session", session.RoomSessionView.as_view(), name="session"),
    path("r/<str:room_id>/history", views.history, name="history"),
    path("r/<str:room_id>/tv", views.tv, name="tv"),
    path("r/<str:room_id>/picks/<str:selection_id>", views.draw, name="draw"),
    path("jsi18n/<str:language>.js", catalog.javascript_catalog, name="javascript-catalog"),
    path("language", set_language, name="set-language"),
    path("offline", views.offline, name="offline"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
]
