"""Every address Front Door answers, pages and the one /api/v1/ map."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies import reauth_views
from agencies import views as account_views
from agencies.api import AgencyList, EndToken, ObtainToken, TokenDetail, TokenList
from frontdoor import account_export, views
from notices import views as inbox_views
from notices.api import NotificationList
from oversight import urls as oversight_urls
from referrals.api import ReferralDetail, ReferralList
from referrals.api_children import ChildMatches
from reporting import urls as reporting_urls
from reporting.api import Dashboard
from reporting.census_api import CensusCIN
from triage import urls as triage_urls
from triage.api import ReferralDecision
from triage.challenge_api import ChallengeList, ReferralChallenges
from triage.strategy_api import DiscussionDetail, DiscussionList

api_v1 = [
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("auth/logout/", EndToken.as_view(), name="api-logout"),
    path("auth/tokens/", TokenList.as_view(), name="api-tokens"),
    path("auth/tokens/<int:token_id>/", TokenDetail.as_view(), name="api-token-detail"),
    path("referrals/", ReferralList.as_view(), name="api-referrals"),
    path("referrals/<int:pk>/", ReferralDetail.as_view(), name="api-referral"),
    path("referrals/<int:pk>/decision/", ReferralDecision.as_view(), name="api-referral-decision"),
    path(
        "referrals/<int:pk>/challenges/",
        ReferralChallenges.as_view(),
        name="api-referral-challenges",
    ),
    path("challenges/", ChallengeList.as_view(), name="api-challenges"),
    path("children/matches/", ChildMatches.as_view(), name="api-child-matches"),
    path("notifications/", NotificationList.as_view(), name="api-notifications"),
    path("agencies/", AgencyList.as_view(), name="api-agencies"),
    path("dashboard/", Dashboard.as_view(), name="api-dashboard"),
    path("strategy-discussions/", DiscussionList.as_view(), name="api-strategy-discussions"),
    path(
        "strategy-discussions/<int:discussion_id>/",
        DiscussionDetail.as_view(),
        name="api-strategy-discussion",
    ),
    path("census/cin/", CensusCIN.as_view(), name="api-census-cin"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health_check, name="health"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", account_views.SignOutView.as_view(), name="logout"),
    path("accounts/", account_views.account, name="account"),
    path("accounts/export/", account_export.download, name="account-export"),
    path("accounts/confirm/", reauth_views.confirm_it_is_you, name="reauth"),
    path("accounts/confirm/key/", reauth_views.confirm_it_is_you_key, name="reauth-key"),
    path(
        "accounts/tokens/<int:token_id>/revoke/",
        account_views.revoke_token,
        name="account-token-revoke",
    ),
    path(
        "accounts/sessions/<int:session_id>/end/",
        account_views.end_session,
        name="account-session-end",
    ),
    path(
        "accounts/sessions/end-others/",
        account_views.end_other_sessions,
        name="account-sessions-end-others",
    ),
    path("accounts/password/", account_views.ChangePasswordView.as_view(), name="password-change"),
    path(
        "accounts/password/strength/",
        account_views.password_strength,
        name="password-strength",
    ),
    path("accounts/two-step/", account_views.two_step_setup, name="two-step-setup"),
    path("accounts/two-step/verify/", account_views.two_step_verify, name="two-step-verify"),
    path("accounts/two-step/key/", account_views.two_step_key, name="two-step-key"),
    path(
        "accounts/security-keys/add/",
        account_views.add_security_key,
        name="account-key-add",
    ),
    path(
        "accounts/security-keys/add/finish/",
        account_views.add_security_key_finish,
        name="account-key-add-finish",
    ),
    path(
        "accounts/security-keys/<int:key_id>/remove/",
        account_views.remove_security_key,
        name="account-key-remove",
    ),
    path("referrals/", include("referrals.urls")),
    path("triage/", include((triage_urls.queue, "triage"))),
    path("children/", include((triage_urls.children, "children"))),
    path("requests/", include((triage_urls.requests, "requests"))),
    path("challenges/", include((triage_urls.challenges, "challenges"))),
    path("strategy/", include((triage_urls.strategy, "strategy"))),
    path("dashboard/", include((reporting_urls.dashboard, "dashboard"))),
    path("history/", include((oversight_urls.history, "history"))),
    path("audit/", include("oversight.urls")),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/read/", inbox_views.mark_read, name="inbox-read"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
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

handler403 = "frontdoor.errors.permission_denied"
handler404 = "frontdoor.errors.page_not_found"
handler500 = "frontdoor.errors.server_error"
