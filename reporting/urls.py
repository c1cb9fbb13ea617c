"""The managers' dashboard and performance pages (``dashboard:``): they read what the
workflow apps below record and change nothing."""

from django.urls import path

from reporting import performance_views

dashboard: list = [
    path("performance/", performance_views.performance_page, name="performance"),
    path("performance/csv/", performance_views.performance_csv, name="performance-csv"),
    path("agency/", performance_views.agency_page, name="agency"),
    path("agency/csv/", performance_views.agency_csv, name="agency-csv"),
]
