from django.urls import path

from triage import screening_views as views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral"),
    path("referrals/<int:referral_id>/claim/", views.claim, name="claim"),
    path("referrals/<int:referral_id>/allocate/", views.allocate, name="allocate"),
    path("referrals/<int:referral_id>/notes/", views.add_note, name="note"),
    path("referrals/<int:referral_id>/quality/", views.rate_quality, name="quality"),
    path("referrals/<int:referral_id>/link-child/", views.link_child, name="link-child"),
    path("referrals/<int:referral_id>/create-child/", views.create_child, name="create-child"),
    path("referrals/<int:referral_id>/recommend/", views.recommend, name="recommend"),
    path("referrals/<int:referral_id>/decide/", views.decide, name="decide"),
    path("referrals/<int:referral_id>/amend/", views.amend, name="amend"),
]
