"""The oversight pages: the history pages (``history:``, mounted at /history/) and the
auditors' pages (``oversight:``, under /audit/)."""

from django.urls import path

from oversight import access_log_views, export_views, views

history = [
    path("referrals/<int:referral_id>/", views.referral_history, name="referral"),
    path("children/<int:child_id>/", views.child_history, name="child"),
    path("decisions/<int:decision_id>/", views.decision_history, name="decision"),
    path("discussions/<int:discussion_id>/", views.discussion_history, name="discussion"),
    path("challenges/<int:challenge_id>/", views.challenge_history, name="challenge"),
]

app_name = "oversight"

urlpatterns = [
    path("access-log/", access_log_views.access_log_page, name="access-log"),
    path("children/<int:child_id>/export/", export_views.child_export, name="child-export"),
]
