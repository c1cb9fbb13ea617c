"""An API token's rows with their holder and the holder's agency, by a statement
compiled once a process: for every API request (issue 14: the POST's CPU).

knox reads the tokens with the token's first characters as
``ApiToken.objects.filter(token_key=...).select_related("user")``, a queryset built and
compiled for each request; the referral POST then read the holder's agency by a statement
of its own (agencies.agency_reads). ``tokens_for_key`` runs the SQL of the same queryset
with the agency joined as well (``select_related("user__agency")``: one LEFT JOIN on the
agency's key), compiled once (agencies.compiled_reads), and makes the objects as Django's
``ModelIterable`` makes them from its rows: the tokens, each holder cached on its token
and the agency (or None) cached on the holder, where ``token.user`` and ``user.agency``
look for them."""

from __future__ import annotations

from django.db import router

from agencies.compiled_reads import CompiledRead, compiled
from agencies.models import ApiToken

# For each database alias: the tokens' read by their key.
_STATEMENTS: dict[str, CompiledRead] = {}
_MARK = "\x00token-key\x00"


def _tokens_by_key():
    return ApiToken.objects.filter(token_key=_MARK).select_related("user__agency")


def tokens_for_key(token_key: str) -> list[ApiToken]:
    """The tokens whose key is ``token_key`` (newest first), each with its holder and
    the holder's agency: what knox's queryset gives, with the agency read too."""
    alias = router.db_for_read(ApiToken)
    return compiled(_STATEMENTS, alias, _tokens_by_key, [_MARK]).objects([token_key])
