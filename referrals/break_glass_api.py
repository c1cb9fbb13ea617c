"""Break the glass through the API. A client has no session to hold a grant in, so each
request for a closed record carries its reason, in the ``Break-Glass-Reason`` header:
without one, 403 saying so (and nothing of the record); with one that breaks the reason's
rules, 400 naming the header; with a good one, the request is logged with its reason and
answered. The auditors are alerted once per person, record and ``BREAK_GLASS_MINUTES``
(``referrals.break_glass.break_glass``), however many requests carry the reason.

The header is read only where it is needed: for a record that is not closed, or for a
user to whom break the glass does not apply (auditors, referrers), it is ignored.
"""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import PermissionDenied, ValidationError

from agencies.api import DETAIL
from audit.models import AccessLog
from referrals import break_glass

HEADER = "Break-Glass-Reason"


class ReasonRequired(PermissionDenied):
    default_detail = (
        f"This record is closed: opening it is outside your usual work. Send your reason "
        f"in the {HEADER} request header (at least {break_glass.REASON_MIN_WORDS} words); "
        f"it is kept in the access log and the auditors are told."
    )
    default_code = "break_glass_reason_required"


def _header(request) -> str | None:
    """The header's text. HTTP headers arrive as ISO-8859-1: a client that sent UTF-8
    (a curly apostrophe, a pound sign) gets back what it meant."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    try:
        return raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw


def reason_for(
    request, *, kind: str, record, closed: Callable[[], bool], detail: dict | None = None
) -> bool:
    """Call after access is decided and before anything of the record is read out.
    Returns True when the glass was broken (the access is logged, with its reason, and
    the caller need not log it again); False when break the glass does not apply.
    Raises ``ReasonRequired`` (403) or a ValidationError (400) naming the header."""
    if not break_glass.applies_to(request.user) or not closed():
        return False
    given = _header(request)
    if given is None:
        raise ReasonRequired
    try:
        reason = break_glass.clean_reason(given)
    except break_glass.InvalidReason as exc:
        raise ValidationError({HEADER: [str(exc)]}) from None
    break_glass.break_glass(
        request=request, kind=AccessLog.Kind(kind), record=record, reason=reason, detail=detail
    )
    return True


# --- How the schema describes it ----------------------------------------------------------

PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Break the glass: why you need a closed record (a referral decided more than "
        "`FRONTDOOR_BREAK_GLASS_CLOSED_AFTER_DAYS` ago whose child has nothing open, or "
        "what hangs from it). Required of screeners and managers for a closed record, "
        f"ignored otherwise. At least {break_glass.REASON_MIN_WORDS} words and at most "
        f"{break_glass.REASON_MAX_CHARS:,} characters once spaces are collapsed; UTF-8 is "
        "understood. Sent with each request: the reason is kept in the access log with "
        "that request, and the auditors are alerted (once per person, record and "
        "`FRONTDOOR_BREAK_GLASS_MINUTES`)."
    ),
)
REQUIRED_403 = OpenApiResponse(
    DETAIL,
    description=f"The record is closed and no `{HEADER}` header was sent (screeners and "
    "managers): `detail` says a reason is required and names the header. Nothing of the "
    "record is in the answer.",
)
INVALID_400 = OpenApiResponse(
    description=f"The `{HEADER}` header sent for a closed record is empty, too thin or too long: "
    f"the body names `{HEADER}` with its message."
)
