from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import BasePermission

from agencies.models import Agency
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


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "type"]


@extend_schema_view(
    get=extend_schema(
        summary="List active agencies",
        description="Any signed-in user: the agencies strategy-discussion attendees and "
        "actions refer to, by id.",
    )
)
class AgencyList(generics.ListAPIView):
    serializer_class = AgencySerializer
    queryset = Agency.objects.filter(is_active=True).order_by("name")
