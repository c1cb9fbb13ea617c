from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from agencies.admin_site import PolicyModelAdmin
from agencies.models import Agency, User


@admin.register(Agency)
class AgencyAdmin(PolicyModelAdmin):
    list_display = ["name", "type", "census_source", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name"]

    @admin.display(description="Census source of referral")
    def census_source(self, agency: Agency) -> str:
        return f"{agency.source_of_referral} ({agency.source_of_referral_label})"


@admin.register(User)
class UserAdmin(PolicyModelAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "job_title", "phone")}),
        ("Front Door", {"fields": ("agency", "role", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "agency", "role", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        # An account is made inactive, never deleted: the history and the logs name who
        # did what, and the database refuses to blank a kept version's user
        # (oversight/triggers.py).
        return False
