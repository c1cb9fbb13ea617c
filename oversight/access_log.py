"""The access log as the auditors search it: by username, by account number, by child
and by date, and the break-the-glass alerts.

The account number is the user's id, as the rate alerts name an account ("account 12")
without its username; it is read through the (user_id, at) index (audit 0010).

Searching by child finds every row that showed the child: their record, their referrals
(and the challenges and discussions about them), and the list pages and searches that
named any of these by id in ``detail`` (one row per page, so the ids are inside it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from agencies.models import Role
from audit.models import AccessLog
from referrals.forms import GovukFormMixin
from referrals.models import Referral
from triage.models import Challenge, StrategyDiscussion

PAGE_SIZE = 50


class AccountNumberField(forms.IntegerField):
    """A whole number, also as the alerts write it: "account 12" (or "Account #12"),
    pasted from a notice, is 12."""

    def to_python(self, value):
        if isinstance(value, str):
            number = re.sub(r"^\s*account\s*#?\s*", "", value, flags=re.IGNORECASE)
            if value.strip() and not number:  # "account" and no number
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            value = number
        return super().to_python(value)


class AccessLogFilter(GovukFormMixin, forms.Form):
    user = forms.CharField(
        label="Username",
        required=False,
        max_length=150,
        help_text="Exactly as they sign in, for example screener.",
    )
    account = AccountNumberField(
        label="Account number",
        required=False,
        min_value=1,
        # The column's largest: a longer number is refused here, not by the database.
        max_value=2**63 - 1,
        help_text="As an alert names it, for example 12 or account 12.",
        error_messages={
            "invalid": "Enter the account number as a whole number, like 12",
            "min_value": "Enter the account number as a whole number, like 12",
            "max_value": "Enter the account number as a whole number, like 12",
        },
    )
    child = forms.IntegerField(
        label="Child record number",
        required=False,
        min_value=1,
        help_text="The number of the child's record, as in its address: /children/12/.",
        error_messages={
            "invalid": "Enter the child record number as a whole number, like 12",
            "min_value": "Enter the child record number as a whole number, like 12",
        },
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        help_text="For example 2026-03-01.",
        error_messages={"invalid": "Enter the from date as a real date, like 2026-03-01"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        help_text="For example 2026-03-31.",
        error_messages={"invalid": "Enter the to date as a real date, like 2026-03-31"},
    )
    break_glass = forms.BooleanField(
        label="Only closed records opened with a reason (break the glass)", required=False
    )

    def __init__(self, data=None, **kwargs):
        # The addresses say from= and to=, which a form cannot name its fields.
        if data is not None:
            data = data.copy()
            for short, field in (("from", "date_from"), ("to", "date_to")):
                if short in data:
                    data[field] = data[short]
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return cleaned


def _ids_pattern(ids) -> str:
    """A regular expression finding any of ``ids`` in a JSON array as text ("[3, 12]"
    on PostgreSQL, "[3,12]" on SQLite): the same on both databases."""
    return r"(\[|,|\s)(" + "|".join(str(int(i)) for i in ids) + r")(,|\])"


def _mentions(key: str, ids) -> Q:
    ids = list(ids)
    if not ids:
        return Q(pk__in=[])
    return Q(**{f"_detail_{key}__regex": _ids_pattern(ids)})


def rows_about_child(queryset: QuerySet, child_id: int) -> QuerySet:
    referral_ids = list(Referral.objects.filter(child_id=child_id).values_list("pk", flat=True))
    challenge_ids = Challenge.objects.filter(referral_id__in=referral_ids).values_list(
        "pk", flat=True
    )
    discussion_ids = StrategyDiscussion.objects.filter(referral_id__in=referral_ids).values_list(
        "pk", flat=True
    )
    Kind = AccessLog.Kind
    return queryset.annotate(
        _detail_referrals=KT("detail__referrals"), _detail_children=KT("detail__children")
    ).filter(
        Q(kind__in=[Kind.CHILD, Kind.CHILD_EXPORT], object_id=child_id)
        | Q(kind=Kind.REFERRAL, object_id__in=referral_ids)
        | Q(kind=Kind.CHALLENGE, object_id__in=list(challenge_ids))
        | Q(kind=Kind.STRATEGY_DISCUSSION, object_id__in=list(discussion_ids))
        | _mentions("referrals", referral_ids)
        | _mentions("children", [child_id])
    )


def search(
    *,
    user: str = "",
    account: int | None = None,
    child: int | None = None,
    date_from=None,
    date_to=None,
    break_glass: bool = False,
) -> QuerySet:
    """The rows matching the filters, newest first."""
    rows = AccessLog.objects.all()
    if user:
        rows = rows.filter(username=user)
    if account:
        rows = rows.filter(user_id=account)
    if child:
        rows = rows_about_child(rows, child)
    zone = timezone.get_current_timezone()
    if date_from:
        rows = rows.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        rows = rows.filter(at__lt=end)
    if break_glass:
        rows = rows.exclude(break_glass_reason="")
    return rows.order_by("-at", "-pk")


@dataclass(frozen=True)
class Row:
    entry: AccessLog
    what: str
    link: str
    # The role as people say it ("Agency lead"), or as stored when it is no longer one.
    role: str = ""


ROLE_LABELS = {str(value): str(label) for value, label in Role.choices}


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def describe(entries, *, back: str = "") -> list[Row]:
    """Each row of a page with what was viewed in words: a referral's reference, a
    child's record number, or what a list or a search showed; never a name. A child's
    chronology is linked to come ``back`` to this page."""
    from urllib.parse import urlencode

    from django.urls import reverse

    come_back = f"?{urlencode({'next': back})}" if back else ""

    entries = list(entries)
    Kind = AccessLog.Kind
    referral_ids = {e.object_id for e in entries if e.kind == Kind.REFERRAL and e.object_id}
    references = dict(Referral.objects.filter(pk__in=referral_ids).values_list("pk", "reference"))
    rows = []
    for e in entries:
        detail = e.detail or {}
        link = ""
        if e.kind == Kind.REFERRAL:
            what = f"Referral {references.get(e.object_id, e.object_id)}"
            link = reverse("triage:referral", args=[e.object_id])
        elif e.kind in (Kind.CHILD, Kind.CHILD_EXPORT):
            what = f"{e.get_kind_display()}: child record {e.object_id}"
            link = reverse("children:chronology", args=[e.object_id]) + come_back
        elif e.kind == Kind.CHILD_SEARCH:
            found = detail.get("children", [])
            what = f"Child search: {_count(len(found), 'child', 'children')} returned"
            if found:
                what += " (records " + ", ".join(str(i) for i in found) + ")"
        elif e.kind in (Kind.CHALLENGE, Kind.STRATEGY_DISCUSSION):
            what = f"{e.get_kind_display()} {e.object_id}"
            if e.object_id:
                page = "challenges:detail" if e.kind == Kind.CHALLENGE else "strategy:detail"
                link = reverse(page, args=[e.object_id])
        elif "referrals" in detail:
            shown = detail["referrals"]
            what = f"{e.get_kind_display()}: {_count(len(shown), 'referral', 'referrals')} shown"
        else:
            what = e.get_kind_display()
        role = ROLE_LABELS.get(e.role, e.role)
        rows.append(Row(entry=e, what=what, link=link, role=role))
    return rows
