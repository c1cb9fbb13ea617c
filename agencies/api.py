from django.contrib.auth import authenticate
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from agencies import reauth, recovery, security_keys, tokens, twostep
from agencies.api_auth import TokenAuthentication
from agencies.models import Agency, ApiToken, Authenticator
from agencies.policy import Capability, can, needs_second_factor
from agencies.rates import AlertingThrottle, RefusedVia
from core import security_log


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


class TokenRequestThrottle(AlertingThrottle, SimpleRateThrottle):
    """Requests for a token, counted by the address they come from (whoever they name);
    a refusal alerts the administrators and auditors, naming the address (agencies.rates)."""

    scope = "token"
    refused_via = RefusedVia.TOKEN

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    otp_code = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text="The code from your authenticator app: required for managers, auditors "
        "and administrators when two-step verification is on.",
    )

    def validate(self, attrs):
        # Django's own request: django-axes counts failures, and marks a locked-out
        # request, on it (its middleware then answers 429).
        request = self.context["request"]._request
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(
                "Enter a correct username and password.", code="authorization"
            )
        if needs_second_factor(user):
            code = attrs.get("otp_code") or ""
            if not twostep.has_device(user):
                if security_keys.has_key(user):
                    # A security key answers only a browser's WebAuthn ceremony.
                    message = (
                        "A security key cannot be used to ask for a token. Sign in on the "
                        "website with your key, set up an authenticator app on your account "
                        "page, then ask for a token with a code from it."
                    )
                else:
                    message = (
                        "Set up two-step verification by signing in on the website first, "
                        "then ask for a token with a code."
                    )
                raise serializers.ValidationError({"otp_code": message})
            if not code:
                raise serializers.ValidationError(
                    {"otp_code": "Enter the code from your authenticator app."}
                )
            try:
                twostep.verify_code(user=user, code=code)
            except (twostep.CodeRefused, Authenticator.DoesNotExist) as exc:
                message = getattr(exc, "message", "Enter the code from your authenticator app.")
                raise serializers.ValidationError({"otp_code": message}) from None
        attrs["user"] = user
        return attrs


EXPIRES_AT_HELP = (
    "When the token stops working if it is not used: each request with it moves this "
    "forward to FRONTDOOR_API_TOKEN_IDLE_MINUTES (30 by default) from then, at most once a "
    "minute, never past `expires_at_latest`."
)
EXPIRES_AT_LATEST_HELP = (
    "When the token stops working however much it is used: FRONTDOOR_API_TOKEN_HOURS "
    "(8 by default) after it was issued."
)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField(help_text=EXPIRES_AT_HELP)
    expires_at_latest = serializers.DateTimeField(help_text=EXPIRES_AT_LATEST_HELP)


class ApiTokenSerializer(serializers.ModelSerializer):
    expires_at = serializers.DateTimeField(source="expiry", help_text=EXPIRES_AT_HELP)
    expires_at_latest = serializers.DateTimeField(
        source="latest_expiry", help_text=EXPIRES_AT_LATEST_HELP
    )
    created_at = serializers.DateTimeField(source="created")
    current = serializers.SerializerMethodField(
        help_text="Whether this is the token the request was sent with."
    )

    class Meta:
        model = ApiToken
        fields = ["id", "created_at", "expires_at", "expires_at_latest", "current"]

    def get_current(self, token: ApiToken) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk


DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    type=int,
    location=OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before asking again.",
)
PASSWORD_CHANGE_REQUIRED = inline_serializer(
    "PasswordChangeRequired",
    {
        "detail": serializers.CharField(),
        "code": serializers.ChoiceField(choices=[recovery.API_CODE]),
    },
)
UNAUTHENTICATED = OpenApiResponse(DETAIL, description="No valid token or session.")


class ObtainToken(APIView):
    """Exchange a username and password (and, where two-step verification applies, a
    code) for an API token that expires: after FRONTDOOR_API_TOKEN_IDLE_MINUTES (30 by
    default) unused, and FRONTDOOR_API_TOKEN_HOURS (8 by default) after it was issued
    however much it is used (`expires_at`, `expires_at_latest`).

    Failed attempts count towards the same lockout as the sign-in page; requests are
    limited per address (FRONTDOOR_TOKEN_RATE). Someone whose password an administrator
    set is refused a token (403, `code` `password_change_required`) until they choose
    their own on the website.
    """

    authentication_classes = []
    permission_classes = []
    throttle_classes = [TokenRequestThrottle]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        summary="Get an API token",
        request=TokenRequestSerializer,
        parameters=[RETRY_AFTER],
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description="A missing field, a wrong username or password "
                "(`non_field_errors`), or a missing or wrong `otp_code`, each named."
            ),
            401: OpenApiResponse(
                DETAIL,
                description="A signed-in browser session sent with the request has run out.",
            ),
            403: OpenApiResponse(
                PASSWORD_CHANGE_REQUIRED,
                description="An administrator set this account's password: its owner "
                "chooses a new one on the website first (`code` "
                "`password_change_required`).",
            ),
            429: OpenApiResponse(
                DETAIL,
                description="Too many requests from this address, or too many failed "
                "sign-ins for this username from this address: wait `Retry-After` seconds.",
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if user.must_change_password:
            # The password was right, but it is one an administrator set (and told them):
            # it buys nothing until its owner replaces it on the website.
            recovery.refused(user_id=user.pk, via="token")
            raise exceptions.PermissionDenied(
                {"detail": recovery.API_MESSAGE, "code": recovery.API_CODE}
            )
        security_log.sign_in(user_id=user.pk, via="api", path=request.path)
        token, raw = tokens.issue_token(user=user)
        return Response(
            TokenSerializer(
                {
                    "token": raw,
                    "expires_at": token.expiry,
                    "expires_at_latest": token.latest_expiry,
                }
            ).data
        )


class EndToken(APIView):
    """Sign out with a token: the token sent ends at once."""

    authentication_classes = [TokenAuthentication]
    # Never refused to its owner, even one who must first choose a password
    # (agencies.api_auth).
    open_to_a_password_to_change = True
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="End this API token (sign out)",
        request=None,
        parameters=[RETRY_AFTER],
        responses={
            204: OpenApiResponse(description="The token no longer works."),
            401: UNAUTHENTICATED,
            429: OpenApiResponse(DETAIL, description="Too many requests: see `Retry-After`."),
        },
    )
    def post(self, request, *args, **kwargs):
        tokens.end_token(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        summary="List your API tokens",
        description="The caller's own tokens that have not expired or been revoked, newest "
        "first. The tokens themselves are never shown again after they are issued.",
        parameters=[RETRY_AFTER],
        responses={
            200: ApiTokenSerializer(many=True),
            401: UNAUTHENTICATED,
            429: OpenApiResponse(DETAIL, description="Too many requests: see `Retry-After`."),
        },
    )
)
class TokenList(generics.ListAPIView):
    serializer_class = ApiTokenSerializer
    pagination_class = None

    def get_queryset(self):
        return tokens.live_tokens_of(self.request.user)


class TokenDetail(APIView):
    @extend_schema(
        summary="Revoke one of your API tokens",
        parameters=[RETRY_AFTER],
        responses={
            204: OpenApiResponse(description="Revoked: the token no longer works."),
            401: UNAUTHENTICATED,
            403: OpenApiResponse(
                DETAIL,
                description="Sent with a browser session whose owner has not confirmed it "
                "is them in the last FRONTDOOR_REAUTH_MINUTES (the page `/accounts/confirm/`).",
            ),
            404: OpenApiResponse(DETAIL, description="No live token of yours has this id."),
            429: OpenApiResponse(DETAIL, description="Too many requests: see `Retry-After`."),
        },
    )
    def delete(self, request, token_id: int, *args, **kwargs):
        if not tokens.live_tokens_of(request.user).filter(pk=token_id).exists():
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        # A browser session must have confirmed it is its owner recently (agencies.reauth),
        # as on the account page. A token is itself a recent sign-in: issued for the
        # password (and the code, for the roles with two-step verification), it stops
        # working after FRONTDOOR_API_TOKEN_IDLE_MINUTES unused, and a client system has no
        # one to ask again.
        if not isinstance(request.auth, ApiToken) and not reauth.is_recent(request):
            return Response(
                {
                    "detail": "Confirm it is you first: give your password again at "
                    f"{reauth.confirm_url('/accounts/')}, then revoke the token."
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        try:
            tokens.revoke_token(token_id=token_id, owner=request.user, by=request.user)
        except ApiToken.DoesNotExist:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
