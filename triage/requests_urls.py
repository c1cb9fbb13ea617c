from django.urls import path

from triage import requests_views as views

app_name = "requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("<int:request_id>/", views.request_detail, name="detail"),
    path("send/<int:referral_id>/", views.send, name="send"),
]
