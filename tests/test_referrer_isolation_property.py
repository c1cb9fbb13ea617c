"""A property, tried by hypothesis: no referrer (nor agency lead) ever reads or changes
another agency's referral (nor, for a referrer, a colleague's), whatever the address,
the method and the body.

The authorization matrix (tests/test_authorization_matrix.py) tries every address with an
empty and one invalid body; here hypothesis draws the address, the method and a body of
any shape (the fields the forms and the API take, with text, numbers, dates, lists and
nulls), for the referral, request, challenge, discussion or draft of another agency. The
answer must be a refusal (OPTIONS, which describes the address, may answer) that shows
none of that record's markers, and nothing the
record is made of may change: its row, and how many notes, decisions, challenges,
requests, discussions and versions in its history there are.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import Role
from referrals.models import Referral
from tests import authz

pytestmark = pytest.mark.django_db

# What a referrer must never reach: another agency's (the police's) record of each kind,
# and for a referrer a colleague's referral too (their agency lead may read those).
FORBIDDEN = {
    Role.REFERRER.value: ("other", "colleague"),
    Role.AGENCY_LEAD.value: ("other",),
}
REFUSED = {authz.LOGIN, 401, 403, 404, 405}
FIELDS = (
    "reason", "outcome", "rationale", "feedback", "threshold_level", "text", "answer",
    "question", "worry", "child_first_name", "child_last_name", "status", "assigned_to",
    "referral", "discussion", "comment", "explanation", "minutes_circulated_at",
    "attendees", "kind", "held_at", "stage", "response", "agency", "child", "note",
    "action", "decision", "confirm", "missing_members_reason", "lived_experience",
)  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-2, max_value=10**9),
    st.booleans(),
    st.none(),
    st.sampled_from(["early_help", "section_47", "no_further_action", "2026-04-01T10:00"]),
    st.lists(st.integers(min_value=0, max_value=10**6), max_size=3),
)
BODIES = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6)


def _targets() -> list[tuple[authz.Endpoint, str, str, str]]:
    """(endpoint, method, role, kind) for every address naming an object of a kind the
    role must never reach."""
    found = []
    for (_name, method), endpoint in sorted(authz.discovered().items()):
        if endpoint.name == authz.ADMIN:
            continue
        for kind in authz.object_kinds(endpoint):
            for role, forbidden in FORBIDDEN.items():
                if kind in forbidden:
                    found.append((endpoint, method, role, kind))
    return found


TARGETS = _targets()


def _send(client, endpoint, method, path, body: dict):
    call = getattr(client, method.lower())
    form = {
        key: "" if value is None else json.dumps(value) if isinstance(value, list) else value
        for key, value in body.items()
    }
    if method == "GET":
        return call(path, form)  # the body as the query string
    if endpoint.route.startswith("api/"):
        return call(path, data=json.dumps(body), content_type="application/json")
    if method == "POST":
        return call(path, form)
    return call(path, urlencode(form), content_type="application/x-www-form-urlencoded")


def _state(referral_ids: list[int]) -> dict:
    """What the other agency's referrals are made of: their rows, and how many rows of
    every referrals and triage model (history included) hang off them or exist at all."""
    rows = {
        r.pk: {k: str(v) for k, v in model_to_dict(r).items()}
        for r in Referral.objects.filter(pk__in=referral_ids)
    }
    counts = {
        model._meta.label: model._default_manager.count()
        for app in ("referrals", "triage")
        for model in apps.get_app_config(app).get_models()
        if model._meta.model_name != "idempotencyrecord"
    }
    return {"rows": rows, "counts": counts}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield authz.build_world()
        transaction.set_rollback(True)


def test_there_are_addresses_to_try():
    assert len(TARGETS) > 30, "the property would try almost nothing"


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(target=st.sampled_from(TARGETS), body=BODIES)
def test_no_referrer_reads_or_changes_another_agencys_referral(world, db, target, body):
    endpoint, method, role, kind = target
    forbidden = [world.objects["referral"][k] for k in FORBIDDEN[role]]
    forbidden_ids = [value["*"] if isinstance(value, dict) else value for value in forbidden]
    before = _state(forbidden_ids)
    path = authz.path_for(endpoint, world, kind, role)

    response = _send(world.client(role), endpoint, method, path, body)

    # OPTIONS describes the address (the API's metadata), not the record: it may answer,
    # but like every answer it shows none of the record and changes nothing.
    if method != "OPTIONS":
        assert authz.outcome(response) in REFUSED, f"{role} {method} {path} {body}"
    text = authz.body_text(response)
    shown = sorted(
        name
        for name, marker in authz.markers().items()
        if name not in authz.MAY_SEE[role] and marker in text
    )
    assert not shown, f"{role} {method} {path} showed {shown}"
    assert _state(forbidden_ids) == before, f"{role} {method} {path} {body} changed it"
