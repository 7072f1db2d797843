"""Moderation of rooms and members. Actions go through the same services as the API, so a
moderator's change is recorded as a room event and reaches every client like any other."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rooms import services
from rooms.models import Member, Room
from watchqueue_site.errors import ServiceError


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ["user_id", "name", "avatar", "is_host", "claimed", "joined_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Room | None = None) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "status", "selection_mode", "created_at"]
    list_filter = ["status", "selection_mode", "allow_revotes"]
    search_fields = ["name", "code", "id"]
    readonly_fields = ["id", "code", "event_seq", "created_at", "updated_at"]
    fields = [
        "id",
        "name",
        "code",
        "status",
        "voting_duration_seconds",
        "selection_mode",
        "allow_revotes",
        "seen_share_percent",
        "vetoes_per_evening",
        "vetoes_public",
        "consensus_share_percent",
        "fair_boost",
        "event_seq",
        "created_at",
        "updated_at",
    ]
    inlines = [MemberInline]
    actions = ["close_rooms", "delete_rooms"]

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through room_delete below
        return actions

    def save_model(self, request: HttpRequest, obj: Room, form, change: bool) -> None:
        services.room_update(
            room=Room.objects.get(pk=obj.pk),
            by=None,
            name=obj.name,
            status=obj.status,
            settings={field: getattr(obj, field) for field in services.SETTINGS_FIELDS},
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Room) -> None:
        services.room_delete(room=obj, by=None)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for room in queryset:
            services.room_delete(room=room, by=None)

    @admin.action(description="Close the selected rooms")
    def close_rooms(self, request: HttpRequest, queryset: QuerySet) -> None:
        rooms = [room for room in queryset if room.is_open]
        for room in rooms:
            services.room_close(room=room, by=None)
        self.message_user(request, f"Closed {len(rooms)} room(s).", messages.SUCCESS)

    @admin.action(description="Delete the selected rooms and everything in them")
    def delete_rooms(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for room in queryset:
            services.room_delete(room=room, by=None)
            count += 1
        self.message_user(request, f"Deleted {count} room(s).", messages.SUCCESS)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "user_id", "room", "is_host", "claimed", "joined_at"]
    list_filter = ["is_host", "claimed"]
    search_fields = ["name", "user_id", "room__name", "room__code"]
    list_select_related = ["room"]
    readonly_fields = ["id", "room", "user_id", "is_host", "claimed", "joined_at", "created_at"]
    fields = ["id", "room", "user_id", "name", "avatar", "is_host", "claimed", "joined_at"]
    actions = ["remove_members"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Member | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: Member) -> None:
        services.member_remove(room=obj.room, by=None, user_id=obj.user_id)

    @admin.action(description="Remove the selected members from their rooms")
    def remove_members(self, request: HttpRequest, queryset: QuerySet) -> None:
        removed = 0
        for member in queryset.select_related("room"):
            try:
                services.member_remove(room=member.room, by=None, user_id=member.user_id)
                removed += 1
            except ServiceError as error:
                self.message_user(request, f"{member}: {error.message}", messages.ERROR)
        self.message_user(request, f"Removed {removed} member(s).", messages.SUCCESS)
