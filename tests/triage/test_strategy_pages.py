"""Strategy discussion pages: convene with membership warnings (in place with htmx, and
on submit without it), then decisions, actions, outcome, minutes and the printable view."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.census import AgencyType
from audit.models import AccessLog
from tests.factories import (
    AgencyFactory,
    AttendeeFactory,
    ChildFactory,
    DiscussionActionFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
)
from triage.models import StrategyDiscussion

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies():
    return {
        "police": AgencyFactory(type=AgencyType.POLICE, name="Page Police"),
        "csc": AgencyFactory(type=AgencyType.CHILDRENS_SOCIAL_CARE, name="Page CSC"),
        "hv": AgencyFactory(type=AgencyType.HEALTH_VISITING, name="Page Health Visiting"),
    }


def rows(agencies, *people):
    """Form data for attendee rows: (agency key, role, name, attended)."""
    data = {"att-TOTAL_FORMS": str(len(people)), "att-INITIAL_FORMS": "0"}
    for i, (key, role, name, attended) in enumerate(people):
        data |= {
            f"att-{i}-agency": str(agencies[key].pk),
            f"att-{i}-role": role,
            f"att-{i}-name": name,
            f"att-{i}-attended": "yes" if attended else "no",
        }
    return data


def an_hour_ago():
    """When a referral was received, before the discussion convene_data says was held."""
    return timezone.now() - timedelta(hours=1)


def convene_data(agencies, *people, **extra):
    now = timezone.localtime() - timedelta(minutes=5)
    return {
        "kind": "strategy_discussion",
        "held_date_day": str(now.day),
        "held_date_month": str(now.month),
        "held_date_year": str(now.year),
        "held_time": now.strftime("%H:%M"),
        "format": "video",
        "action": "save",
        **rows(agencies, *people),
        **extra,
    }


POLICE = ("police", "police_officer", "DS Wren", True)
CSC = ("csc", "social_worker", "Sam Social", True)
HV = ("hv", "health_visitor", "Hana Visitor", True)


def test_warnings_fragment_follows_the_attendees(manager_client, agencies):
    referral = ReferralFactory(child_date_of_birth=date(2025, 1, 1), received_at=an_hour_ago())
    url = reverse("strategy:warnings", args=[referral.pk])
    missing = manager_client.post(url, rows(agencies, POLICE, CSC))
    assert missing.status_code == 200
    assert b'data-warning="no_health"' in missing.content
    complete = manager_client.post(url, rows(agencies, POLICE, CSC, HV))
    assert b"data-warning" not in complete.content


def test_without_javascript_the_warning_shows_on_submit_and_asks_why(manager_client, agencies):
    referral = ReferralFactory(child_date_of_birth=date(2025, 1, 1), received_at=an_hour_ago())
    url = reverse("strategy:convene", args=[referral.pk])
    response = manager_client.post(url, convene_data(agencies, POLICE, CSC))
    assert response.status_code == 400
    assert b'data-warning="no_health"' in response.content
    assert b"record why you are going on without them" in response.content
    assert not StrategyDiscussion.objects.exists()

    saved = manager_client.post(
        url,
        convene_data(agencies, POLICE, CSC, missing_members_reason="Health visitor off sick."),
    )
    discussion = StrategyDiscussion.objects.get()
    assert saved.url == reverse("strategy:detail", args=[discussion.pk])


def test_check_attendees_shows_warnings_and_saves_nothing(manager_client, agencies):
    referral = ReferralFactory(child_date_of_birth=date(2025, 1, 1), received_at=an_hour_ago())
    response = manager_client.post(
        reverse("strategy:convene", args=[referral.pk]),
        convene_data(agencies, POLICE, CSC, action="check"),
    )
    assert response.status_code == 200
    assert b'data-warning="no_health"' in response.content
    assert response.content.count(b'data-testid="attendee-row"') == 3
    assert not StrategyDiscussion.objects.exists()


def test_manager_records_decision_action_outcome_and_minutes(manager_client, agencies):
    discussion = StrategyDiscussionFactory(held_at=timezone.now() - timedelta(hours=2))
    AttendeeFactory(discussion=discussion, agency=agencies["police"], name="DS Wren")
    url = reverse("strategy:detail", args=[discussion.pk])
    page = manager_client.get(url)
    assert page.status_code == 200 and b"DS Wren" in page.content
    assert b'data-warning="no_social_care"' in page.content

    manager_client.post(
        reverse("strategy:information", args=[discussion.pk]),
        {"info-agency": agencies["police"].pk, "info-information": "Two call-outs in March."},
    )
    assert discussion.contributions.get().information == "Two call-outs in March."
    no_rationale = manager_client.post(
        reverse("strategy:decision", args=[discussion.pk]), {"decision": "Joint visit"}
    )
    assert no_rationale.status_code == 400
    assert b"Enter the rationale" in no_rationale.content
    manager_client.post(
        reverse("strategy:decision", args=[discussion.pk]),
        {"decision": "Joint visit today", "rationale": "Unexplained bruise on a baby."},
    )
    due = timezone.localtime() + timedelta(days=1)
    manager_client.post(
        reverse("strategy:action", args=[discussion.pk]),
        {
            "description": "Share health records",
            "owner": "Hana Visitor",
            "agency": agencies["hv"].pk,
            "due_date_day": due.day,
            "due_date_month": due.month,
            "due_date_year": due.year,
            "due_time": "10:00",
        },
    )
    action = discussion.actions.get()
    manager_client.post(
        reverse("strategy:action-done", args=[discussion.pk]), {"action": action.pk}
    )
    action.refresh_from_db()
    assert action.done_at is not None
    manager_client.post(
        reverse("strategy:outcome", args=[discussion.pk]),
        {"section47_outcome": "no_enquiry", "no_enquiry_reason": "Accidental, explained."},
    )
    now = timezone.localtime()
    manager_client.post(
        reverse("strategy:minutes", args=[discussion.pk]),
        {
            "to": "professionals",
            "sent_date_day": now.day,
            "sent_date_month": now.month,
            "sent_date_year": now.year,
            "sent_time": now.strftime("%H:%M"),
        },
    )
    discussion.refresh_from_db()
    assert discussion.section47_outcome == "no_enquiry"
    assert discussion.minutes_circulated_at is not None
    printed = manager_client.get(reverse("strategy:print", args=[discussion.pk]))
    assert b"Joint visit today" in printed.content and b"Share health records" in printed.content
    assert b"Two call-outs in March." in printed.content


def test_views_are_in_the_access_log(auditor_client):
    discussion = StrategyDiscussionFactory()
    auditor_client.get(reverse("strategy:detail", args=[discussion.pk]))
    assert AccessLog.objects.filter(
        kind=AccessLog.Kind.STRATEGY_DISCUSSION, object_id=discussion.pk
    ).exists()


def test_a_referrer_gets_404_and_a_screener_cannot_record(referrer_client, screener_client):
    discussion = StrategyDiscussionFactory()
    DiscussionActionFactory(discussion=discussion)
    assert referrer_client.get(reverse("strategy:detail", args=[discussion.pk])).status_code == 404
    assert screener_client.get(reverse("strategy:detail", args=[discussion.pk])).status_code == 200
    response = screener_client.post(
        reverse("strategy:decision", args=[discussion.pk]),
        {"decision": "x", "rationale": "y"},
    )
    assert response.status_code == 403
    assert (
        screener_client.get(reverse("strategy:convene", args=[discussion.referral_id])).status_code
        == 403
    )


def test_a_section_47_decision_leads_straight_to_the_discussion(manager_client):
    referral = ReferralFactory()
    response = manager_client.post(
        reverse("triage:decide", args=[referral.pk]),
        {
            "outcome": "s47",
            "threshold_level": 4,
            "rationale": "Unexplained bruising to a baby who is not yet mobile; police aware.",
            "lived_experience_impact": "The baby is cared for by mum alone most days.",
            "feedback": "A strategy discussion is being held today with police and health.",
            "proceed_reason": "Immediate risk to a baby: the strategy discussion cannot wait.",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("strategy:convene", args=[referral.pk])


def test_discussions_show_on_the_chronology_and_a_manager_may_convene_there(
    manager_client, screener_client
):
    child = ChildFactory()
    referral = ReferralFactory(child=child)
    discussion = StrategyDiscussionFactory(referral=referral)
    url = reverse("children:chronology", args=[child.pk])
    page = manager_client.get(url).content.decode()
    assert 'data-kind="strategy_discussion"' in page
    assert reverse("strategy:detail", args=[discussion.pk]) in page
    assert reverse("strategy:convene", args=[referral.pk]) in page
    assert reverse("strategy:convene", args=[referral.pk]) not in (
        screener_client.get(url).content.decode()
    )


def test_a_manager_changes_attendees_and_the_warning_goes(manager_client, agencies):
    discussion = StrategyDiscussionFactory(
        referral=ReferralFactory(child_date_of_birth=date(2025, 1, 1)),
        missing_members_reason="Health could not come.",
    )
    AttendeeFactory(discussion=discussion, agency=agencies["police"], name="DS Wren")
    url = reverse("strategy:attendees", args=[discussion.pk])
    page = manager_client.get(url)
    assert b"DS Wren" in page.content and b'data-warning="no_health"' in page.content
    response = manager_client.post(
        url, {**rows(agencies, POLICE, CSC, HV), "missing_members_reason": "", "action": "save"}
    )
    assert response.status_code == 302
    assert discussion.attendees.count() == 3
    detail = manager_client.get(reverse("strategy:detail", args=[discussion.pk]))
    assert b"data-warning" not in detail.content


def test_a_reason_with_a_nul_is_kept_without_it_not_a_server_error(manager_client, agencies):
    discussion = StrategyDiscussionFactory(
        referral=ReferralFactory(child_date_of_birth=date(2025, 1, 1))
    )

    response = manager_client.post(
        reverse("strategy:attendees", args=[discussion.pk]),
        {**rows(agencies, POLICE, CSC), "missing_members_reason": "On\x00 leave", "action": "save"},
    )

    assert response.status_code == 302
    discussion.refresh_from_db()
    assert discussion.missing_members_reason == "On leave"


def test_a_reason_too_long_is_refused_with_the_rest_not_cut_short(manager_client, agencies):
    discussion = StrategyDiscussionFactory(
        referral=ReferralFactory(child_date_of_birth=date(2025, 1, 1)),
        missing_members_reason="Health could not come.",
    )

    response = manager_client.post(
        reverse("strategy:attendees", args=[discussion.pk]),
        {**rows(agencies, POLICE, CSC), "missing_members_reason": "x" * 2001, "action": "save"},
    )

    assert response.status_code == 400
    assert "The reason must be 2000 characters or fewer" in response.content.decode()
    discussion.refresh_from_db()
    assert discussion.missing_members_reason == "Health could not come."
    assert discussion.attendees.count() == 0


def test_a_row_with_only_a_name_too_long_is_refused_not_dropped(manager_client, agencies):
    discussion = StrategyDiscussionFactory(
        referral=ReferralFactory(child_date_of_birth=date(2025, 1, 1)),
        missing_members_reason="Health could not come.",
    )
    data = {**rows(agencies, POLICE, CSC), "missing_members_reason": "On leave", "action": "save"}
    data |= {"att-TOTAL_FORMS": "3", "att-2-name": "N" * 201, "att-2-attended": "yes"}

    response = manager_client.post(reverse("strategy:attendees", args=[discussion.pk]), data)

    assert response.status_code == 400
    assert "Attendee 3: the name must be 200 characters or fewer" in response.content.decode()
    assert discussion.attendees.count() == 0


@pytest.mark.parametrize(
    "action", ["", "abc", "\u00b2", "9" * 5000], ids=["", "abc", "sup2", "5000"]
)
def test_marking_an_action_done_without_an_action_id_is_a_400_not_a_server_error(
    manager_client, action
):
    discussion = StrategyDiscussionFactory()

    response = manager_client.post(
        reverse("strategy:action-done", args=[discussion.pk]), {"action": action}
    )

    assert response.status_code == 400


def test_the_convene_pages_title_is_its_heading_and_the_link_to_it(manager_client):
    # The referral's link and the heading say "Record a strategy discussion"; the tab
    # said "Convene a discussion", a word the page uses nowhere else.
    referral = ReferralFactory(reference="FD-2026-620001")

    page = manager_client.get(reverse("strategy:convene", args=[referral.pk])).content.decode()

    assert "<title>Record a strategy discussion about FD-2026-620001 – Front Door</title>" in page
    assert '<h1 class="govuk-heading-l">Record a strategy discussion</h1>' in page
    referral_page = manager_client.get(reverse("triage:referral", args=[referral.pk]))
    assert "Record a strategy discussion</a>" in referral_page.content.decode()


# --- An attendee's "attended" is one of the answers offered ------------------------------


@pytest.mark.parametrize("tampered", ["maybe", "", "Yes", "true"])
def test_a_tampered_attended_is_refused_naming_the_row_when_convening(
    manager_client, agencies, tampered
):
    referral = ReferralFactory(child_date_of_birth=date(2025, 1, 1), received_at=an_hour_ago())
    data = convene_data(agencies, POLICE, CSC, HV) | {"att-1-attended": tampered}

    response = manager_client.post(reverse("strategy:convene", args=[referral.pk]), data)

    assert response.status_code == 400
    assert (
        "Attendee 2: select whether they attended or were invited and did not attend"
        in response.content.decode()
    )
    assert not StrategyDiscussion.objects.exists()


def test_an_attended_left_out_is_refused_naming_the_row_when_changing_attendees(
    manager_client, agencies
):
    discussion = StrategyDiscussionFactory(
        referral=ReferralFactory(child_date_of_birth=date(2025, 1, 1))
    )
    AttendeeFactory(discussion=discussion, agency=agencies["police"], name="DS Wren")
    data = {**rows(agencies, POLICE, CSC, HV), "missing_members_reason": "", "action": "save"}
    del data["att-2-attended"]

    response = manager_client.post(reverse("strategy:attendees", args=[discussion.pk]), data)

    assert response.status_code == 400
    assert "Attendee 3: select whether they attended" in response.content.decode()
    assert list(discussion.attendees.values_list("name", flat=True)) == ["DS Wren"]


def test_the_answers_offered_are_read_as_attended_and_not(manager_client, agencies):
    discussion = StrategyDiscussionFactory(
        referral=ReferralFactory(child_date_of_birth=date(2025, 1, 1)),
        missing_members_reason="Health could not come.",
    )
    not_there = ("hv", "health_visitor", "Hana Visitor", False)
    data = {
        **rows(agencies, POLICE, CSC, not_there),
        "missing_members_reason": "Health could not come.",
        "action": "save",
    }

    response = manager_client.post(reverse("strategy:attendees", args=[discussion.pk]), data)

    assert response.status_code == 302
    assert dict(discussion.attendees.values_list("name", "attended")) == {
        "DS Wren": True,
        "Sam Social": True,
        "Hana Visitor": False,
    }
