"""How the API knows who sends a request: django-rest-knox's token authentication, with
one refusal of its own. Its own module, named in REST_FRAMEWORK's settings, so that
loading it loads nothing that reads those settings in turn."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions

from agencies import recovery


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check, then: a token of someone whose password an administrator set
    is refused (403, naming the reason) until they choose their own on the website
    (agencies.recovery). Authentication is the first thing a view does, so nothing else
    runs first. None is issued to them (agencies.api.ObtainToken) and setting the
    password ended the ones they had (agencies.signals); this holds if one is left.

    A view with ``open_to_a_password_to_change = True`` (signing out with the token) is
    never refused: ending a token is always open to its owner."""

    def authenticate(self, request):
        answer = super().authenticate(request)
        if answer is None:
            return None
        user, token = answer
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if user.must_change_password and not getattr(view, "open_to_a_password_to_change", False):
            recovery.refused(user_id=user.pk, via="api")
            raise exceptions.PermissionDenied(
                {"detail": recovery.API_MESSAGE, "code": recovery.API_CODE}
            )
        return user, token


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema names it as it names knox's (``knoxApiToken``)."""

    target_class = TokenAuthentication
