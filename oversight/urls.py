"""The auditors' pages, under /audit/."""

from django.urls import path

from oversight import access_log_views, export_views

app_name = "oversight"

urlpatterns = [
    path("access-log/", access_log_views.access_log_page, name="access-log"),
    path("children/<int:child_id>/export/", export_views.child_export, name="child-export"),
]
