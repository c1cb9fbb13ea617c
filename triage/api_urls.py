from django.urls import path

from agencies.api import ObtainToken
from referrals.api import ReferralDecision, ReferralDetail, ReferralList
from referrals.api_children import ChildMatches
from triage.api import NotificationList

urlpatterns = [
    path("notifications/", NotificationList.as_view(), name="api-notifications"),
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("referrals/", ReferralList.as_view(), name="api-referrals"),
    path("referrals/<int:pk>/", ReferralDetail.as_view(), name="api-referral"),
    path("referrals/<int:pk>/decision/", ReferralDecision.as_view(), name="api-referral-decision"),
    path("children/matches/", ChildMatches.as_view(), name="api-child-matches"),
]
