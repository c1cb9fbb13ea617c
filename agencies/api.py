from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import BasePermission

from agencies.policy import Capability, can


def holds(capability: Capability, message: str) -> type[BasePermission]:
    """A DRF permission class for one capability, so an API view refuses every method
    (OPTIONS too) before anything else runs: ``permission_classes = [IsAuthenticated,
    holds(Capability.DECIDE, "Only managers record decisions.")]``."""

    class Holds(BasePermission):
        def has_permission(self, request, view) -> bool:
            return can(request.user, capability)

    Holds.message = message
    Holds.__name__ = f"Holds{capability.name.title().replace('_', '')}"
    return Holds


class ObtainToken(ObtainAuthToken):
    """Exchange a username and password for an API token.

    Failed attempts count towards the same lockout as the sign-in page.
    """

    def get_serializer_context(self):
        # django-axes marks a locked-out request on Django's own request object, where
        # its middleware looks; DRF's wrapper would hide the mark.
        return {**super().get_serializer_context(), "request": self.request._request}

    @extend_schema(
        summary="Get an API token",
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
