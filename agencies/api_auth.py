"""How the API knows who sends a request: django-rest-knox's token authentication, with
one refusal of its own. Its own module, named in REST_FRAMEWORK's settings, so that
loading it loads nothing that reads those settings in turn."""

import binascii
from hmac import compare_digest

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from agencies import recovery
from agencies.token_reads import tokens_for_key


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

    def authenticate_credentials(self, token):
        """knox's, line for line, but for how the tokens are read: with the holder's
        agency, by a statement compiled once (agencies.token_reads), where knox builds
        and compiles its queryset for each request. Expired tokens are still deleted
        and skipped, the digest compared, the expiry renewed and the holder's being
        active checked by knox's own methods."""
        msg = _("Invalid token.")
        token = token.decode("utf-8")
        for auth_token in tokens_for_key(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(msg) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(msg)


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema names it as it names knox's (``knoxApiToken``)."""

    target_class = TokenAuthentication
