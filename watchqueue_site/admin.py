from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape

from watchqueue_site import ratelimit

TOO_MANY_LOGINS = "Too many failed logins from your address. Try again in {minutes} minutes."


class AdminSite(admin.AdminSite):
    """The admin site, whose login refuses an address after `ADMIN_LOGIN_FAILURE_RATE` failed
    attempts (a sliding window, kept in the database like the join limit) with a 429 page that
    says when to try again. Only wrong attempts count; a correct password is never refused
    before the limit."""

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.method != "POST":
            return super().login(request, extra_context)
        address = request.META.get("REMOTE_ADDR") or "unknown"
        rate = settings.ADMIN_LOGIN_FAILURE_RATE
        if (wait := ratelimit.retry_after("admin_login", address, rate)) is not None:
            message = TOO_MANY_LOGINS.format(minutes=max(1, -(-wait // 60)))
            response = HttpResponse(
                f"<!doctype html><title>Too many attempts</title><p>{escape(message)}</p>",
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        response = super().login(request, extra_context)
        # A failed login renders the form again (200); a successful one redirects.
        if response.status_code == 200:
            ratelimit.hit("admin_login", address)
        return response


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that are evidence (votes, rounds, picks, history): moderators look, the
    services change them."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
