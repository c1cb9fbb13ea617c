from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from agencies.policy import Capability, can


class FrontDoorAdminSite(admin.AdminSite):
    """The admin is for system administration: agencies, users and settings.

    Who may use it is decided by the policy module, not by Django's is_staff flag, so that
    the admin role is the one way in.
    """

    site_header = "Front Door administration"
    site_title = "Front Door administration"
    index_title = "Agencies, users and settings"

    def has_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.MANAGE_SYSTEM)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            # Signed in but not an admin: 403, never a loop back to a sign-in page.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # Signed in but not an admin: refuse plainly rather than ask to sign in again.
        if request.user.is_authenticated:
            raise PermissionDenied
        # One sign-in page for everyone, with the lockout and logging it carries.
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


class PolicyModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose permissions come from the policy module."""

    def _allowed(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.MANAGE_SYSTEM)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)
