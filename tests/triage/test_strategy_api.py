"""The strategy discussions API and the agency list it refers to."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from agencies.census import AgencyType
from audit.models import AccessLog
from tests.factories import (
    AgencyFactory,
    AttendeeFactory,
    DiscussionActionFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
)
from triage.models import StrategyDiscussion

pytestmark = pytest.mark.django_db

URL = "/api/v1/strategy-discussions/"


@pytest.fixture
def agencies():
    return {
        "police": AgencyFactory(type=AgencyType.POLICE),
        "csc": AgencyFactory(type=AgencyType.CHILDRENS_SOCIAL_CARE),
        "hv": AgencyFactory(type=AgencyType.HEALTH_VISITING),
    }


def attendee(agency, role, attended=True):
    return {"agency": agency.pk, "role": role, "name": f"{role} name", "attended": attended}


def test_manager_records_a_discussion_and_is_told_health_is_missing(manager_client, agencies):
    referral = ReferralFactory(  # a baby, referred before the discussion
        child_date_of_birth=date(2025, 3, 1), received_at=timezone.now() - timedelta(hours=2)
    )
    without_health = {
        "referral": referral.pk,
        "kind": "strategy_discussion",
        "held_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "attendees": [
            attendee(agencies["police"], "police_officer"),
            attendee(agencies["csc"], "social_worker"),
            attendee(agencies["hv"], "health_visitor", attended=False),
        ],
    }
    # Going on without health needs the reason, as on the page.
    refused = manager_client.post(URL, without_health, content_type="application/json")
    assert refused.status_code == 400
    assert "missing_members_reason" in refused.json()
    assert not StrategyDiscussion.objects.exists()

    response = manager_client.post(
        URL,
        without_health | {"missing_members_reason": "The health visitor was on leave today."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["warnings"] == ["no_health"]
    assert body["missing_members_reason"] == "The health visitor was on leave today."
    assert body["id"] == StrategyDiscussion.objects.get().pk
    assert body["minutes_circulated_at"] is None and body["actions"] == []
    assert body["decisions"] == [] and body["information_shared"] == []

    changed = manager_client.patch(
        f"{URL}{body['id']}/",
        {
            "attendees": [
                attendee(agencies["police"], "police_officer"),
                attendee(agencies["csc"], "social_worker"),
                attendee(agencies["hv"], "health_visitor"),
            ],
            "minutes_circulated_at": timezone.now().isoformat(),
            "minutes_to_family_at": timezone.now().isoformat(),
        },
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["warnings"] == []
    assert changed.json()["minutes_circulated_at"] is not None
    assert changed.json()["minutes_to_family_at"] is not None


def test_patching_attendees_that_leave_out_police_needs_a_reason(manager_client, agencies):
    discussion = StrategyDiscussionFactory()
    AttendeeFactory(discussion=discussion, agency=agencies["police"], role="police_officer")
    AttendeeFactory(discussion=discussion, agency=agencies["csc"], role="social_worker")
    AttendeeFactory(discussion=discussion, agency=agencies["hv"], role="health_visitor")
    without_police = [
        attendee(agencies["csc"], "social_worker"),
        attendee(agencies["hv"], "health_visitor"),
    ]
    refused = manager_client.patch(
        f"{URL}{discussion.pk}/", {"attendees": without_police}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert "missing_members_reason" in refused.json()
    assert discussion.attendees.count() == 3  # nothing changed

    # The reason alone may be sent first; then the attendees are accepted.
    reason = manager_client.patch(
        f"{URL}{discussion.pk}/",
        {"missing_members_reason": "The officer was called to an emergency."},
        content_type="application/json",
    )
    assert reason.status_code == 200, reason.json()
    changed = manager_client.patch(
        f"{URL}{discussion.pk}/", {"attendees": without_police}, content_type="application/json"
    )
    assert changed.status_code == 200, changed.json()
    assert "no_police" in changed.json()["warnings"]


def test_decisions_and_information_shared_are_read_back(screener_client, make_user):
    from triage.services import strategy

    manager = make_user("manager")
    discussion = StrategyDiscussionFactory()
    strategy.add_decision(
        discussion_id=discussion.pk,
        by=manager,
        decision="Joint visit by police and social worker today",
        rationale="The injury is unexplained and the child is under two years old.",
    )
    agency = AgencyFactory(type=AgencyType.GP)
    strategy.add_contribution(
        discussion_id=discussion.pk,
        by=manager,
        agency_id=agency.pk,
        information="Two missed immunisation appointments this year.",
    )
    body = screener_client.get(f"{URL}{discussion.pk}/").json()
    assert body["decisions"][0]["rationale"].startswith("The injury is unexplained")
    assert body["information_shared"] == [
        {
            "id": discussion.contributions.get().pk,
            "agency": agency.pk,
            "information": "Two missed immunisation appointments this year.",
        }
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "coffee"}, "kind"),
        ({"held_at": "yesterday"}, "held_at"),
        ({"attendees": [{"agency": 987654, "role": "gp", "name": "A", "attended": True}]}, None),
        ({"attendees": [{"agency": 1, "role": "wizard", "name": "A", "attended": True}]}, None),
        # Past a 64-bit id: a server error once on SQLite.
        ({"attendees": [{"agency": 10**30, "role": "gp", "name": "A", "attended": True}]}, None),
        ({"attendees": [{"agency": -(10**30), "role": "gp", "name": "A", "attended": True}]}, None),
        ({"referral": "abc"}, "referral"),
    ],
)
def test_invalid_input_is_400_naming_the_field(manager_client, agencies, change, field):
    body = {
        "referral": ReferralFactory().pk,
        "kind": "strategy_discussion",
        "held_at": timezone.now().isoformat(),
        "attendees": [],
    } | change
    response = manager_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert (field or "attendees") in response.json()


def test_screener_and_auditor_read_with_actions(screener_client, auditor_client):
    discussion = StrategyDiscussionFactory()
    AttendeeFactory(discussion=discussion)
    action = DiscussionActionFactory(discussion=discussion)
    for client in (screener_client, auditor_client):
        body = client.get(f"{URL}{discussion.pk}/").json()
        assert body["actions"][0]["owner"] == action.owner
        assert body["actions"][0]["agency"] == action.agency_id
        assert "no_social_care" in body["warnings"]
        assert client.get(URL).json()["results"][0]["id"] == discussion.pk
    assert (
        AccessLog.objects.filter(
            kind=AccessLog.Kind.STRATEGY_DISCUSSION, object_id=discussion.pk
        ).count()
        == 2
    )


def test_a_referrer_gets_404_and_no_data(referrer_client, agency_lead_client, partner_client):
    police = AgencyFactory(type=AgencyType.POLICE)
    discussion = StrategyDiscussionFactory(referral=ReferralFactory(referrer__agency=police))
    AttendeeFactory(discussion=discussion, name="Secret Attendee")
    for client in (referrer_client, agency_lead_client, partner_client):
        response = client.get(f"{URL}{discussion.pk}/")
        assert response.status_code == 404
        assert b"Secret Attendee" not in response.content
        assert client.get(URL).status_code == 403


def test_screener_cannot_record(screener_client):
    response = screener_client.post(URL, {}, content_type="application/json")
    assert response.status_code == 403
    assert not StrategyDiscussion.objects.exists()


def test_agencies_lists_the_active_ones(referrer_client):
    active = AgencyFactory(name="Zeta Police", type=AgencyType.POLICE)
    AgencyFactory(name="Closed Agency", is_active=False)
    body = referrer_client.get("/api/v1/agencies/").json()
    names = {row["name"]: row for row in body["results"]}
    assert names["Zeta Police"] == {"id": active.pk, "name": "Zeta Police", "type": "police"}
    assert "Closed Agency" not in names


def test_schema_documents_the_endpoints(manager_client):
    schema = manager_client.get("/api/schema/").content.decode()
    assert "/api/v1/strategy-discussions/{discussion_id}/" in schema
    assert "paediatrician_only_health" in schema
    assert "/api/v1/agencies/" in schema
