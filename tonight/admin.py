"""Moderation of evenings: moderators look at who was in, what was vetoed and matched, and can
start a room's next evening (which gives everyone their vetoes back) through the same service
as the host."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tonight import services
from tonight.models import Attendance, Evening, Match, Veto
from watchqueue_site.admin import ReadOnlyAdmin
from watchqueue_site.errors import ServiceError


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return list(self.fields)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AttendanceInline(_ReadOnlyInline):
    model = Attendance
    fields = ["user_id", "attending", "vetoes_used"]


class VetoInline(_ReadOnlyInline):
    model = Veto
    fields = ["item", "user_id", "created_at"]


class MatchInline(_ReadOnlyInline):
    model = Match
    fields = ["item", "matched_at"]


@admin.register(Evening)
class EveningAdmin(ReadOnlyAdmin):
    list_display = ["room", "started_at", "ended_at", "media", "streamable_only"]
    list_filter = ["media", "streamable_only"]
    search_fields = ["room__name", "room__code"]
    list_select_related = ["room"]
    inlines = [AttendanceInline, VetoInline, MatchInline]
    actions = ["start_next_evening"]

    @admin.action(description="Start the room's next evening (vetoes start afresh)")
    def start_next_evening(self, request: HttpRequest, queryset: QuerySet[Evening]) -> None:
        rooms = {evening.room_id: evening.room for evening in queryset.select_related("room")}
        started = 0
        for room in rooms.values():
            try:
                services.evening_new(room=room, by=None)
                started += 1
            except ServiceError as error:
                self.message_user(request, f"{room}: {error}", messages.ERROR)
        self.message_user(request, f"Started the next evening in {started} room(s).")
