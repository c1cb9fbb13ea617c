from django.contrib import admin

from agencies.admin_site import PolicyModelAdmin
from triage.models import EscalationStage, SupportService, ThresholdLevel


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


@admin.register(EscalationStage)
class EscalationStageAdmin(PolicyModelAdmin):
    """The local escalation procedure's stages, in order, each with an owner and a
    timescale in working days."""

    list_display = ["order", "name", "owner", "timescale_working_days", "is_active"]
    ordering = ["order"]

    def get_readonly_fields(self, request, obj=None):
        # Challenges cite a stage: retire one (inactive) rather than reorder it away.
        return ["order"] if obj is not None else []
