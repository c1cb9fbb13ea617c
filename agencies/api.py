from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers
from rest_framework.authtoken.views import ObtainAuthToken

from agencies.models import Agency


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
