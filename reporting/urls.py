"""The managers' dashboard and performance pages (``dashboard:``): they read what the
workflow apps below record and change nothing."""

from django.urls import path

from reporting import census_views

dashboard: list = [
    path("census/", census_views.census_page, name="census"),
    path("census/download/", census_views.census_download, name="census-download"),
]
