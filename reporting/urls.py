"""The managers' dashboard and performance pages (``dashboard:``): they read what the
workflow apps below record and change nothing."""

from django.urls import path

from reporting import live_views

dashboard: list = [
    path("", live_views.live, name="live"),
    path(
        "information-requests/",
        live_views.information_requests_overdue,
        name="information-requests-overdue",
    ),
]
