from django.contrib import admin

from agencies.admin_site import PolicyModelAdmin
from triage.models import SupportService, ThresholdLevel


@admin.register(ThresholdLevel)
class ThresholdLevelAdmin(PolicyModelAdmin):
    """The local threshold document's levels, shown beside every decision."""

    list_display = ["level", "name", "is_active"]
    ordering = ["level"]

    def get_readonly_fields(self, request, obj=None):
        # Decisions cite a level by its number: renumbering one would change what they
        # say (and the database refuses it). Add a level, or make one inactive, instead.
        return ["level"] if obj is not None else []


@admin.register(SupportService)
class SupportServiceAdmin(PolicyModelAdmin):
    """Other sources of support offered in feedback when the threshold is not met."""

    list_display = ["name", "contact", "is_active"]
    search_fields = ["name"]
