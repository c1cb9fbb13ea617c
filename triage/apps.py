from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class TriageConfig(AppConfig):
    default = True
    name = "triage"
    verbose_name = "Triage"


class FrontDoorAdminConfig(admin_apps.AdminConfig):
    """Django admin, open to the admin role only (see triage.admin_site)."""

    default = False
    default_site = "triage.admin_site.FrontDoorAdminSite"
