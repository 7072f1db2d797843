from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from queues import services
from queues.models import QueueItem


@admin.register(QueueItem)
class QueueItemAdmin(admin.ModelAdmin):
    list_display = ["title", "room", "status", "added_by", "vote_score", "added_at"]
    list_filter = ["status", "media_type"]
    search_fields = ["title", "added_by", "room__name", "room__code", "tmdb_id"]
    list_select_related = ["room"]
    actions = ["remove_items"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: QueueItem | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: QueueItem) -> None:
        services.queue_item_remove(item=obj, by=None)

    @admin.action(description="Remove the selected items from their queues")
    def remove_items(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for item in queryset.select_related("room"):
            services.queue_item_remove(item=item, by=None)
            count += 1
        self.message_user(request, f"Removed {count} item(s).", messages.SUCCESS)
