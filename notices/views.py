from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from notices.services import LINK_TEXT, inbox_for, inbox_link


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_for(request.user).select_related("event"), 25).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "notice": notice,
            "href": inbox_link(notice) if notice.link else "",
            "link_text": LINK_TEXT.get(notice.kind, "Open"),
        }
        for notice in page.object_list
    ]
    return render(request, "notices/inbox.html", {"page": page, "rows": rows})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notice (``notification``) or all of them as read."""
    notices = inbox_for(request.user).filter(read_at__isnull=True)
    if request.POST.get("notification"):
        try:
            notices = notices.filter(pk=int(request.POST["notification"]))
        except ValueError:
            notices = notices.none()
    notices.update(read_at=timezone.now())
    return redirect("inbox")
