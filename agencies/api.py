from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken


class ObtainToken(ObtainAuthToken):
    """Exchange a username and password for an API token.

    Failed attempts count towards the same lockout as the sign-in page.
    """

    @extend_schema(
        summary="Get an API token",
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
