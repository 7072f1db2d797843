from django.contrib import admin

from selection.models import Selection
from watchqueue_site.admin import ReadOnlyAdmin


@admin.register(Selection)
class SelectionAdmin(ReadOnlyAdmin):
    list_display = ["item_title", "room", "mode", "selected_by", "turned_down_by", "created_at"]
    list_filter = ["mode"]
    search_fields = ["item_title", "room__name", "room__code"]
    list_select_related = ["room"]
