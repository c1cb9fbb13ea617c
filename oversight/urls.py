"""The history pages (``history:``), mounted at /history/."""

from django.urls import path

from oversight import views

history = [
    path("referrals/<int:referral_id>/", views.referral_history, name="referral"),
    path("children/<int:child_id>/", views.child_history, name="child"),
    path("decisions/<int:decision_id>/", views.decision_history, name="decision"),
    path("discussions/<int:discussion_id>/", views.discussion_history, name="discussion"),
    path("challenges/<int:challenge_id>/", views.challenge_history, name="challenge"),
]
