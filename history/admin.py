from django.contrib import admin

from history.models import Rating, WatchEntry
from watchqueue_site.admin import ReadOnlyAdmin


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    fields = ["user_id", "rating", "note", "updated_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WatchEntry)
class WatchEntryAdmin(ReadOnlyAdmin):
    list_display = ["title", "room", "added_by", "marked_by", "watched_at"]
    list_filter = ["media_type"]
    search_fields = ["title", "added_by", "room__name", "room__code"]
    list_select_related = ["room"]
    inlines = [RatingInline]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["user_id", "rating", "entry", "updated_at"]
    list_filter = ["rating"]
    search_fields = ["user_id", "entry__title", "note"]
    list_select_related = ["entry"]
