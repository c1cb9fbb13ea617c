"""The auditors' access-log page. Thin: parse the filters, search, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.policy import Capability, capability_required
from oversight import access_log


@capability_required(Capability.VIEW_ACCESS_LOG)
@require_GET
def access_log_page(request: HttpRequest) -> HttpResponse:
    form = access_log.AccessLogFilter(request.GET or None)
    if request.GET and not form.is_valid():
        return render(
            request,
            "oversight/access_log.html",
            {"form": form, "hide_errors": False, "page": None, "rows": []},
            status=400,
        )
    filters = form.cleaned_data if request.GET else {}
    rows = access_log.search(
        user=filters.get("user", ""),
        account=filters.get("account"),
        child=filters.get("child"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        break_glass=filters.get("break_glass", False),
    )
    page = Paginator(rows, access_log.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "oversight/access_log.html",
        {
            "form": form,
            "hide_errors": True,
            "page": page,
            "rows": access_log.describe(page.object_list, back=request.get_full_path()),
            "query": query.urlencode(),
            "break_glass_only": filters.get("break_glass", False),
        },
    )
