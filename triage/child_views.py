from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from agencies.policy import Capability, can, capability_required
from agencies.reauth import local_path
from audit.models import AccessLog
from audit.services import log_access
from core.numbers import whole_number
from referrals import break_glass
from referrals.models import Child
from triage import break_glass_views, chronology_links
from triage.chronology import InvalidPosition, page_items, piece, position_token, read, timeline
from triage.chronology_markup import events_markup

# Events on the page at once, newest first; earlier ones a piece at a time ("Show earlier
# events": htmx adds the next piece below, or without JavaScript the link opens it as a
# page), or all of them on one page for printing (``?all=on``). A hundred is about two
# years of the busiest child's history, in about a fifth of the time all of them take.
PIECE_SIZE = 100


def _back_link(request: HttpRequest, back_to) -> tuple[str, str]:
    """Where the back link goes, and what it says: the page the person came from in the
    app (``next``, a path on this site that names one of BACK_TO's pages), else the
    referral it was opened from, else the list they work from."""
    found = chronology_links.back_to(request, request.GET.get("next"))
    if found:
        return found
    if back_to is not None:
        return reverse("triage:referral", args=[back_to.pk]), f"Back to {back_to.reference}"
    if can(request.user, Capability.VIEW_QUEUE):
        return reverse("triage:queue"), "Back to the queue"
    if can(request.user, Capability.VIEW_OWN_REFERRALS):
        return reverse("referrals:mine"), "Back to your referrals"
    return reverse("home"), "Back to the home page"


@capability_required(Capability.VIEW_ALL_REFERRALS)
@require_GET
@vary_on_headers("HX-Request")
def child_chronology(request: HttpRequest, child_id: int) -> HttpResponse:
    """The child's chronology, or a piece of it: the same checks, the same access-log row
    (naming the referrals the piece is about) and the same page for every piece; to htmx
    (``HX-Request``), only the piece's events and what changes with them."""
    try:
        child = Child.objects.get(pk=child_id)
    except Child.DoesNotExist:
        raise Http404 from None
    htmx = request.headers.get("HX-Request") == "true"
    if break_glass.needs_reason(request, kind=AccessLog.Kind.CHILD, record=child):
        if htmx:
            # The reason held for the page has run out since it was opened: the reason
            # page as a page, not inside the timeline.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = request.get_full_path()
            return response
        # The reason page carries where the chronology was opened from, so its back link
        # still leads there once the reason is given.
        return break_glass_views.reason_page(
            request,
            kind=AccessLog.Kind.CHILD,
            record=child,
            then="chronology",
            carry=break_glass_views.chronology_carry(request, child, request.GET),
        )
    entries = timeline(child.pk)
    show_all = request.GET.get("all") == "on"
    cursor = request.GET.get("cursor") or None
    size = None if show_all else PIECE_SIZE
    try:
        shown = piece(entries, after=None if show_all else cursor, size=size)
    except InvalidPosition:
        # Not a link this page wrote (edited by hand, or from an older version): the
        # newest events, as the lists answer a position that is not one.
        cursor = None
        shown = piece(entries, after=None, size=size)
    referral_ids = [e.pk for e in entries if e.kind == "referral"]
    # Opened from a referral (``?referral=<id>``): the back link returns to it, not to the
    # queue. Only one of this child's own referrals is accepted. A manager may convene a
    # discussion from the child's latest referral.
    # Not "²" nor thousands of digits, which int() refuses (core.numbers).
    came_from = whole_number(request.GET.get("referral", ""))
    back_to_id = came_from if came_from in referral_ids else None
    convene_id = (
        referral_ids[0] if referral_ids and can(request.user, Capability.CONVENE_STRATEGY) else None
    )
    # The page names those two referrals besides its events'; a piece for htmx neither.
    also = [] if htmx else [i for i in (back_to_id, convene_id) if i]
    part = read(shown, history=entries, also=also)
    log_access(
        request=request,
        kind=AccessLog.Kind.CHILD,
        object_id=child.pk,
        # The child's referrals the page shows: those its events are about, and the one it
        # links back to or convenes from. (An unlinked referral's event shows only its
        # reference: it is about another child now.)
        detail={"referrals": sorted(part.referrals)},
    )
    first = entries.index(shown[0]) + 1 if shown else 1
    carried = {"referral": back_to_id, "next": local_path(request, request.GET.get("next"))}
    context = {
        "child": child,
        # For htmx, the piece's first heading takes the focus.
        "events": events_markup(page_items(part.events), focus_first=htmx),
        "total": len(entries),
        "first": first,
        "last": first + len(shown) - 1,
        "earlier": position_token(shown[-1]) if shown and shown[-1] is not entries[-1] else "",
        # Opened at an earlier piece (without JavaScript): a link back to the newest.
        "after": bool(cursor) and not show_all,
        # Not every event on the page: a link to all of them, and the print says so.
        "partial": first > 1 or len(shown) < len(entries),
        # What the links to other pieces carry, so the back link stays where it was.
        "back_query": urlencode({k: v for k, v in carried.items() if v}),
    }
    if htmx:
        return render(request, "triage/_chronology_piece.html", context)
    back_url, back_text = _back_link(request, part.referrals.get(back_to_id))
    return render(
        request,
        "triage/chronology.html",
        {
            **context,
            "referral_count": len(referral_ids),
            "can_export": can(request.user, Capability.EXPORT_CHILD_RECORD),
            "back_url": back_url,
            "back_text": back_text,
            "convene_for": part.referrals.get(convene_id),
        },
    )
