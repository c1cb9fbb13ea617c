"""The managers' dashboard and performance pages (``dashboard:``): they read what the
workflow apps below record and change nothing."""

from django.urls import path

from reporting import census_views, live_views, performance_views

dashboard: list = [
    path("", live_views.live, name="live"),
    path(
        "information-requests/",
        live_views.information_requests_overdue,
        name="information-requests-overdue",
    ),
    path("census/", census_views.census_page, name="census"),
    path("census/download/", census_views.census_download, name="census-download"),
    path("performance/", performance_views.performance_page, name="performance"),
    path("performance/csv/", performance_views.performance_csv, name="performance-csv"),
    path("agency/", performance_views.agency_page, name="agency"),
    path("agency/csv/", performance_views.agency_csv, name="agency-csv"),
]
