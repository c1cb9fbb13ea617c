from django.urls import path

from agencies.api import ObtainToken

urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
]
