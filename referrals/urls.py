from django.urls import path

from referrals import mine_views, views

app_name = "referrals"

urlpatterns = [
    path("new/", views.start, name="start"),
    path("new/<int:draft_id>/children/", views.children, name="children"),
    path("new/<int:draft_id>/child/<str:index>/", views.child, name="child"),
    path("new/<int:draft_id>/check/", views.check, name="check"),
    path("new/<int:draft_id>/<slug:slug>/", views.section, name="section"),
    path("new/<int:draft_id>/<slug:slug>/coaching/", views.coaching, name="coaching"),
    path("submitted/<int:submission_id>/", views.submitted, name="submitted"),
    path("mine/", mine_views.mine, name="mine"),
    path("<int:referral_id>/", mine_views.detail, name="detail"),
]
