from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies import views as account_views
from triage import inbox_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health_check, name="health"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", account_views.SignOutView.as_view(), name="logout"),
    path("referrals/", include("referrals.urls")),
    path("triage/", include("triage.urls_triage")),
    path("children/", include("referrals.child_urls")),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/read/", inbox_views.mark_read, name="inbox-read"),
    path("requests/", include("triage.requests_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("triage.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # GET only: its HTML renderer has no page for DRF's OPTIONS answer (a 500).
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", http_method_names=["get", "head"]
            )
        ),
        name="api-docs",
    ),
]

handler403 = "triage.errors.permission_denied"
handler404 = "triage.errors.page_not_found"
handler500 = "triage.errors.server_error"
