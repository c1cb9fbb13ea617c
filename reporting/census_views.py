"""The CIN census export page and its download (``dashboard:census``,
``dashboard:census-download``): managers and auditors. Thin: read the year, build the
return, render or send it."""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict
from datetime import datetime

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies.policy import Capability, capability_required
from audit.models import AccessLog
from audit.services import log_access
from core.db import lag_tolerant_reads
from reporting import census as census_items
from reporting.census import InvalidCollectionYear, build_return, parse_collection_year
from reporting.census_validation import RuleResult, Validation, validate
from reporting.census_xml import to_csv, to_xml

FORMATS = {"xml": "application/xml", "csv": "text/csv"}


class InvalidFormat(ValueError):
    pass


def parse_format(value) -> str:
    fmt = (value or "xml").strip().lower()
    if fmt not in FORMATS:
        raise InvalidFormat("Format must be xml or csv")
    return fmt


def census_file(*, request, collection_year: int, fmt: str) -> HttpResponse:
    """The return as a download, written to the access log: children's personal data.
    Read where lag-tolerant reads go (core.db: the read replica, when one is configured);
    the access log is written to the primary."""
    with lag_tolerant_reads():
        census = build_return(collection_year=collection_year)
    body = to_xml(census) if fmt == "xml" else to_csv(census).encode("utf-8")
    response = HttpResponse(body, content_type=f"{FORMATS[fmt]}; charset=utf-8")
    # A file name with the year only: no names, no dates of birth.
    response["Content-Disposition"] = f'attachment; filename="cin-census-{collection_year}.{fmt}"'
    response["Cache-Control"] = "no-store"
    log_access(
        request=request,
        kind=AccessLog.Kind.CENSUS_EXPORT,
        object_id=None,
        detail={
            "collection_year": collection_year,
            "children": len(census.children),
            "referrals": census.referrals,
            "format": fmt,
        },
    )
    return response


# The validator takes seconds (pandas, about 110 rules): a return already checked, byte
# for byte, is not checked again. The key is the XML's digest, so any change to the
# referrals it holds is checked afresh.
VALIDATION_CACHE_SECONDS = 6 * 60 * 60


def checked(xml: bytes, *, collection_year: int):
    """The validation of this exact return: (result, seconds it took, when it ran)."""
    key = f"census-validation:{collection_year}:{hashlib.sha256(xml).hexdigest()}"
    kept = cache.get(key)
    if kept is not None:
        return _from_kept(kept)
    started = time.monotonic()
    validation = validate(xml, collection_year=collection_year)
    found = (validation, time.monotonic() - started, timezone.now())
    cache.set(key, _to_kept(*found), VALIDATION_CACHE_SECONDS)
    return found


def _to_kept(validation: Validation, seconds: float, at: datetime) -> dict:
    """As the cache keeps it: JSON (frontdoor.redis_cache.JSONSerializer), never pickle."""
    return {"validation": asdict(validation), "seconds": seconds, "at": at.isoformat()}


def _from_kept(kept: dict):
    held = kept["validation"]
    failed = [RuleResult(**{**rule, "fields": tuple(rule["fields"])}) for rule in held["failed"]]
    validation = Validation(**{**held, "failed": failed})
    return validation, kept["seconds"], datetime.fromisoformat(kept["at"])


def _years(latest: int) -> list[int]:
    return list(range(latest, census_items.FIRST_COLLECTION_YEAR - 1, -1))


@capability_required(Capability.EXPORT_CENSUS)
@require_GET
def census_page(request: HttpRequest) -> HttpResponse:
    latest = census_items.current_collection_year()
    context = {"years": _years(latest), "year_error": None, "chosen": str(latest)}
    raw = request.GET.get("collection_year")
    if raw is not None:
        context["chosen"] = raw
    try:
        year = parse_collection_year(latest if raw is None else raw)
    except InvalidCollectionYear as exc:
        context["year_error"] = str(exc)
        return render(request, "reporting/census.html", context, status=400)
    with lag_tolerant_reads():
        census = build_return(collection_year=year)
    validation, seconds, checked_at = checked(to_xml(census), collection_year=year)
    context.update(
        year=year,
        census=census,
        validation=validation,
        validation_seconds=seconds,
        checked_at=checked_at,
        start=census.start,
        end=census.end,
    )
    return render(request, "reporting/census.html", context)


@capability_required(Capability.EXPORT_CENSUS)
@require_GET
def census_download(request: HttpRequest) -> HttpResponse:
    errors = {}
    try:
        year = parse_collection_year(request.GET.get("collection_year"))
    except InvalidCollectionYear as exc:
        errors["collection_year"] = str(exc)
    try:
        fmt = parse_format(request.GET.get("format"))
    except InvalidFormat as exc:
        errors["format"] = str(exc)
    if errors:
        return render(request, "reporting/census_bad_request.html", {"errors": errors}, status=400)
    return census_file(request=request, collection_year=year, fmt=fmt)
