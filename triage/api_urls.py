from django.urls import path

from agencies.api import ObtainToken
from referrals.api import ReferralDetail, ReferralList

urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("referrals/", ReferralList.as_view(), name="api-referrals"),
    path("referrals/<int:pk>/", ReferralDetail.as_view(), name="api-referral"),
]
