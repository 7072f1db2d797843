from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class WatchQueueSiteConfig(AppConfig):
    """The core as an app, for the models it owns: the event outbox and the rate limiter's
    counts."""

    default = True
    name = "watchqueue_site"
    verbose_name = "WatchQueue"


class WatchQueueAdminConfig(admin_apps.AdminConfig):
    """Django's admin site, with its login throttled (`watchqueue_site.admin.AdminSite`)."""

    default = False  # named in INSTALLED_APPS; the core's own config stays this module's default
    default_site = "watchqueue_site.admin.AdminSite"
