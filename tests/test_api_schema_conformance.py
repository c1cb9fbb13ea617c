"""Schemathesis against the project's own OpenAPI schema, with every check on.

The schema is the one /api/schema/ serves (``test_the_schema_tested_is_the_one_served``
proves it); the API is called in process, through Django's WSGI application, with
tokens of real users: each operation as the role that may do it (ROLE_FOR), against
data the factories seed, so that generated requests reach the handlers rather than
stopping at 401. Every check schemathesis has is on (``checks.enabled``), including
``max_response_time``; the phases run here are examples, coverage (which sends the
undocumented methods, the missing headers and the boundary values) and fuzzing, with a
fixed seed and a bounded number of examples, and the stateful phase runs as a
Hypothesis state machine over the links schemathesis infers.

What a check cannot judge here, and why (each listed, none left out silently):

- ``object_level_authorization`` needs several identities declared as peers
  (schemathesis's ``[auth.wfc]``) and lists to read them from; it is on, but with one
  identity per operation it has nothing to compare. That no referrer reads another
  agency's referral is proven by tests/test_referrer_isolation_property.py and the
  authorization matrix (tests/test_authorization_matrix.py).
- ``use_after_free`` has one operation that deletes, ``DELETE
  /api/v1/auth/tokens/{token_id}/``, and no operation reads a single token back, so
  the state machine has nothing to read after a delete.
- ``positive_data_acceptance`` on ``POST /api/v1/auth/token/``: a username and a
  password that the schema allows are almost never a real account's, and a wrong one is
  a 400 (``non_field_errors``), as documented; 400 is expected there (TOKEN_OVERRIDES).
  The token tests (tests/agencies/test_api_token.py) issue real tokens.
- ``missing_required_header`` fires when a required header is left out; no operation
  has one (``Idempotency-Key`` is optional; ``Authorization`` is a security scheme, which
  ``ignored_auth`` covers by sending none and a wrong one).
- ``use_after_free`` and ``ensure_resource_availability`` run in the state machine
  (``test_sequences_of_calls_conform_to_the_schema``), along the links the schema
  declares; schemathesis's own link inference is off, as it carried response fields
  into request bodies where they do not belong.

What the schema cannot know, and the requests schemathesis generates as valid are given
(``_pin``; invalid requests keep what was generated): ids (a referral, a discussion, a
token, an agency), the referral and discussion lists' cursors (one their ``next`` link
gives: the schema says to take it from there unchanged), a threshold level in use, and
the rules that depend on stored data, each stated in its field's description: a decision's
proceed_reason (while a warning applies: the seeded referral has none) and late_reason
(once past due: it is not), a discussion not held before its referral was received nor
its minutes before it was held (the seeded referral and discussion are older than the
generated times), and the reason for going on without police, social care
or health (which depends on the agencies' types).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.parameters import ParameterLocation

from agencies import tokens
from agencies.census import AgencyType
from agencies.models import Role
from core.text import clean_text
from frontdoor.wsgi import application
from referrals import coaching, pagination
from referrals.validation import EXPECTED_BIRTH_WITHIN, OLDEST_BIRTH
from reporting.census import FIRST_COLLECTION_YEAR, current_collection_year
from tests.factories import (
    AgencyFactory,
    AttendeeFactory,
    ChildFactory,
    DecisionFactory,
    ReferralFactory,
    ScreeningNoteFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from triage.footprint import outcome_is_unusual
from triage.models import AttendeeRole, ThresholdLevel
from triage.services.decisions import MIN_REASON_WORDS

MAX_EXAMPLES = 10
SEED = 13


# --- Formats: the rules a JSON Schema keyword cannot state (referrals.api_rules) --------
#
# Each generator makes only valid values. Schemathesis's coverage phase also asks for a
# field's boundary lengths (its maxLength and one less); a generator that cannot reach
# them makes it search for minutes, so each can also pad a valid value to exactly the
# lengths the schema gives fields of its format (_lengths_of).


def _schema_as_served() -> dict:
    generator = SchemaGenerator()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(public=True)))


RAW_SCHEMA = _schema_as_served()


def _lengths_of(name: str) -> list[int]:
    found: set[int] = set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("format") == name and isinstance(node.get("maxLength"), int):
                found.update({node["maxLength"], node["maxLength"] - 1})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(RAW_SCHEMA)
    return sorted(found)


def _padded(name: str, values, pad):
    lengths = _lengths_of(name)
    if not lengths:
        return values
    exact = st.builds(pad, values, st.sampled_from(lengths)).filter(bool)
    return st.one_of(values, exact)


def _pad_words(text: str, length: int) -> str | None:
    missing = length - len(text)
    if missing == 0:
        return text
    if missing == 1:
        return text + "a"
    return text + " " + "a" * (missing - 1) if missing > 1 else None


def _words(minimum, min_chars=0):
    word = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)
    text = st.lists(word, min_size=minimum, max_size=minimum + 4).map(" ".join)
    return text.filter(lambda t: len(t) >= min_chars and not coaching.is_placeholder(t))


def _nhs_numbers():
    def build(digits):
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        return None if check == 10 else digits + str(check)

    numbers = st.text("0123456789", min_size=9, max_size=9).map(build).filter(bool)
    spaced = numbers.map(lambda n: f"{n[:3]} {n[3:6]} {n[6:]}")
    return st.one_of(numbers, spaced)


def _pad_nhs(number: str, length: int) -> str | None:
    digits = number.replace(" ", "")
    if not 10 <= length <= 19:
        return None
    return "-".join(digits[: length - 10]) + digits[length - 10 :]


def _today():
    return timezone.localdate()


def _date_times(*, earliest: timedelta, latest: timedelta):
    seconds = st.integers(int(-earliest.total_seconds()), int(-latest.total_seconds()))
    return seconds.map(
        lambda s: (timezone.now() + timedelta(seconds=s)).isoformat().replace("+00:00", "Z")
    )


FORMATS = {
    "nhs-number": _padded("nhs-number", _nhs_numbers(), _pad_nhs),
    "answer": _padded("answer", _words(coaching.MIN_WORDS), _pad_words),
    "date-of-birth": st.builds(
        lambda days: (_today() - timedelta(days=days)).isoformat(),
        st.integers(0, OLDEST_BIRTH.days - 1),
    ),
    "expected-date-of-birth": st.builds(
        lambda days: (_today() + timedelta(days=days)).isoformat(),
        st.integers(0, EXPECTED_BIRTH_WITHIN.days),
    ),
    "collection-year": st.builds(
        str, st.integers(FIRST_COLLECTION_YEAR, current_collection_year())
    ),
    # When the minutes went out: not in the future (a few minutes' leeway), and not
    # before the discussion was held; these are later than the discussions seeded (90
    # days ago) and made (below).
    "date-time-before-5min-ahead": _date_times(earliest=timedelta(days=30), latest=timedelta(0)),
    # When a discussion was held: the same bound, and not before its referral was
    # received; these are later than the referral seeded (100 days ago), and earlier than
    # the minutes (above).
    "discussion-held-at": _date_times(earliest=timedelta(days=60), latest=timedelta(days=31)),
}
for minimum, min_chars in ((3, 0), (4, 0), (5, 0), (8, 0), (8, 40)):
    name = f"words-{minimum}" + (f"-chars-{min_chars}" if min_chars else "")
    FORMATS[name] = _padded(name, _words(minimum, min_chars), _pad_words)
for name, strategy in FORMATS.items():
    schemathesis.openapi.format(name, strategy)


# --- The schema and the configuration ---------------------------------------------------


TOKEN_OVERRIDES = {
    "include-operation-id": "auth_token_create",
    "checks": {
        "positive_data_acceptance": {"expected-statuses": ["200", "400", "429"]},
    },
}

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        # Every check; max_response_time (off unless given a limit) at 10 s, generous on
        # a loaded two-core machine: the point is that no request hangs.
        "checks": {"enabled": True, "max_response_time": 10},
        # A fixed seed makes every run the same; nothing is kept in .hypothesis/.
        "generation": {"deterministic": True, "max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            # Only the links the schema declares (openapi_links on the views): those
            # schemathesis infers by itself also carry response fields into request
            # bodies where they do not belong (a referral's feedback into a decision).
            "stateful": {"enabled": True, "inference": {"algorithms": []}},
        },
        "operations": [TOKEN_OVERRIDES],
        # Off: it puts literals from the application's code (template names, choices) into
        # text fields that have a format, which it does not check; the formats' own
        # generators above keep the rules.
        "analysis": {"constants": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(RAW_SCHEMA, config=CONFIG)
schema.app = application


@pytest.fixture
def api_schema(request):
    # schemathesis 4.32's lazy test reads and writes ``node._nodeid`` to name each
    # operation's subtest; pytest 9.2 no longer has it (pinned below 9.2 for now, for
    # pytest-xdist: pyproject.toml), so it is given here, to work with either.
    request.node._nodeid = request.node.nodeid
    return schema


# Read when the test runs, not when it is collected: schemathesis builds each operation's
# coverage cases as it makes its test, about 20 seconds of generation that every pytest-xdist
# worker would otherwise spend collecting, whichever of them runs it. One test, with a
# subtest for each operation.
lazy_schema = schemathesis.pytest.from_fixture("api_schema")


ROLE_FOR = {
    "auth_token_create": None,
    "auth_logout_create": Role.REFERRER,
    "auth_tokens_list": Role.REFERRER,
    "auth_tokens_destroy": Role.REFERRER,
    "agencies_list": Role.REFERRER,
    "census_cin": Role.MANAGER,
    "challenges_list": Role.REFERRER,
    "children_matches": Role.SCREENER,
    "dashboard_retrieve": Role.MANAGER,
    "notifications_list": Role.REFERRER,
    "referrals_list": Role.REFERRER,
    "referrals_create": Role.REFERRER,
    "referrals_retrieve": Role.REFERRER,
    "referrals_challenges_create": Role.REFERRER,
    "referrals_decision_create": Role.MANAGER,
    "strategy_discussions_list": Role.MANAGER,
    "strategy_discussions_create": Role.MANAGER,
    "strategy_discussions_retrieve": Role.MANAGER,
    "strategy_discussions_partial_update": Role.MANAGER,
}


def test_the_schema_tested_is_the_one_served(referrer_client):
    served = referrer_client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT="application/json")

    assert served.status_code == 200
    assert json.loads(served.content) == RAW_SCHEMA


def test_every_check_is_on_for_every_operation():
    """Every check schemathesis has (its registry, so a check a later version adds is
    covered too), and max_response_time, which is off unless given a limit."""
    load_all_checks()
    every = sorted(CHECKS.get_all_names())
    assert "positive_data_acceptance" in every and "ignored_auth" in every
    for result in schema.get_all_operations():
        operation = result.ok()
        for phase in ("examples", "coverage", "fuzzing", "stateful"):
            checks = schema.config.checks_config_for(operation=operation, phase=phase)
            off = [name for name in every if not getattr(checks, name).enabled]
            assert not off, (operation.label, phase, off)
            assert checks.max_response_time.enabled


def test_every_operation_has_a_role():
    operations = {
        operation["operationId"]
        for path in RAW_SCHEMA["paths"].values()
        for operation in path.values()
    }
    assert operations == set(ROLE_FOR)


# --- The world the requests meet ---------------------------------------------------------


@pytest.fixture
def in_process_requests():
    """Django's WSGI handler closes the database connection after each request; in a
    test, that connection holds the test's transaction, so (as Django's test client
    does) it is left open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, in_process_requests):
    agency = AgencyFactory()
    users = {
        Role.REFERRER: UserFactory(role=Role.REFERRER, agency=agency),
        Role.SCREENER: UserFactory(role=Role.SCREENER),
        Role.MANAGER: UserFactory(role=Role.MANAGER),
    }
    referrer = users[Role.REFERRER]
    # Received before the seeded discussion and the discussions made (held_at).
    own = ReferralFactory(referrer=referrer, received_at=timezone.now() - timedelta(days=100))
    decided = ReferralFactory(referrer=referrer)
    DecisionFactory(referral=decided)
    # Undecided, allocated, linked, with notes and no requests outstanding: a decision
    # needs no reason to go on (no warnings) and is not late.
    to_decide = ReferralFactory(in_screening=True, child=ChildFactory())
    ScreeningNoteFactory(referral=to_decide)
    discussion = StrategyDiscussionFactory(
        referral=own, held_at=timezone.now() - timedelta(days=90)
    )
    # Police, social care and health attended: no reason for missing members is needed
    # until a request changes the attendees.
    for agency_type, role in (
        (AgencyType.POLICE, AttendeeRole.POLICE_OFFICER),
        (AgencyType.CHILDRENS_SOCIAL_CARE, AttendeeRole.SOCIAL_WORKER),
        (AgencyType.GP, AttendeeRole.GP),
    ):
        AttendeeFactory(discussion=discussion, agency=AgencyFactory(type=agency_type), role=role)
    return {
        "users": users,
        "agency": agency,
        "referrals_retrieve": own.pk,
        "referrals_challenges_create": decided.pk,
        "referrals_decision_create": to_decide.pk,
        "strategy_discussions_retrieve": discussion.pk,
        "strategy_discussions_partial_update": discussion.pk,
        "referral": own.pk,
        "cursor": pagination.encode([own.received_at, own.pk]),
        "discussion_cursor": pagination.encode([discussion.held_at, discussion.pk]),
        "levels": sorted(
            ThresholdLevel.objects.filter(is_active=True).values_list("level", flat=True)
        ),
    }


def _operation_id(case) -> str:
    return case.operation.definition.raw["operationId"]


# Schemathesis's WSGI transport asks for gzip, as requests does, but does not decode the
# answer; the API compresses for clients that ask (tests/frontdoor/test_compression.py),
# so the calls here ask for the plain body.
PLAIN = {"Accept-Encoding": "identity"}


def _headers_for(case, world) -> dict:
    role = ROLE_FOR[_operation_id(case)]
    if role is None:
        return dict(PLAIN)
    _, raw = tokens.issue_token(user=world["users"][role])
    return {**PLAIN, "Authorization": f"Token {raw}"}


def _is_valid(case, location) -> bool:
    return case.meta is not None and not case.meta.is_negative_at(location)


def _pin(case, world, *, path: bool = True) -> None:
    """Seeded ids (and a real cursor) in the requests generated as valid."""
    operation = _operation_id(case)
    if path and case.path_parameters and _is_valid(case, ParameterLocation.PATH):
        if operation == "auth_tokens_destroy":
            token, _ = tokens.issue_token(user=world["users"][Role.REFERRER])
            case.path_parameters["token_id"] = token.pk
        elif operation in world:
            (name,) = case.path_parameters
            case.path_parameters[name] = world[operation]
    cursors = {"referrals_list": "cursor", "strategy_discussions_list": "discussion_cursor"}
    if (
        operation in cursors
        and case.query
        and "cursor" in case.query
        and _is_valid(case, ParameterLocation.QUERY)
    ):
        case.query["cursor"] = world[cursors[operation]]
    body = case.body
    if not isinstance(body, dict) or not _is_valid(case, ParameterLocation.BODY):
        return
    if operation == "strategy_discussions_create":
        body["referral"] = world["referral"]
    if operation in ("strategy_discussions_create", "strategy_discussions_partial_update"):
        for attendee in body.get("attendees") or []:
            if isinstance(attendee, dict):
                attendee["agency"] = world["agency"].pk
        # Going on without police, social care or health needs a reason, and the reason
        # cannot be emptied while they are still missing: a rule on the types of the
        # agencies the attendees come from (data, like the ids), stated in the field's
        # description.
        reason = body.get("missing_members_reason")
        changes_them = "attendees" in body or "missing_members_reason" in body
        if changes_them and not clean_text(str(reason or ""), multiline=True).strip():
            body["missing_members_reason"] = "The police officer was called to an emergency."
    if operation == "referrals_create" and body.get("caller_agency") is not None:
        body["caller_agency"] = world["agency"].pk
    if operation == "referrals_decision_create":
        # A threshold level is one of those in use (data); the schema states which
        # outcomes need threshold_reason at which level, so the level chosen keeps that.
        levels = world["levels"]
        if body.get("threshold_level") not in levels:
            reason = str(body.get("threshold_reason") or "")
            body["threshold_level"] = next(
                level
                for level in levels
                if len(reason.split()) >= MIN_REASON_WORDS
                or not outcome_is_unusual(outcome=body.get("outcome"), level=level)
            )


@pytest.mark.django_db
@lazy_schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, world):
    cache.clear()  # the API's throttling counts in the cache: each request starts at none
    # Each request meets the world as seeded, not as the requests before it left it (a
    # referral already decided, attendees changed): what it changes is rolled back.
    with transaction.atomic():
        _pin(case, world)
        case.call_and_validate(headers=_headers_for(case, world))
        transaction.set_rollback(True)


STATEFUL_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_sequences_of_calls_conform_to_the_schema(world):
    """The stateful phase: sequences of calls along the links schemathesis infers from
    the schema (a referral made, then read by the id the answer gave), each response
    checked as above, with the checks that need a sequence (ensure_resource_availability,
    use_after_free) among them. The ids come from the links, not from the seeding."""

    class Workflow(schema.as_state_machine()):
        def before_call(self, case):
            cache.clear()
            _pin(case, world, path=False)

        def get_call_kwargs(self, case):
            return {"headers": _headers_for(case, world)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # As call_and_validate does: the token sent is the caller's own, not generated.
            case.validate_response(
                response,
                additional_checks=additional_checks,
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs,
            )

    Workflow.run(settings=STATEFUL_SETTINGS)
