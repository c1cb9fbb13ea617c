"""Everything held about one child (a subject access request), as JSON and as CSV, for
auditors; the download is itself access-logged."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from agencies.models import Role
from audit.models import AccessLog
from tests.clients import client_for
from tests.factories import (
    ChallengeFactory,
    ChallengeResponseFactory,
    ChildFactory,
    DecisionAmendmentFactory,
    DecisionFactory,
    InformationRequestFactory,
    ReferralFactory,
    ScreeningNoteFactory,
    StrategyDiscussionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    """A child with two referrals: one decided, amended and challenged, with a note, an
    answered information request and a strategy discussion; and another child's."""
    child = ChildFactory(first_name="=HYPERLINK(1)")
    first = ReferralFactory(child=child, awaiting_decision=True)
    ScreeningNoteFactory(referral=first, text="Spoke to the school nurse.")
    InformationRequestFactory(
        referral=first,
        answer="Known to us: missed appointments.",
        answered_at=first.received_at,
        answered_by=UserFactory(role=Role.PARTNER),
    )
    StrategyDiscussionFactory(referral=first)
    decision = DecisionFactory(referral=first)
    DecisionAmendmentFactory(decision=decision)
    challenge = ChallengeFactory(decision=decision)
    ChallengeResponseFactory(challenge=challenge)
    second = ReferralFactory(child=child)
    stranger = ReferralFactory(child=ChildFactory(), worry="Someone else entirely.")
    AccessLog.objects.create(
        username="screener.one", role="screener", path="/x/", kind="referral", object_id=first.pk
    )
    return {"child": child, "first": first, "second": second, "stranger": stranger}


def url(child, fmt=None):
    base = reverse("oversight:child-export", args=[child.pk])
    return base + (f"?format={fmt}" if fmt else "")


def test_the_url_is_the_one_the_design_names(held):
    assert url(held["child"], "csv") == f"/audit/children/{held['child'].pk}/export/?format=csv"


def test_json_holds_everything_about_the_child_and_nothing_else(held):
    auditor = client_for(UserFactory(role=Role.AUDITOR))

    response = auditor.get(url(held["child"], "json"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f'filename="child-{held["child"].pk}.json"' in response["Content-Disposition"]
    data = response.json()
    assert data["child"]["id"] == held["child"].pk
    assert data["child"]["first_name"] == "=HYPERLINK(1)"
    referrals = {r["id"]: r for r in data["referrals"]}
    assert set(referrals) == {held["first"].pk, held["second"].pk}
    first = referrals[held["first"].pk]
    assert first["worry"] == held["first"].worry
    assert [c["category"] for c in first["concerns"]]
    assert first["screening_notes"][0]["text"] == "Spoke to the school nurse."
    assert first["information_requests"][0]["answer"] == "Known to us: missed appointments."
    assert first["decision"]["rationale"] == held["first"].decision.rationale
    assert len(first["decision"]["amendments"]) == 1
    assert len(first["strategy_discussions"]) == 1
    assert len(first["challenges"]) == 1
    assert len(first["challenges"][0]["responses"]) == 1
    assert referrals[held["second"].pk]["decision"] is None
    kinds = [(e["kind"], e["object_id"]) for e in data["access_log"]]
    assert ("referral", held["first"].pk) in kinds
    # The download itself is in the log, and so in what it returns.
    assert ("child_export", held["child"].pk) in kinds
    assert "Someone else entirely." not in response.content.decode()


def test_csv_is_one_row_per_item_with_a_type_and_formula_safe(held):
    auditor = client_for(UserFactory(role=Role.AUDITOR))

    response = auditor.get(url(held["child"], "csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    types = [row["type"] for row in rows]
    assert types[0] == "child"
    assert rows[0]["first_name"] == "'=HYPERLINK(1)"
    for kind, count in {
        "referral": 2,
        "concern": 2,
        "screening_note": 1,
        "information_request": 1,
        "decision": 1,
        "amendment": 1,
        "strategy_discussion": 1,
        "challenge": 1,
        "challenge_response": 1,
    }.items():
        assert types.count(kind) == count, kind
    assert "access_log" in types
    note = next(r for r in rows if r["type"] == "screening_note")
    assert note["parent"] == f"referral {held['first'].pk}"
    assert "Someone else entirely." not in response.content.decode()


def test_the_export_is_access_logged_with_its_format(held):
    auditor_user = UserFactory(role=Role.AUDITOR)

    client_for(auditor_user).get(url(held["child"], "csv"))

    row = AccessLog.objects.get(kind=AccessLog.Kind.CHILD_EXPORT)
    assert row.username == auditor_user.username
    assert row.object_id == held["child"].pk
    assert row.detail["format"] == "csv"
    assert sorted(row.detail["referrals"]) == sorted([held["first"].pk, held["second"].pk])


def test_an_unknown_format_is_refused_naming_it(held):
    response = client_for(UserFactory(role=Role.AUDITOR)).get(url(held["child"], "xml"))

    assert response.status_code == 400
    assert "format" in response.content.decode()
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.CHILD_EXPORT).exists()


@pytest.mark.parametrize(
    "role", [Role.REFERRER, Role.AGENCY_LEAD, Role.SCREENER, Role.MANAGER, Role.PARTNER, Role.ADMIN]
)
def test_only_auditors_export(held, role):
    response = client_for(UserFactory(role=role)).get(url(held["child"], "json"))

    assert response.status_code == 403
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.CHILD_EXPORT).exists()


def test_the_chronology_links_the_export_for_auditors_only(held):
    chronology = reverse("children:chronology", args=[held["child"].pk])

    auditor_page = client_for(UserFactory(role=Role.AUDITOR)).get(chronology).content.decode()
    screener_page = client_for(UserFactory(role=Role.SCREENER)).get(chronology).content.decode()

    assert url(held["child"], "csv") in auditor_page
    assert "/export/" not in screener_page
