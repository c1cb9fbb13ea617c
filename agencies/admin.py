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
    # No search box: the admin's search sends what is typed (a person's name or email)
    # in the URL's query string, which web servers and proxies log. Filter by role,
    # agency and whether active, or sort by a column, instead.
    search_fields = ()
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
