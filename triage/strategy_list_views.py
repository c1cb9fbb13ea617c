"""Every strategy discussion and MASH meeting, newest first, with filters for what is
late: minutes, actions, seeing the child. Thin: parse the filters, read, render. Paged
by position (newer and older links), never counted: eight years of the country's
discussions are hundreds of thousands."""

from __future__ import annotations

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies.policy import Capability, capability_required
from audit.models import AccessLog
from audit.services import log_list
from referrals import break_glass, pagination
from triage import lateness, selectors
from triage.list_filters import StrategyFilter, overdue_actions_count
from triage.models import StrategyDiscussion

PAGE_SIZE = 50
# Newest first; unique and unchanging, so a keyset page can start after any row.
# discussion_list_order_idx serves it.
ORDER = ("-held_at", "-id")


@capability_required(Capability.VIEW_STRATEGY_DISCUSSIONS)
@require_GET
def discussion_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # Closed discussions are left out for screeners and managers, as in the API's list:
    # they open one from its referral or the child's chronology, with a reason.
    leaves_out_closed = break_glass.applies_to(request.user)
    discussions = (
        break_glass.keep_only_open(
            StrategyDiscussion.objects.all(),
            user=request.user,
            open_records=selectors.open_discussions(now=now),
        )
        .select_related("referral", "convened_by")
        .annotate(
            overdue_actions=overdue_actions_count(now),
            # The one definition (professionals', and for a strategy discussion the
            # family's), so the tag and the minutes filter agree.
            minutes_late=ExpressionWrapper(
                lateness.minutes_overdue(now), output_field=BooleanField()
            ),
        )
    )
    filters = StrategyFilter(request.GET or None, queryset=discussions, now=now)
    try:
        page = pagination.page(
            filters.qs, ordering=ORDER, token=request.GET.get("cursor"), size=PAGE_SIZE
        )
    except pagination.InvalidPosition:
        # Not a link this page wrote (edited by hand, or from an older version): the
        # first page, as Django's paginator answers a page that is not one.
        page = pagination.page(filters.qs, ordering=ORDER, token=None, size=PAGE_SIZE)
    shown = page.rows
    log_list(
        request=request,
        kind=AccessLog.Kind.DISCUSSION_LIST,
        ids={
            "discussions": [d.pk for d in shown],
            "referrals": list(dict.fromkeys(d.referral_id for d in shown)),
        },
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("page", None)
    return render(
        request,
        "triage/strategy/list.html",
        {
            "filters": filters,
            "page": page,
            "page_size": PAGE_SIZE,
            "now": now,
            "query": query.urlencode(),
            "leaves_out_closed": leaves_out_closed,
            "closed_after_days": settings.BREAK_GLASS_CLOSED_AFTER_DAYS,
        },
    )
