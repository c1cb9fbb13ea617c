"""The referrals API: making a referral with POST /api/v1/referrals/, what a submission
costs, bad input refused naming the field, the serializers and the schema. A retried POST
(Idempotency-Key) is in test_api_idempotency.py; reading referrals (GET /api/v1/referrals/
and /{id}/, who sees what) in test_api_reading.py."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.census import AgencyType
from agencies.models import Role
from referrals import api
from referrals.models import NARRATIVE_MAX, Channel, HouseholdMember, Referral
from tests.clients import api_as
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    ApiTokenFactory,
    ChildFactory,
    ReferralFactory,
    UserFactory,
)
from tests.referrals.api_helpers import MISSING, URL, detail_url, post, referral_body

pytestmark = pytest.mark.django_db


# --- Making a referral ----------------------------------------------------------------


def test_referrer_makes_a_referral_and_gets_its_reference_and_clock(referrer):
    response = post(api_as(referrer), referral_body())

    assert response.status_code == 201
    data = response.json()
    referral = Referral.objects.get()
    assert data["id"] == referral.pk
    assert data["reference"] == referral.reference
    assert data["reference"].startswith("FD-")
    assert data["status"] == "received"
    assert data["is_overdue"] is False
    assert data["decided_at"] is None and data["outcome"] is None and data["feedback"] is None
    assert referral.channel == Channel.API
    assert referral.referrer == referrer
    assert referral.agency == referrer.agency
    assert sorted(referral.concern_categories) == ["domestic_abuse", "neglect"]
    assert referral.child_nhs_number == "9434765919"
    assert referral.child_postcode == "LS1 4AP"
    assert referral.child_disabilities == ["NONE"]
    assert HouseholdMember.objects.get(referral=referral).relationship == "mother"


def test_decision_is_due_exactly_24_hours_after_receipt_even_across_the_clock_change(referrer):
    # 00:30 GMT on the night British Summer Time starts: due 24 real hours later.
    received = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    with time_machine.travel(received, tick=False):
        response = post(api_as(referrer), referral_body())

    assert response.status_code == 201
    data = response.json()
    received_at = datetime.fromisoformat(data["received_at"])
    due_at = datetime.fromisoformat(data["decision_due_at"])
    assert received_at == received
    assert due_at - received_at == timedelta(hours=24)
    referral = Referral.objects.get()
    assert referral.decision_due_at - referral.received_at == timedelta(hours=24)


def test_referrer_cannot_backdate_a_referral_or_claim_it_came_by_phone(referrer):
    now = datetime(2026, 5, 6, 10, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        response = post(
            api_as(referrer),
            referral_body(received_at="2026-05-01T09:00:00Z", channel="phone"),
        )

    assert response.status_code == 201
    referral = Referral.objects.get()
    assert referral.received_at == now
    assert referral.channel == Channel.API
    assert referral.referrer == referrer


def test_screener_records_a_phone_call_with_the_time_it_was_received(make_user):
    screener = make_user(Role.SCREENER)
    called = datetime(2026, 5, 6, 8, 15, tzinfo=UTC)
    with time_machine.travel(called + timedelta(hours=2), tick=False):
        response = post(
            api_as(screener),
            referral_body(received_at=called.isoformat(), channel="phone", caller_type="family"),
        )

    assert response.status_code == 201
    referral = Referral.objects.get()
    assert referral.received_at == called
    assert referral.decision_due_at == called + timedelta(hours=24)
    assert referral.channel == Channel.PHONE
    assert referral.recorded_by == screener
    assert referral.referrer is None
    assert response.json()["source_of_referral"] == "1A"


def test_manager_records_a_professional_callers_referral_against_their_agency(make_user):
    police = AgencyFactory(name="Test Constabulary", type=AgencyType.POLICE)

    response = post(
        api_as(make_user(Role.MANAGER)),
        referral_body(channel="email", caller_agency=police.pk),
    )

    assert response.status_code == 201
    assert response.json()["agency"] == "Test Constabulary"
    assert response.json()["source_of_referral"] == "6"
    assert Referral.objects.get().channel == Channel.EMAIL


def test_screener_cannot_record_a_referral_received_in_the_future(make_user):
    future = (timezone.now() + timedelta(hours=1)).isoformat()

    response = post(api_as(make_user(Role.SCREENER)), referral_body(received_at=future))

    assert response.status_code == 400
    assert "received_at" in response.json()
    assert Referral.objects.count() == 0


@pytest.mark.parametrize("role", [Role.PARTNER, Role.AUDITOR, Role.ADMIN])
def test_roles_that_do_not_refer_cannot_post_a_referral(make_user, role):
    response = post(api_as(make_user(role)), referral_body())

    assert response.status_code == 403
    assert Referral.objects.count() == 0


def test_anonymous_caller_gets_401_and_nothing_is_saved():
    client = APIClient()

    assert post(client, referral_body()).status_code == 401
    assert client.get(URL).status_code == 401
    assert Referral.objects.count() == 0


def test_referrals_cannot_be_changed_or_deleted_through_the_api(referrer):
    referral = ReferralFactory(referrer=referrer)
    client = api_as(referrer)

    assert client.put(detail_url(referral.pk), referral_body(), format="json").status_code == 405
    assert client.delete(detail_url(referral.pk)).status_code == 405
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_a_token_from_the_token_endpoint_makes_and_reads_a_referral():
    UserFactory(username="pat.police", role=Role.REFERRER)
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": "pat.police", "password": PASSWORD}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    created = post(client, referral_body())
    fetched = client.get(detail_url(created.json()["id"]))
    listed = client.get(URL)

    assert created.status_code == 201
    assert fetched.status_code == 200
    assert fetched.json()["reference"] == created.json()["reference"]
    assert fetched.json()["child_first_name"] == "Ada"
    assert [r["id"] for r in listed.json()["results"]] == [created.json()["id"]]


# --- What a submission costs ------------------------------------------------------------


def test_a_submission_with_a_token_and_a_key_takes_nine_statements():
    """What a POST costs on PostgreSQL, statement by statement: the token (knox's, with its
    holder and the holder's agency: agencies.token_reads), the holder's other tokens
    (knox: to end any that expired), the child by NHS number; then only writes (but two
    SELECTs of nextval on PostgreSQL): the keys of the submission, the referral and the
    acknowledgement's notice event, the reference, then every row in one statement (WITH
    ... INSERT: audit.together): the submission, the referral, its concerns and
    household with their history versions, the audit event, the acknowledgement's event
    and its notifications; and the key (not looked up first: a key already taken fails
    its insert, and only then is it read). No savepoints of its own, no look-ups of what
    it already holds, no question to the database about a constraint the insert is about
    to check. On SQLite (no INSERT in a WITH clause) each table's rows in one statement,
    each tracked table's versions in another."""
    holder = UserFactory(role=Role.REFERRER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=holder).raw}")
    known = ChildFactory(nhs_number="9434765919")
    postgresql = connection.vendor == "postgresql"

    with CaptureQueriesContext(connection) as queries:
        response = post(client, referral_body(), **{"Idempotency-Key": "one"})

    assert response.status_code == 201
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    # The test's own transaction makes the request's transaction a savepoint here; in
    # service it is BEGIN and COMMIT.
    assert statements[0] != "SAVEPOINT" and statements.count("SAVEPOINT") == 1
    if postgresql:
        assert statements == [
            *("SELECT", "SELECT"),  # the token, holder and agency; the holder's tokens
            "SAVEPOINT",
            "SELECT",  # the child by NHS number
            *("SELECT", "SELECT"),  # the keys; the reference (nextval)
            "WITH",  # every row of the submission, with the versions
            "INSERT",  # the idempotency key
            "RELEASE",
        ]
    else:  # the reference by the counter row's upsert; the three tables' versions apart
        assert statements.count("SELECT") == 3
        assert statements.count("WITH") == 0
        assert statements.count("INSERT") == 12
        assert len(statements) == 17
    assert set(response.json()["concerns"]) == {"neglect", "domestic_abuse"}
    assert response.json()["outcome"] is None
    assert Referral.objects.get().child_id == known.pk


# --- Bad input: a 4xx naming the problem, never a 500, nothing saved ------------------


def _days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


BAD_FIELDS = [
    pytest.param({"child_first_name": MISSING}, "child_first_name", id="missing-first-name"),
    pytest.param({"worry": MISSING}, "worry", id="missing-worry"),
    pytest.param({"child_voice": "   "}, "child_voice", id="blank-child-voice"),
    pytest.param({"concerns": MISSING}, "concerns", id="missing-concerns"),
    pytest.param({"concerns": []}, "concerns", id="no-concerns"),
    pytest.param({"concerns": "neglect"}, "concerns", id="concerns-not-a-list"),
    pytest.param({"concerns": ["bad_luck"]}, "concerns", id="unknown-concern"),
    pytest.param({"child_first_name": ["Ada"]}, "child_first_name", id="name-not-a-string"),
    pytest.param(
        {"child_interpreter_needed": "sometimes"}, "child_interpreter_needed", id="not-a-boolean"
    ),
    pytest.param({"immediate_risk": {"yes": 1}}, "immediate_risk", id="object-for-boolean"),
    pytest.param({"child_date_of_birth": _days(1)}, "child_date_of_birth", id="born-tomorrow"),
    pytest.param(
        {"child_date_of_birth": "2026-02-30"}, "child_date_of_birth", id="impossible-date"
    ),
    pytest.param({"child_date_of_birth": "04/03/2017"}, "child_date_of_birth", id="uk-format"),
    pytest.param(
        {"child_expected_date_of_birth": _days(60)},
        "child_expected_date_of_birth",
        id="born-and-expected",
    ),
    pytest.param(
        {"child_date_of_birth": None, "child_expected_date_of_birth": _days(-1)},
        "child_expected_date_of_birth",
        id="expected-in-the-past",
    ),
    pytest.param(
        {"child_date_of_birth": None, "child_expected_date_of_birth": _days(400)},
        "child_expected_date_of_birth",
        id="expected-beyond-10-months",
    ),
    pytest.param({"child_first_name": "A" * 101}, "child_first_name", id="name-too-long"),
    pytest.param({"worry": "x" * (NARRATIVE_MAX + 1)}, "worry", id="worry-too-long"),
    pytest.param({"child_address": "x" * 401}, "child_address", id="address-too-long"),
    pytest.param({"child_ethnicity": "XXXX"}, "child_ethnicity", id="unknown-ethnicity"),
    pytest.param({"child_gender": "7"}, "child_gender", id="unknown-gender"),
    pytest.param({"child_religion": "jedi"}, "child_religion", id="unknown-religion"),
    pytest.param({"child_disabilities": ["WINGS"]}, "child_disabilities", id="unknown-disability"),
    pytest.param({"parental_consent": "maybe"}, "parental_consent", id="unknown-consent"),
    pytest.param(
        {"parental_consent": "not_sought"}, "consent_not_sought_reason", id="no-reason-for-consent"
    ),
    pytest.param({"child_nhs_number": "1234567890"}, "child_nhs_number", id="bad-nhs-number"),
    pytest.param({"child_postcode": "NOT A CODE"}, "child_postcode", id="bad-postcode"),
    pytest.param({"referrer_email": "not-an-email"}, "referrer_email", id="bad-email"),
    pytest.param({"household": [{"name": "Parent One"}]}, "household", id="household-no-relation"),
    pytest.param({"household": "mum and dad"}, "household", id="household-not-a-list"),
    # A NUL, like every control character, is stripped, not refused: see
    # tests/referrals/test_invisible_characters.py and tests/core/test_text.py.
]


@pytest.mark.parametrize(("changes", "field"), BAD_FIELDS)
def test_invalid_referral_gets_400_naming_the_field_and_saves_nothing(referrer, changes, field):
    response = post(api_as(referrer), referral_body(**changes))

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"caller_agency": 999_999}, "caller_agency", id="unknown-agency"),
        pytest.param({"caller_agency": "police"}, "caller_agency", id="agency-not-an-id"),
        pytest.param({"caller_type": "alien"}, "caller_type", id="unknown-caller-type"),
        pytest.param({"channel": "fax"}, "channel", id="unknown-channel"),
        pytest.param({"received_at": "yesterday"}, "received_at", id="unreadable-time"),
    ],
)
def test_invalid_staff_fields_get_400_naming_the_field(make_user, changes, field):
    response = post(api_as(make_user(Role.SCREENER)), referral_body(**changes))

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "says"),
    [
        pytest.param('{"child_first_name": ', "application/json", 400, "JSON", id="malformed"),
        pytest.param("[1, 2]", "application/json", 400, "dictionary", id="a-list"),
        pytest.param('"a referral"', "application/json", 400, "dictionary", id="a-string"),
        pytest.param("null", "application/json", 400, "No data", id="null"),
        pytest.param("[" * 50_000 + "]" * 50_000, "application/json", 400, "nested", id="deep"),
        pytest.param(b'{"worry": "\xff"}', "application/json", 400, "JSON", id="not-utf8"),
        # Half a UTF-16 pair, escaped: a choice quoted back in its error was a server error.
        pytest.param(
            '{"child_gender": "\\ud800"}', "application/json", 400, "surrogate", id="surrogate"
        ),
        pytest.param(
            '{"household": [{"name": "A\\udfff"}]}',
            "application/json",
            400,
            "surrogate",
            id="surrogate-nested",
        ),
        pytest.param('{"\\ud800": 1}', "application/json", 400, "surrogate", id="surrogate-key"),
        pytest.param(
            "{}", "application/json; charset=nonesuch", 400, "child_first_name", id="charset"
        ),
        pytest.param("worry=hungry", "application/x-www-form-urlencoded", 415, "", id="form"),
        pytest.param("hungry", "text/plain", 415, "Unsupported media type", id="text"),
    ],
)
def test_a_body_that_is_not_a_json_object_gets_a_4xx_saying_why(
    referrer, body, content_type, status, says
):
    response = api_as(referrer).post(URL, body, content_type=content_type)

    assert response.status_code == status
    assert says in json.dumps(response.json())
    assert Referral.objects.count() == 0


def test_an_oversized_body_gets_413_and_saves_nothing(referrer):
    response = post(api_as(referrer), referral_body(other_professionals="x" * 600_000))

    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert Referral.objects.count() == 0


# --- The serializers ----------------------------------------------------------------------


def test_each_serializer_gets_fields_of_its_own():
    """The referral serializers build their fields once per class (FieldsBuiltOnce):
    each instance still binds copies of its own, so two requests never share one."""
    first, second = api.ReferralInputSerializer(), api.ReferralInputSerializer()

    assert first.fields["worry"] is not second.fields["worry"]
    assert first.fields["worry"].parent is first and second.fields["worry"].parent is second
    household = first.fields["household"]
    assert household is not second.fields["household"]
    assert household.child.fields["name"].root is first
    # A list's inner field is its own too, with the list's copy as its parent.
    concerns = first.fields["concerns"]
    assert concerns is not second.fields["concerns"]
    assert concerns.child is not second.fields["concerns"].child
    assert concerns.child.parent is concerns and concerns.child.root is first


def test_the_text_and_type_rules_are_worked_out_once_per_class_and_still_refuse():
    """What the JSON-type and invisible-character checks read of the fields is worked out
    once per class for the serializers that build their fields once; the checks still
    refuse, and clean, as before."""
    first, second = api.ReferralInputSerializer(), api.ReferralInputSerializer()
    assert first._rules() is second._rules()
    assert first._text_fields()["worry"] is True  # multi-line: a model TextField
    assert first._text_fields()["child_first_name"] is False

    wrong = api.ReferralInputSerializer(
        data={**referral_body(), "immediate_risk": "true", "concerns": [1]}
    )
    assert not wrong.is_valid()
    assert wrong.errors["immediate_risk"] == ["Must be true or false."]
    assert wrong.errors["concerns"] == ["Each item must be a string."]
    too_long = api.ReferralInputSerializer(data={**referral_body(), "child_first_name": "x" * 101})
    assert not too_long.is_valid()
    assert "no more than 100 characters" in too_long.errors["child_first_name"][0]


# --- Schema -----------------------------------------------------------------------------


def test_the_schema_generates_without_warnings_and_describes_every_field(tmp_path):
    path = tmp_path / "schema.json"

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(path),
    )

    schema = json.loads(path.read_text())
    assert {"/api/v1/referrals/", "/api/v1/referrals/{id}/"} <= set(schema["paths"])
    components = schema["components"]["schemas"]
    for name in ("ReferralInput", "Referral", "HouseholdMember"):
        undescribed = [
            field
            for field, spec in components[name]["properties"].items()
            if not spec.get("description")
        ]
        assert undescribed == [], name
    assert "neglect" in components["ConcernCategory"]["enum"]
    assert "WBRI" in components["Ethnicity"]["enum"]
    post_operation = schema["paths"]["/api/v1/referrals/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post_operation["parameters"])
    assert "ignored" in components["ReferralInput"]["properties"]["received_at"]["description"]
