"""Everything held about one child (a subject access request), as JSON or CSV.

The child's record; every referral linked to them with its sections (concerns, household,
the coaching prompts its referrer was shown), its decision and amendments, screening
notes, quality rating, information requests and their answers, strategy discussions
(attendees, information shared, decisions, actions), challenges and their responses; the
links to this child removed as wrong; the audit events about those referrals; and the
access-log rows about the child. Every stored field of each, as stored."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder

from audit.models import AccessLog, AuditEvent
from core.db import PRIMARY
from core.spreadsheet import safe_cell
from oversight.access_log import rows_about_child
from referrals.models import Child, Referral
from triage.models import ChildLinkRemoval

# Under each item, the related rows exported with it: (key in the export, the related
# manager's name, what each row is called in the CSV's type column, their own children).
_REFERRAL_PARTS = [
    ("concerns", "concerns", "concern", []),
    ("household", "household", "household_member", []),
    ("coaching_prompts", "coaching", "coaching_prompt", []),
    ("screening_notes", "notes", "screening_note", []),
    (
        "information_requests",
        "information_requests",
        "information_request",
        [],
    ),
    (
        "strategy_discussions",
        "strategy_discussions",
        "strategy_discussion",
        [
            ("attendees", "attendees", "discussion_attendee", []),
            ("information_shared", "contributions", "discussion_contribution", []),
            ("decisions", "decisions", "discussion_decision", []),
            ("actions", "actions", "discussion_action", []),
        ],
    ),
    (
        "challenges",
        "challenges",
        "challenge",
        [("responses", "responses", "challenge_response", [])],
    ),
]


def _part_keys(parts) -> set[str]:
    return {key for key, _, _, sub in parts} | {k for *_, sub in parts for k in _part_keys(sub)}


_PART_KEYS = _part_keys(_REFERRAL_PARTS) | {"amendments"}


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def fields_of(obj) -> dict:
    """Every stored field of a row, by its column name (foreign keys as ids)."""
    return {f.attname: _value(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def _with_parts(obj, type_name: str, parts) -> dict:
    item = {"type": type_name, **fields_of(obj)}
    for key, manager, part_type, sub in parts:
        item[key] = [
            _with_parts(row, part_type, sub) for row in getattr(obj, manager).order_by("pk")
        ]
    return item


def _referral(referral: Referral) -> dict:
    item = _with_parts(referral, "referral", _REFERRAL_PARTS)
    quality = getattr(referral, "quality", None)
    item["quality_rating"] = _with_parts(quality, "quality_rating", []) if quality else None
    decision = getattr(referral, "decision", None)
    item["decision"] = (
        _with_parts(decision, "decision", [("amendments", "amendments", "amendment", [])])
        if decision
        else None
    )
    return item


def _access_log(child: Child, logged: AccessLog | None) -> list[AccessLog]:
    rows = list(rows_about_child(AccessLog.objects.all(), child.pk).order_by("at", "pk"))
    if logged is not None and all(row.pk != logged.pk for row in rows):
        # Just written to the primary; a read replica may not have it yet.
        rows.append(AccessLog.objects.using(PRIMARY).get(pk=logged.pk))
        rows.sort(key=lambda row: (row.at, row.pk))
    return rows


def child_record(child: Child, *, logged: AccessLog | None = None) -> dict:
    """Everything held about ``child``; ``logged``, the access-log row written for this
    export, is in it however far behind the database read is."""
    referrals = Referral.objects.filter(child=child).order_by("received_at", "pk")
    referral_ids = [r.pk for r in referrals]
    return {
        "child": {"type": "child", **fields_of(child)},
        "referrals": [_referral(r) for r in referrals],
        "links_removed": [
            {"type": "link_removed", **fields_of(r)}
            for r in ChildLinkRemoval.objects.filter(child=child).order_by("pk")
        ],
        "audit_events": [
            {"type": "audit_event", **fields_of(e)}
            for e in AuditEvent.objects.filter(referral_id__in=referral_ids).order_by("at", "pk")
        ],
        "access_log": [{"type": "access_log", **fields_of(e)} for e in _access_log(child, logged)],
    }


def _cell(value) -> str:
    # Scores in full (the shared helper rounds floats for its tables).
    return safe_cell(repr(value) if isinstance(value, float) else value)


def as_json(record: dict) -> str:
    return json.dumps(record, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _flatten(item: dict, parent: str, rows: list[dict]) -> None:
    """One row for the item (its own fields, JSON for structured ones), then its parts,
    each row naming the item it belongs to."""
    row = {"type": item["type"], "parent": parent}
    nested = []
    for key, value in item.items():
        if key == "type":
            continue
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) and "type" in v for v in value)
        ):
            nested.extend(value)
        elif isinstance(value, dict) and "type" in value:
            nested.append(value)
        elif isinstance(value, list) and not value and key in _PART_KEYS:
            continue
        elif isinstance(value, dict | list):
            row[key] = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
        else:
            row[key] = value
    rows.append(row)
    for part in nested:
        _flatten(part, f"{item['type']} {item.get('id', '')}".strip(), rows)


def as_csv(record: dict) -> str:
    """One row per item, a ``type`` column saying what it is and a ``parent`` column the
    item it belongs to; the columns are every field any item has, blank where an item has
    none. Every cell is formula-safe."""
    rows: list[dict] = []
    _flatten(record["child"], "", rows)
    for section in ("referrals", "links_removed", "audit_events", "access_log"):
        for item in record[section]:
            _flatten(item, f"child {record['child']['id']}", rows)
    columns: dict[str, None] = {"type": None, "parent": None, "id": None}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(columns))
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()
