from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AgenciesConfig(AppConfig):
    default = True
    name = "agencies"
    verbose_name = "Agencies and users"

    def ready(self) -> None:
        from agencies import checks, signals  # noqa: F401


class FrontDoorAdminConfig(admin_apps.AdminConfig):
    """Django admin, open to the admin role only (see agencies.admin_site)."""

    default = False
    default_site = "agencies.admin_site.FrontDoorAdminSite"
