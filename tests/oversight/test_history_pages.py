"""The history pages: every version of a referral, a child's record, a decision, a strategy
discussion and a challenge, with who made it (username and role) and when, and what
changed in words: field labels, choices by their labels, users by username, agencies by
name, long text as before and after; paged. Who may open them, the access log and the
links to them are in test_history_access.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Role
from oversight.versions import PAGE_SIZE
from referrals.census import Gender
from referrals.models import Referral
from tests.clients import client_for
from tests.factories import (
    AgencyFactory,
    AttendeeFactory,
    ChallengeFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
)
from tests.oversight.history_case import NEW_WORRY, OLD_WORRY
from tests.oversight.pages import versions
from triage.models import AttendeeRole, EscalationStage, Section47Outcome, ThresholdLevel
from triage.services import challenges, strategy

pytestmark = pytest.mark.django_db


def test_a_referral_history_shows_every_version_in_time_order_with_who_and_when(people, case):
    referral = case["referral"]

    response = client_for(people["auditor"]).get(reverse("history:referral", args=[referral.pk]))

    assert response.status_code == 200
    shown = versions(response)
    titles = [v.title for v in shown]
    assert titles == [
        "Referral: created",
        f"Concern {referral.concerns.get().pk}: created",
        "Referral: changed",  # allocated
        f"Screening note {referral.notes.get().pk}: created",
        "Referral: changed",  # linked to the child's record
        "Referral: changed",  # the worry corrected
        f"Decision {case['decision'].pk}: created",
        "Referral: changed",  # decided
        f"Decision amendment {case['amendment'].pk}: created",
    ]
    # Written by a factory, with no one signed in: the system.
    assert shown[0].who.startswith("By The system")
    assert shown[2].who.startswith("By hist.screener (Screener),")
    assert shown[6].who.startswith("By hist.manager (Manager),")
    # Who is named by username and role, never by a person's name.
    assert people["screener"].get_full_name() not in response.content.decode()


def test_a_referral_history_shows_readable_differences(people, case):
    referral = case["referral"]

    response = client_for(people["manager"]).get(reverse("history:referral", args=[referral.pk]))

    shown = versions(response)
    created, concern, allocated, note, linked, corrected, decided, status, amended = shown
    # Choices by their labels, users by username, agencies by name.
    assert created.changes["Status"] == "Received"
    assert created.changes["Agency"] == "Hillside Primary"
    assert created.changes["Referrer"] == "hist.referrer"
    assert created.changes["Parental consent"] == "Parents know and agreed to the referral"
    # The census source in words, with the code a census return uses.
    assert created.changes["Source of referral (census code)"] == "Schools (2A)"
    assert concern.changes == {"Category": "Neglect"}
    assert allocated.changes["Status"] == "Received → Screening"
    assert allocated.changes["Allocated to"] == "Not set → hist.screener"
    assert note.changes["Author"] == "hist.screener"
    assert note.changes["Text"] == "Spoke to the school nurse: weight is down since March."
    # A child's record is pointed at by its number, never by the child's name.
    assert linked.changes == {"Child record": f"Not set → Child record {case['child'].pk}"}
    # Long text as before and after.
    assert corrected.changes == {
        "What the referrer is worried about": f"Before {OLD_WORRY} After {NEW_WORRY}"
    }
    assert decided.changes["Outcome"] == "Early help"
    assert decided.changes["Threshold level"] == str(ThresholdLevel.objects.get(level=2))
    assert decided.changes["Decided by"] == "hist.manager"
    assert status.changes == {"Status": "Screening → Decided"}
    assert amended.changes["Outcome"] == "Child and family assessment (section 17)"
    assert amended.changes["Reason"] == "The school nurse's records arrived after the decision."


def test_the_role_shown_is_the_one_held_when_the_change_was_made(people, case):
    screener = people["screener"]
    screener.role = Role.MANAGER
    screener.save()

    response = client_for(people["auditor"]).get(
        reverse("history:referral", args=[case["referral"].pk])
    )

    allocated = versions(response)[2]
    assert allocated.who.startswith("By hist.screener (Screener),")


def test_a_reason_recorded_with_a_change_is_shown(people, case):
    referral = Referral.objects.get(pk=case["referral"].pk)
    referral.other_professionals = "The school nurse, Hillside surgery."
    referral._change_reason = "Synthetic demo data (seed_demo)"
    referral.save()

    response = client_for(people["auditor"]).get(reverse("history:referral", args=[referral.pk]))

    latest = versions(response)[-1]
    assert latest.reason == "Reason recorded: Synthetic demo data (seed_demo)"
    assert latest.who.startswith("By The system")


def test_a_decision_history_shows_the_decision_and_its_amendments(people, case):
    decision = case["decision"]

    response = client_for(people["auditor"]).get(reverse("history:decision", args=[decision.pk]))

    assert response.status_code == 200
    shown = versions(response)
    assert [v.title for v in shown] == [
        "Decision: created",
        f"Amendment {case['amendment'].pk}: created",
    ]
    assert shown[1].changes["Threshold level"] == str(ThresholdLevel.objects.get(level=3))
    assert shown[1].changes["Amended by"] == "hist.manager"
    assert shown[0].changes["Referral"] == case["referral"].reference


def test_a_child_history_shows_changes_to_the_record(people, case):
    child = case["child"]
    child.gender = Gender.FEMALE
    child.postcode = "ZZ9 9ZZ"
    child._history_user = people["screener"]
    child.save()

    response = client_for(people["auditor"]).get(reverse("history:child", args=[child.pk]))

    assert response.status_code == 200
    created, changed = versions(response)
    assert created.title == "Child record: created"
    assert changed.changes == {"Gender": "Not known → Female", "Postcode": "Not set → ZZ9 9ZZ"}
    assert changed.who.startswith("By hist.screener (Screener),")
    # The page names the record by number.
    assert "<title>History: Child record" in response.content.decode()


def test_a_discussion_history_includes_attendees_changed(people, case):
    police = AgencyFactory(name="Hillside Police", type=AgencyType.POLICE)
    health = AgencyFactory(name="Hillside Health Visiting", type=AgencyType.HEALTH_VISITING)
    discussion = StrategyDiscussionFactory(referral=case["referral"], convened_by=people["manager"])
    first = AttendeeFactory(discussion=discussion, agency=police, name="DS Hollow")
    strategy.change_attendees(
        discussion_id=discussion.pk,
        by=people["manager"],
        attendees=[
            {
                "agency": police.pk,
                "role": AttendeeRole.POLICE_OFFICER,
                "name": "DS Hollow",
                "attended": True,
            },
            {
                "agency": health.pk,
                "role": AttendeeRole.HEALTH_VISITOR,
                "name": "HV Brook",
                "attended": True,
            },
            {
                "agency": case["referral"].agency_id,
                "role": AttendeeRole.DESIGNATED_SAFEGUARDING_LEAD,
                "name": "Ms Lane",
                "attended": True,
            },
        ],
        missing_members_reason="Children's social care was the convener and took notes.",
    )
    strategy.record_outcome(
        discussion_id=discussion.pk,
        by=people["manager"],
        section47_outcome=Section47Outcome.JOINT_POLICE,
    )

    response = client_for(people["auditor"]).get(
        reverse("history:discussion", args=[discussion.pk])
    )

    assert response.status_code == 200
    shown = {v.title: v for v in versions(response)}
    assert f"Attendee {first.pk}: removed" in shown
    added = [v for t, v in shown.items() if t.startswith("Attendee") and "HV Brook" in v.text]
    assert added[0].changes["Agency"] == "Hillside Health Visiting"
    assert added[0].changes["Role"] == "Health visitor"
    outcome = [v for v in shown.values() if "Section 47 outcome" in v.changes]
    assert outcome[-1].changes["Section 47 outcome"] == (
        "Not set → Section 47 enquiry: jointly with the police"
    )
    assert outcome[-1].who.startswith("By hist.manager (Manager),")


def test_a_challenge_history_includes_its_responses_and_stages(people, case):
    challenge = ChallengeFactory(
        decision=case["decision"], raised_by=people["referrer"], owner=people["manager"]
    )
    challenges.respond(
        challenge_id=challenge.pk,
        by=people["manager"],
        text="We looked again at the nurse's records with the school.",
    )
    challenges.escalate(
        challenge_id=challenge.pk,
        by=people["manager"],
        reason="The school still disagrees; managers should look at it together.",
    )

    response = client_for(people["manager"]).get(reverse("history:challenge", args=[challenge.pk]))

    assert response.status_code == 200
    shown = versions(response)
    response_version = next(v for v in shown if v.title.startswith("Response"))
    assert response_version.changes["By"] == "hist.manager"
    escalated = [v for v in shown if "Stage" in v.changes][-1]
    first, second = EscalationStage.objects.order_by("order")[:2]
    assert escalated.changes["Stage"] == f"{first} → {second}"


def test_a_record_with_hundreds_of_versions_is_paged(people):
    referral = ReferralFactory(referrer=people["referrer"])
    for n in range(PAGE_SIZE + 9):
        referral.other_professionals = f"Version {n}"
        referral._history_user = people["screener"]
        referral.save()
    url = reverse("history:referral", args=[referral.pk])
    client = client_for(people["auditor"])

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert len(versions(first)) == PAGE_SIZE
    later = versions(second)
    # One creation of the referral and one of its concern, then the changes.
    assert len(later) == PAGE_SIZE + 9 + 2 - PAGE_SIZE
    # Across the page break, each change is still measured against the one before.
    before, after = PAGE_SIZE - 3, PAGE_SIZE - 2
    assert later[0].changes == {
        "Other professionals involved": f"Before Version {before} After Version {after}"
    }
    assert "go to the latest" in first.content.decode()


def _changed_often(people, times: int) -> Referral:
    referral = ReferralFactory(referrer=people["referrer"])
    for n in range(times):
        by = people["screener"] if n % 2 else people["manager"]
        referral.other_professionals = f"Version {n}"
        referral.status, referral.assigned_to, referral.assigned_at = (
            "screening",
            by,
            timezone.now(),
        )
        referral._history_user = by
        referral.save()
    return referral


def test_a_page_of_versions_reads_the_database_the_same_number_of_times_however_long(people):
    client = client_for(people["auditor"])

    def queries(referral) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("history:referral", args=[referral.pk]))
        assert response.status_code == 200
        return len(queries)

    assert queries(_changed_often(people, PAGE_SIZE)) == queries(_changed_often(people, 4))


def test_a_history_removed_from_the_live_rows_is_still_shown(people):
    """Attendees are replaced, not edited: the removed ones keep their history."""
    discussion = StrategyDiscussionFactory(held_at=timezone.now() - timedelta(hours=1))
    attendee = AttendeeFactory(discussion=discussion, name="PC Gone")
    attendee_id = attendee.pk
    attendee._history_user = people["manager"]
    attendee.delete()

    response = client_for(people["auditor"]).get(
        reverse("history:discussion", args=[discussion.pk])
    )

    shown = versions(response)
    assert [v.title for v in shown][-2:] == [
        f"Attendee {attendee_id}: created",
        f"Attendee {attendee_id}: removed",
    ]
    assert shown[-2].changes["Name"] == "PC Gone"
    assert shown[-1].who.startswith("By hist.manager (Manager),")


def test_a_referrals_concern_bits_are_not_shown_its_concerns_are(people):
    """Referral.concern_mask repeats the referral's concerns as a number for the queue's
    index: its history shows the concerns themselves, not the number."""
    referral = ReferralFactory(referrer=people["referrer"], concerns=["neglect"])
    Referral.objects.filter(pk=referral.pk).update(concern_mask=1)
    referral.refresh_from_db()
    referral._history_user = people["referrer"]
    referral.worry = NEW_WORRY
    referral.save()  # a version holding the bits

    response = client_for(people["auditor"]).get(reverse("history:referral", args=[referral.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Concern mask" not in page
    assert f"Concern {referral.concerns.get().pk}: created" in [v.title for v in versions(response)]
