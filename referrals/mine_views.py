"""A referrer's own referrals: the list (Your referrals: a referrer's own, an agency
lead's whole agency's) and one referral as its referrer reads it back. Making a
referral (the form's pages) is in referrals.views."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies.policy import Capability, can, capability_required
from audit.models import AccessLog
from audit.services import log_access, log_list
from referrals import drafts, mine_markup, pagination
from referrals.filters import MyReferralsFilter
from referrals.models import Referral, Status
from referrals.selectors import (
    after_decision,
    my_referrals_rows,
    referral_for_referrer,
    siblings_by_submission,
)

MY_REFERRALS_PAGE_SIZE = 25
# Newest first, siblings referred together next to each other (they share received_at
# and their submission), in reference order; unique, so a keyset page can start after
# any row. The indexes on (referrer, received_at) and (agency, received_at) serve it.
MY_REFERRALS_ORDER = ("-received_at", "-submission_id", "reference")


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """Your referrals (a referrer's own; an agency lead's whole agency's), newest first,
    siblings referred together next to each other, each with its decision clock. Paged
    by position (newer and older links), never counted: a police force's lead has
    hundreds of thousands."""
    if not can(request.user, Capability.VIEW_OWN_REFERRALS):
        raise PermissionDenied
    now = timezone.now()
    agency_wide = can(request.user, Capability.VIEW_AGENCY_REFERRALS)
    filters = MyReferralsFilter(
        request.GET or None,
        queryset=my_referrals_rows(request.user),
        now=now,
        agency_wide=agency_wide,
        agency_id=request.user.agency_id,
    )
    try:
        page = pagination.page(
            filters.qs,
            ordering=MY_REFERRALS_ORDER,
            token=request.GET.get("cursor"),
            size=MY_REFERRALS_PAGE_SIZE,
        )
    except pagination.InvalidPosition:
        # Not a link this page wrote (edited by hand, or from an older version): the
        # first page, as Django's paginator answers a page that is not one.
        page = pagination.page(
            filters.qs, ordering=MY_REFERRALS_ORDER, token=None, size=MY_REFERRALS_PAGE_SIZE
        )
    shown = page.rows  # dicts of selectors.MY_REFERRALS_COLUMNS
    ids = [row["id"] for row in shown]
    log_list(request=request, kind=AccessLog.Kind.REFERRAL_LIST, ids={"referrals": ids})
    writer = mine_markup.RowWriter(
        now=now,
        agency_wide=agency_wide,
        after=after_decision(
            decided_ids=[
                row["id"]
                for row in shown
                if row["status"] == Status.DECIDED and row["decision__id"] is not None
            ],
            referral_ids=ids,
        ),
    )
    siblings = siblings_by_submission(request.user, {row["submission_id"] for row in shown})
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("page", None)
    return render(
        request,
        "referrals/mine.html",
        {
            "page": page,
            "table_rows": writer.rows(shown, siblings),
            "filters": filters,
            "query": query.urlencode(),
            "now": now,
            "agency_wide": agency_wide,
            "open_drafts": drafts.open_drafts(request.user)[:5],
            "retention_days": settings.DRAFT_RETENTION_DAYS,
        },
    )


@capability_required(Capability.VIEW_OWN_REFERRALS)
@require_GET
def detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    """A referral as its referrer or their agency's lead reads it back: what was sent,
    where it stands, and the feedback once decided. Never the front door's own record
    (notes, rationale, quality rating, other agencies' answers)."""
    try:
        referral = referral_for_referrer(request.user, referral_id)
    except Referral.DoesNotExist:
        raise Http404 from None
    log_access(request=request, kind=AccessLog.Kind.REFERRAL, object_id=referral.pk)
    decision = getattr(referral, "decision", None)  # a reverse one-to-one: absent until decided
    siblings = siblings_by_submission(request.user, [referral.submission_id]).get(
        referral.submission_id, []
    )
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "now": timezone.now(),
            "current": decision.current if decision else None,
            "amended": bool(decision and decision.amendments.all()),
            "decision_challenge": next(iter(decision.challenges.all()), None) if decision else None,
            "discussions": [d for d in referral.strategy_discussions.all() if d.section47_outcome],
            "siblings": [s for s in siblings if s[0] != referral.pk],
            "agency_wide": can(request.user, Capability.VIEW_AGENCY_REFERRALS),
        },
    )
