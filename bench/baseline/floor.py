"""The referral POST's floor: only what a POST must do in the database and the broker.

A third baseline, beside the bare DRF insert (``views.InsertOne``), served the same way
(``bench.baseline.urls``, ``bench.baseline.settings``, the project's DRF defaults: knox
token authentication, the per-user throttle) with the referral POST's own permission
and parser (``IsAuthenticated`` and ``MayRefer``, ``BoundedJSONParser``). It answers how
cheap a referral POST could be if its Python cost nothing beyond what the bare insert
pays too: no serializer, no rules, no model objects, no answer built from the referral.

Once a process and user, ``Plan.record`` submits a typical benchmark submission
(``bench.pages_subjects.REFERRAL_BODY``: one child, two concerns, one household member,
no NHS number) through the real path (``ReferralInputSerializer`` then
``referrals.services.submit_api_referral``) inside a transaction it rolls back, and keeps
the statements it sent: the keys' ``nextval`` SELECT (``audit.together.take_keys``), the
reference (``referrals.references.next_numbers``) and the one ``WITH ... INSERT`` chain
(``audit.together``) with its parameters. Each request then sends the same three
statements in one transaction, the chain's parameters those recorded with this
request's keys, reference, child's last name and times put in, and hands the
acknowledgement's email to Celery at the commit (``notices.tasks.dispatch``), as
``notices.services.dispatch_on_commit`` does. The rows it writes are the real POST's
(``tests/bench/test_floor.py`` compares them); the answer is the new referral's id and
reference, not the real POST's whole JSON.

The recording takes a key and a reference number from each sequence and rolls them
back: a gap of one reference a process (and user), in a benchmark's database only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from notices.services import _local
from referrals.api import MayRefer
from referrals.parsers import BoundedJSONParser

_NOTIFICATIONS = re.compile(r'p(\d+) AS \(INSERT INTO "notices_notification"')


class NotTheExpectedStatements(RuntimeError):
    """The real POST sent other statements than the floor replays (keys, reference,
    rows): the floor would no longer be the POST's, so it refuses to run."""


@dataclass
class _Slot:
    """How one parameter of the chain is made for a request."""

    kind: str  # "same", "submission", "referral", "event", "name", "time", "text", "json"
    value: Any


@dataclass
class Plan:
    keys: tuple[str, list]
    reference: tuple[str, list]
    year: int
    rows_sql: str
    slots: list[_Slot]
    notifications_part: int
    email_rank: int  # the email's place among the event's notifications, in key order
    recorded_at: datetime  # the recorded submission's time (every "now" of the chain)
    due_at: datetime  # the recorded referral's decision due time

    @classmethod
    def record(cls, request) -> Plan:
        """The statements of the typical submission, by the real path, rolled back."""
        import json

        from bench import loadgen
        from bench.pages_subjects import REFERRAL_BODY
        from notices.models import NoticeEvent, NoticeKind, Notification
        from referrals.serializers import ReferralInputSerializer
        from referrals.services import _referrer_notice, submit_api_referral

        body = json.loads(json.dumps(REFERRAL_BODY).replace(loadgen.PLACEHOLDER, "floor"))
        sent: list[tuple[str, list]] = []

        def capture(execute, sql, params, many, context):
            sent.append((sql, list(params or ())))
            return execute(sql, params, many, context)

        with transaction.atomic():
            serializer = ReferralInputSerializer(data=body, context={"request": request})
            serializer.is_valid(raise_exception=True)
            with connection.execute_wrapper(capture):
                referral, _ = submit_api_referral(by=request.user, data=serializer.validated_data)
            key = _referrer_notice(referral, NoticeKind.ACKNOWLEDGEMENT)["key"]
            event = NoticeEvent.objects.get(key=key).pk
            told = list(
                Notification.objects.filter(event_id=event)
                .order_by("pk")
                .values_list("channel", flat=True)
            )
            plan = cls._from(sent, referral, event, told)
            transaction.set_rollback(True)
        return plan

    @classmethod
    def _from(cls, sent, referral, event, told) -> Plan:
        from notices.models import Notification

        shapes = ["pg_get_serial_sequence", "to_regclass(%s) AS s", "WITH p0 AS (INSERT"]
        if len(sent) != 3 or not all(s in sql for s, (sql, _) in zip(shapes, sent, strict=True)):
            raise NotTheExpectedStatements([sql[:60] for sql, _ in sent])
        (keys, reference, (rows_sql, params)) = sent
        found = _NOTIFICATIONS.search(rows_sql)
        if found is None or told.count(Notification.Channel.EMAIL) != 1:
            raise NotTheExpectedStatements("no acknowledgement email in the chain")
        recorded = {
            "submission": referral.submission_id,
            "referral": referral.pk,
            "event": event,
        }
        slots = [
            _slot(value, column, recorded, referral)
            for value, column in zip(params, _columns(rows_sql), strict=True)
        ]
        times = [slot for slot in slots if slot.kind == "time"]
        for slot in times:  # the real path's "now"s, taken a moment apart: one now
            if abs(slot.value - times[0].value) < timedelta(minutes=1):
                slot.value = times[0].value
        return cls(
            keys=keys,
            reference=reference,
            year=timezone.localtime(referral.received_at).year,
            rows_sql=rows_sql,
            slots=slots,
            notifications_part=int(found.group(1)),
            email_rank=told.index(Notification.Channel.EMAIL),
            recorded_at=times[0].value,
            due_at=referral.decision_due_at,
        )

    def params(self, *, keys: dict, reference: str, last_name: str, shift) -> list:
        due = _local(self.due_at + shift)  # as the acknowledgement's text gives it
        filled = []
        for slot in self.slots:
            kind, value = slot.kind, slot.value
            if kind == "same":
                filled.append(value)
            elif kind == "time":
                filled.append(value + shift)
            elif kind == "name":
                filled.append(last_name)
            elif kind == "text":
                filled.append(value.format(reference=reference, due=due, **keys))
            elif kind == "json":
                detail, dumps = _json(value)
                filled.append(type(value)({**detail, "submission": keys["submission"]}, dumps))
            else:
                filled.append(keys[kind])
        return filled


# The columns that hold this submission's own keys: every other number is the same in
# every request (the user's, the agency's, counts).
_KEYS = {
    ("referrals_submission", "id"): "submission",
    ("referrals_referral", "id"): "referral",
    ("notices_noticeevent", "id"): "event",
    (None, "submission_id"): "submission",
    (None, "referral_id"): "referral",
    (None, "event_id"): "event",
}
_CLAUSE = re.compile(r'\b([ph])\d+ AS \(INSERT INTO "([^"]+)" \(([^)]*)\)')


def _columns(sql: str) -> list[tuple[str, str | None]]:
    """(table, column) of each parameter of the chain, in order: a row clause's
    parameters are its columns' values row after row; a versions clause's are the
    version's own (date, type, user, reason), None here."""
    found = list(_CLAUSE.finditer(sql))
    columns = []
    for clause, after in zip(found, [*found[1:], None], strict=True):
        kind, table, names = clause.groups()
        count = sql[clause.end() : after.start() if after else len(sql)].count("%s")
        if kind == "h":
            columns += [(table, None)] * count
            continue
        names = [name.strip().strip('"') for name in names.split(",")]
        if count % len(names):
            raise NotTheExpectedStatements(f"{table}: {count} values for {len(names)} columns")
        columns += [(table, name) for name in names] * (count // len(names))
    return columns


def _slot(value, column: tuple, recorded: dict, referral) -> _Slot:
    table, name = column
    kind = _KEYS.get((table, name)) or _KEYS.get((None, name))
    if kind is not None:
        if value != recorded[kind]:
            raise NotTheExpectedStatements(f"{table}.{name} is not the recorded {kind}")
        return _Slot(kind, None)
    if isinstance(value, datetime):
        return _Slot("time", value)
    if isinstance(value, str):
        if name == "child_last_name":
            return _Slot("name", None)
        template = value.replace("{", "{{").replace("}", "}}")
        template = template.replace(referral.reference, "{reference}")
        template = template.replace(_local(referral.decision_due_at), "{due}")
        # The referral's own key in the notice's key ("acknowledgement:<key>") and link.
        template = re.sub(rf"(?<=[:/]){referral.pk}(?=/|$)", "{referral}", template)
        return _Slot("text", template) if template != value else _Slot("same", value)
    detail, _ = _json(value)  # the audit event's detail
    if isinstance(detail, dict) and detail.get("submission") == recorded["submission"]:
        return _Slot("json", value)
    return _Slot("same", value)


def _json(value) -> tuple[Any, Any]:
    """What a JSON parameter holds and its dumps: psycopg2's Json (Django's Jsonb over
    it) or psycopg's Jsonb; (None, None) for any other value."""
    if hasattr(value, "adapted") and hasattr(value, "_dumps"):
        return value.adapted, value._dumps
    if hasattr(value, "obj") and hasattr(value, "dumps"):
        return value.obj, value.dumps
    return None, None


_plans: dict[tuple[str, int], Plan] = {}


class Floor(APIView):
    """The referral POST's statements and Celery message, nothing else."""

    permission_classes = [IsAuthenticated, MayRefer]
    parser_classes = [BoundedJSONParser]

    def post(self, request, *args, **kwargs):
        from notices.tasks import dispatch
        from referrals.references import format_reference

        plan = _plans.get((connection.alias, request.user.pk))
        if plan is None:
            plan = _plans[(connection.alias, request.user.pk)] = Plan.record(request)
        data = request.data if isinstance(request.data, dict) else {}
        last_name = str(data.get("child_last_name") or "").strip()
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(*plan.keys)
            ([submission], [referral], [event]) = cursor.fetchone()
            cursor.execute(*plan.reference)
            [(number,)] = cursor.fetchall()
            reference = format_reference(plan.year, number)
            keys = {"submission": submission, "referral": referral, "event": event}
            shift = now - plan.recorded_at
            cursor.execute(
                plan.rows_sql,
                plan.params(keys=keys, reference=reference, last_name=last_name, shift=shift),
            )
            told = sorted(pk for part, pk in cursor.fetchall() if part == plan.notifications_part)
            if told:
                email = told[plan.email_rank]
                transaction.on_commit(lambda: dispatch([email]))
        return Response({"id": referral, "reference": reference}, status=status.HTTP_201_CREATED)
