from django.contrib import admin

from agencies.admin_site import PolicyModelAdmin
from triage.models import SupportService, ThresholdLevel


@admin.register(ThresholdLevel)
class ThresholdLevelAdmin(PolicyModelAdmin):
    """The local threshold document's levels, shown beside every decision."""

    list_display = ["level", "name", "is_active"]
    ordering = ["level"]


@admin.register(SupportService)
class SupportServiceAdmin(PolicyModelAdmin):
    """Other sources of support offered in feedback when the threshold is not met."""

    list_display = ["name", "contact", "is_active"]
    search_fields = ["name"]
