from django.contrib import admin

from voting.models import Vote, VotingRound
from watchqueue_site.admin import ReadOnlyAdmin


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["user_id", "value", "item", "room", "updated_at"]
    list_filter = ["value"]
    search_fields = ["user_id", "item__title", "room__name", "room__code"]
    list_select_related = ["item", "room"]


@admin.register(VotingRound)
class VotingRoundAdmin(ReadOnlyAdmin):
    list_display = ["id", "room", "status", "started_by", "started_at", "ends_at"]
    list_filter = ["status"]
    search_fields = ["room__name", "room__code", "started_by"]
    list_select_related = ["room"]
