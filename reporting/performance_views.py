"""The performance pages: every agency's figures for managers and auditors
(``dashboard:performance``), one agency's for its lead (``dashboard:agency``), and the
CSV of any of their tables. Read-only: GET only. The figures are read where lag-tolerant
reads go (core.db: the read replica, when one is configured)."""

from __future__ import annotations

import csv
from datetime import date
from html import escape

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from agencies.models import Agency
from agencies.policy import Capability, capability_required, performance_agency_scope
from core import spreadsheet
from core.db import lag_tolerant_reads
from reporting import performance, performance_tables, summary
from reporting.charts import weekly_chart
from reporting.performance_forms import PeriodForm


def safe_cell(value) -> str:
    """A figure's CSV cell: shares and hours to one decimal place, and text a spreadsheet
    will not run (core.spreadsheet)."""
    if isinstance(value, float):
        return f"{value:.1f}"
    return spreadsheet.safe_cell(value)


def _shown(table: performance_tables.Table) -> dict:
    """A table as the template draws it: its chart's SVG and its cells as text."""
    chart = ""
    if table.chart and table.weekly:
        chart = weekly_chart(
            chart_id=f"chart-{table.key}",
            title=table.title,
            x_labels=[label for label, _w, _v in table.rows],
            series=table.series(),
            kind=table.chart_kind,
            unit=table.chart_unit,
            y_max=table.chart_max,
        )
    rows = [
        (
            label,
            [
                performance_tables.format_value(v.get(c.key), c.kind, table.empty)
                for c in table.columns
            ],
        )
        for label, _w, v in table.rows
    ]
    return {
        "table": table,
        "chart": mark_safe(chart),  # noqa: S308 - built from escaped parts in charts.py
        "rows": rows,
        "body": _body(rows),
    }


def _body(rows: list[tuple[str, list[str]]]) -> str:
    """A table's rows as HTML, written here rather than by the template (each cell
    escaped): the tables by agency have 600 rows, which the template language takes
    about 0.2 s to draw."""
    cell = '<td class="govuk-table__cell govuk-table__cell--numeric">'
    return mark_safe(  # noqa: S308 - every label and cell is escaped here
        "\n".join(
            '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
            + escape(str(label))
            + "</th>"
            + "".join(f"{cell}{escape(str(value))}</td>" for value in cells)
            + "</tr>"
            for label, cells in rows
        )
    )


def _form(request: HttpRequest, *, agencies=None, with_type=True) -> PeriodForm:
    return PeriodForm(
        request.GET or None, today=timezone.localdate(), agencies=agencies, with_type=with_type
    )


def _period_and_scope(form: PeriodForm, fixed_agency: int | None = None):
    if not form.is_bound:
        period = performance.default_period(timezone.localdate())
        return period, performance.Scope(agency_id=fixed_agency)
    data = form.cleaned_data
    agency = fixed_agency if fixed_agency is not None else data.get("agency")
    return data["period"], performance.Scope(
        agency_type=data.get("agency_type") or "", agency_id=agency
    )


def _csv(table: performance_tables.Table, period: performance.Period, name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{table.key}-{period.first:%Y-%m-%d}-to-'
        f'{period.last:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    header = ["week_beginning" if table.weekly else "agency"]
    writer.writerow(header + [c.label for c in table.columns])
    for label, monday, values in table.rows:
        first = monday.isoformat() if isinstance(monday, date) else label
        cells = [
            values.get(c.key, 0 if c.kind == performance_tables.COUNT else None)
            for c in table.columns
        ]
        writer.writerow([safe_cell(first)] + [safe_cell(cell) for cell in cells])
    return response


def _table_key(request: HttpRequest, allowed) -> str | None:
    key = request.GET.get("table", "")
    return key if key in allowed else None


def _bad_table(allowed) -> HttpResponse:
    return HttpResponse(
        f"table: choose one of {', '.join(allowed)}", status=400, content_type="text/plain"
    )


def _page(request, *, template, form, period, scope, keys, extra=None, status=200):
    tables, source, now = [], None, timezone.now()
    if period is not None:
        with lag_tolerant_reads():
            source = summary.Source(period=period, scope=scope, now=now)
            tables = [_shown(t) for t in performance_tables.figures_from(source, keys=keys)]
    query = request.GET.copy()
    query.pop("table", None)
    return render(
        request,
        template,
        {
            "form": form,
            "period": period,
            "tables": tables,
            "query": query.urlencode(),
            "as_of": now,
            # How fresh: the summary's weeks as of their refresh, the rest live.
            "summary_as_of": source.as_of if source else None,
            "summary_last": max(source.summarised) if source and source.summarised else None,
            "live_from": source.live.first if source and source.live else None,
            **(extra or {}),
        },
        status=status,
    )


@require_http_methods(["GET"])
@capability_required(Capability.VIEW_DASHBOARD)
def performance_page(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return _page(
            request, template="reporting/performance.html", form=form, period=None,
            scope=None, keys=(), status=400,
        )  # fmt: skip
    period, scope = _period_and_scope(form)
    return _page(
        request, template="reporting/performance.html", form=form, period=period,
        scope=scope, keys=performance_tables.TABLE_KEYS,
    )  # fmt: skip


@require_http_methods(["GET"])
@capability_required(Capability.VIEW_DASHBOARD)
def performance_csv(request: HttpRequest) -> HttpResponse:
    key = _table_key(request, performance_tables.TABLE_KEYS)
    if key is None:
        return _bad_table(performance_tables.TABLE_KEYS)
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_errors(form), status=400, content_type="text/plain")
    period, scope = _period_and_scope(form)
    with lag_tolerant_reads():
        (table,) = performance_tables.figures(
            period=period, scope=scope, now=timezone.now(), keys=(key,)
        )
    return _csv(table, period, "performance")


def _errors(form: PeriodForm) -> str:
    return "\n".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())


def _agency_form(request: HttpRequest):
    """The agency page's form and the agency it is fixed to (a lead's own), or None for
    those who choose; 404 when a lead asks for another agency."""
    every, own = performance_agency_scope(request.user)
    agencies = None if every else Agency.objects.filter(pk=own)
    asked = request.GET.get("agency", "")
    if not every and asked and asked != str(own):
        raise Http404("Figures for another agency are not available to you")
    return _form(request, agencies=agencies, with_type=False), own


@require_http_methods(["GET"])
def agency_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    form, own = _agency_form(request)
    template = "reporting/performance_agency.html"
    if form.is_bound and not form.is_valid():
        return _page(
            request, template=template, form=form, period=None, scope=None, keys=(), status=400
        )
    period, scope = _period_and_scope(form, fixed_agency=own)
    agency = Agency.objects.filter(pk=scope.agency_id).first() if scope.agency_id else None
    return _page(
        request, template=template, form=form, period=period if agency else None,
        scope=scope, keys=performance_tables.AGENCY_TABLE_KEYS,
        extra={"agency": agency, "fixed": own is not None},
    )  # fmt: skip


@require_http_methods(["GET"])
def agency_csv(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    form, own = _agency_form(request)
    key = _table_key(request, performance_tables.AGENCY_TABLE_KEYS)
    if key is None:
        return _bad_table(performance_tables.AGENCY_TABLE_KEYS)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_errors(form), status=400, content_type="text/plain")
    period, scope = _period_and_scope(form, fixed_agency=own)
    if scope.agency_id is None:
        return HttpResponse("agency: choose an agency", status=400, content_type="text/plain")
    with lag_tolerant_reads():
        (table,) = performance_tables.figures(
            period=period, scope=scope, now=timezone.now(), keys=(key,)
        )
    return _csv(table, period, "agency-performance")
