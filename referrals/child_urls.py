from django.urls import path

from referrals import child_views

app_name = "children"

urlpatterns = [
    path("<int:child_id>/", child_views.child_chronology, name="chronology"),
]
