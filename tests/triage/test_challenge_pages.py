"""The challenge pages: the referrer raises and follows a challenge; managers see the open
ones by stage, respond, escalate and resolve."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from audit.models import AccessLog
from referrals.models import Outcome
from tests.clients import client_for
from tests.factories import (
    AgencyFactory,
    ChallengeFactory,
    DecisionFactory,
    ReferralFactory,
    UserFactory,
)
from triage.models import Challenge, ChallengeStatus, EscalationStage
from triage.services import challenges

pytestmark = pytest.mark.django_db

REASON = "The child has told us again that there is no food at home and she is hungry."


def test_the_referrer_raises_a_challenge_and_sees_its_stage_and_due_time():
    decision = DecisionFactory(outcome=Outcome.NO_FURTHER_ACTION)
    referrer = decision.referral.referrer
    client = client_for(referrer)

    page = client.get(reverse("challenges:raise", args=[decision.referral_id]))
    assert page.status_code == 200
    assert "Challenge this decision" in page.content.decode()

    response = client.post(
        reverse("challenges:raise", args=[decision.referral_id]), {"reason": REASON}
    )

    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("challenges:detail", args=[challenge.pk])
    detail = client.get(response["Location"]).content.decode()
    assert REASON in detail
    assert "Practitioner to practitioner" in detail
    assert "Response due by" in detail


def test_raising_without_a_reason_says_what_is_missing():
    decision = DecisionFactory()
    client = client_for(decision.referral.referrer)

    response = client.post(reverse("challenges:raise", args=[decision.referral_id]), {})

    assert response.status_code == 400
    assert "Say why you disagree with the decision" in response.content.decode()
    assert not Challenge.objects.exists()


def test_an_undecided_referral_cannot_be_challenged_and_the_page_says_why():
    referral = ReferralFactory(awaiting_decision=True)

    response = client_for(referral.referrer).get(reverse("challenges:raise", args=[referral.pk]))

    assert response.status_code == 409
    assert "has not been decided yet" in response.content.decode()


def test_my_referrals_links_a_decided_referral_to_challenge_it_and_then_to_the_challenge():
    decision = DecisionFactory()
    client = client_for(decision.referral.referrer)

    page = client.get(reverse("referrals:mine")).content.decode()
    assert reverse("challenges:raise", args=[decision.referral_id]) in page

    challenge = ChallengeFactory(decision=decision)
    page = client.get(reverse("referrals:mine")).content.decode()
    assert reverse("challenges:detail", args=[challenge.pk]) in page
    assert "Challenge open" in page


def test_another_agencys_referrer_gets_404_on_a_challenge_that_is_not_theirs():
    challenge = ChallengeFactory()
    stranger = UserFactory(role=Role.REFERRER, agency=AgencyFactory())
    client = client_for(stranger)

    assert client.get(reverse("challenges:detail", args=[challenge.pk])).status_code == 404
    raise_url = reverse("challenges:raise", args=[challenge.referral_id])
    assert client.get(raise_url).status_code == 404


def test_viewing_a_challenge_is_in_the_access_log():
    challenge = ChallengeFactory()
    manager = UserFactory(role=Role.MANAGER)

    client_for(manager).get(reverse("challenges:detail", args=[challenge.pk]))

    log = AccessLog.objects.get()
    assert (log.kind, log.object_id, log.user_id) == ("challenge", challenge.pk, manager.pk)


def test_managers_see_open_challenges_by_stage_with_overdue_marked():
    late = ChallengeFactory(
        stage_started_at=timezone.now() - timedelta(days=9),
        stage_due_at=timezone.now() - timedelta(days=1),
    )
    on_time = ChallengeFactory()

    page = client_for(UserFactory(role=Role.MANAGER)).get(reverse("challenges:list"))

    text = page.content.decode()
    assert late.referral.reference in text and on_time.referral.reference in text
    assert text.count("Overdue") == 1
    assert "Practitioner to practitioner" in text


def test_a_manager_responds_escalates_and_resolves():
    challenge = ChallengeFactory()
    client = client_for(UserFactory(role=Role.MANAGER))

    client.post(
        reverse("challenges:respond", args=[challenge.pk]), {"text": "Looking at it again now"}
    )
    client.post(
        reverse("challenges:escalate", args=[challenge.pk]), {"reason": "We still disagree"}
    )
    response = client.post(
        reverse("challenges:resolve", args=[challenge.pk]),
        {
            "resolution": "upheld",
            "reasons": "The school was right: the neglect was not weighed as a pattern.",
        },
    )

    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.RESOLVED
    assert challenge.stage.order == 2
    assert challenge.responses.count() == 2
    # The referrer reads the resolution and every response.
    page = client_for(challenge.raised_by).get(reverse("challenges:detail", args=[challenge.pk]))
    text = page.content.decode()
    assert "Challenge upheld" in text and "Looking at it again now" in text


def test_changing_the_decision_without_the_new_one_re_renders_with_errors():
    challenge = ChallengeFactory()
    client = client_for(UserFactory(role=Role.MANAGER))

    response = client.post(
        reverse("challenges:resolve", args=[challenge.pk]),
        {"resolution": "decision_changed", "reasons": "The school was right about the neglect."},
    )

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.OPEN


def test_the_feedback_tells_the_referrer_they_can_raise_a_challenge():
    from triage.services.decisions import compose_feedback

    text = compose_feedback(outcome=Outcome.NO_FURTHER_ACTION, reasons="No concerns found.")

    assert "you can raise a challenge from Your referrals" in text


def test_managers_and_auditors_have_challenges_in_the_navigation_and_others_do_not():
    for role, shown in [
        (Role.MANAGER, True),
        (Role.AUDITOR, True),
        (Role.SCREENER, False),
        (Role.REFERRER, False),
    ]:
        page = client_for(UserFactory(role=role)).get("/").content.decode()
        assert (f'href="{reverse("challenges:list")}"' in page) is shown, role


def test_the_administrator_edits_the_escalation_stages_in_the_admin():
    admin = client_for(UserFactory(role=Role.ADMIN, agency=None))

    listing = admin.get("/admin/triage/escalationstage/")
    assert listing.status_code == 200
    assert "Practitioner to practitioner" in listing.content.decode()
    stage = EscalationStage.objects.get(order=2)
    response = admin.post(
        f"/admin/triage/escalationstage/{stage.pk}/change/",
        {
            "name": "Team managers",
            "owner": "managers",
            "timescale_working_days": 4,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert (stage.name, stage.timescale_working_days, stage.order) == ("Team managers", 4, 2)
    assert (
        client_for(UserFactory(role=Role.MANAGER)).get("/admin/triage/escalationstage/").status_code
        == 403
    )


def test_the_referrer_adds_to_an_open_challenge_from_its_page():
    challenge = ChallengeFactory()
    client = client_for(challenge.raised_by)
    url = reverse("challenges:detail", args=[challenge.pk])

    assert "Add to your challenge" in client.get(url).content.decode()
    response = client.post(
        reverse("challenges:reply", args=[challenge.pk]), {"text": "She was hungry again today"}
    )

    assert response.status_code == 302
    assert "She was hungry again today" in client.get(url).content.decode()
    empty = client.post(reverse("challenges:reply", args=[challenge.pk]), {"text": ""})
    assert empty.status_code == 400


def test_the_same_escalation_sent_twice_moves_the_challenge_one_stage_only():
    challenge = ChallengeFactory()
    client = client_for(UserFactory(role=Role.MANAGER))
    url = reverse("challenges:escalate", args=[challenge.pk])
    page = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert 'name="from_stage" value="1"' in page
    sent = {"reason": "We still disagree about the neglect", "from_stage": "1"}

    first = client.post(url, sent)
    again = client.post(url, sent)  # a double click

    assert first.status_code == again.status_code == 302
    challenge.refresh_from_db()
    assert challenge.stage.order == 2
    assert challenge.responses.count() == 1
    shown = client.get(again["Location"]).content.decode()
    assert "already been escalated to stage 2" in shown


@pytest.mark.parametrize("from_stage", ["²", "9" * 30, "0"])
def test_an_escalation_from_a_stage_that_is_not_a_number_is_400_naming_it(from_stage):
    challenge = ChallengeFactory()
    response = client_for(UserFactory(role=Role.MANAGER)).post(
        reverse("challenges:escalate", args=[challenge.pk]),
        {"reason": "We still disagree about the neglect", "from_stage": from_stage},
    )

    assert response.status_code == 400
    assert "the stage it is at is missing" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.stage.order == 1


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("respond", {}),
        ("escalate", {"reason": "\x00"}),
        ("resolve", {"resolution": "zzz"}),
        ("reply", {"text": ""}),
    ],
)
def test_a_resolved_challenge_refuses_more_before_reading_the_form(action, data):
    challenge = ChallengeFactory()
    challenges.resolve(
        challenge_id=challenge.pk,
        by=UserFactory(role=Role.MANAGER),
        resolution="not_upheld",
        reasons="The decision stands: the school's worry was weighed at the time.",
    )
    user = challenge.raised_by if action == "reply" else UserFactory(role=Role.MANAGER)
    client = client_for(user)

    response = client.post(reverse(f"challenges:{action}", args=[challenge.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("challenges:detail", args=[challenge.pk])
    assert not challenge.responses.exists()


@pytest.mark.parametrize(
    ("action", "data"),
    [("respond", {}), ("escalate", {"reason": ""}), ("resolve", {"resolution": "zzz"})],
)
def test_at_the_head_of_services_stage_another_manager_is_refused_before_the_form(
    settings, action, data
):
    head = UserFactory(role=Role.MANAGER)
    settings.HEAD_OF_SERVICE_USERNAMES = [head.username]
    challenge = ChallengeFactory()
    stage = EscalationStage.objects.get(order=3)
    Challenge.objects.filter(pk=challenge.pk).update(stage=stage, owner=None)

    response = client_for(UserFactory(role=Role.MANAGER)).post(
        reverse(f"challenges:{action}", args=[challenge.pk]), data
    )

    assert response.status_code == 403
    assert challenge.reason not in response.content.decode()


def test_changing_the_decision_with_reasons_longer_than_an_amendment_holds_is_400_naming_them():
    challenge = ChallengeFactory()
    client = client_for(UserFactory(role=Role.MANAGER))
    changed = {
        "resolution": "decision_changed",
        "outcome": Outcome.ASSESSMENT_S17,
        "threshold_level": "3",
        "rationale": "New information from the school shows a pattern of neglect over months.",
        "feedback": "The school's information shows a pattern of neglect: we will assess.",
    }
    long_reasons = ("The school was right about the neglect. " * 80)[:3000]

    response = client.post(
        reverse("challenges:resolve", args=[challenge.pk]), {**changed, "reasons": long_reasons}
    )

    assert response.status_code == 400
    assert 'href="#id_reasons"' in response.content.decode()
    assert "keep them to 2978 characters" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.is_open and challenge.amendment is None
    # Within it, the amendment's reason is the whole of them.
    client.post(
        reverse("challenges:resolve", args=[challenge.pk]),
        {**changed, "reasons": long_reasons[:2978]},
    )
    challenge.refresh_from_db()
    assert challenge.amendment.reason == f"Changed on challenge: {long_reasons[:2978].strip()}"


@pytest.mark.parametrize("action", ["respond", "reply"])
def test_the_same_response_sent_twice_is_recorded_and_told_once(action):
    from notices.models import Notification

    challenge = ChallengeFactory()
    user = challenge.raised_by if action == "reply" else UserFactory(role=Role.MANAGER)
    client = client_for(user)
    url = reverse(f"challenges:{action}", args=[challenge.pk])
    sent = {"text": "She was hungry again at school today"}

    first = client.post(url, sent)
    told = Notification.objects.count()
    again = client.post(url, sent)  # a double click

    assert first.status_code == again.status_code == 302
    assert challenge.responses.count() == 1
    assert Notification.objects.count() == told
    # Something else, or the same words after another's, is a response of its own.
    client.post(url, {"text": "And she had no coat this morning"})
    client.post(url, sent)
    assert challenge.responses.count() == 3


@pytest.mark.parametrize("data", [{"reason": ""}, {"reason": "We still disagree about it all"}])
def test_escalating_past_the_last_stage_is_refused_before_the_form_is_read(settings, data):
    settings.HEAD_OF_SERVICE_USERNAMES = []
    challenge = ChallengeFactory()
    last = EscalationStage.objects.filter(is_active=True).order_by("order").last()
    Challenge.objects.filter(pk=challenge.pk).update(stage=last, owner=None)
    client = client_for(UserFactory(role=Role.MANAGER))

    response = client.post(reverse("challenges:escalate", args=[challenge.pk]), data)

    assert response.status_code == 302
    assert "at the last stage: resolve it" in client.get(response["Location"]).content.decode()
    assert not challenge.responses.exists()


def test_a_response_due_at_midnight_reads_as_the_end_of_the_day_before():
    # "Wed 2 Dec 2026, 00:00" was read on the Friday before as "some time on Wednesday".
    from datetime import UTC, datetime

    challenge = ChallengeFactory(stage_due_at=datetime(2026, 12, 2, 0, 0, tzinfo=UTC))
    referrer = client_for(challenge.raised_by)
    manager = client_for(UserFactory(role=Role.MANAGER))

    pages = {
        "the challenge": manager.get(reverse("challenges:detail", args=[challenge.pk])),
        "the list": manager.get(reverse("challenges:list")),
        "the referral": referrer.get(reverse("referrals:detail", args=[challenge.referral.pk])),
    }

    for name, response in pages.items():
        text = response.content.decode()
        assert "the end of Tue 1 Dec 2026" in text, name
        assert "Wed 2 Dec 2026, 00:00" not in text, name
    assert "Your challenge: stage 1, response due by the end of Tue 1 Dec 2026" in (
        pages["the referral"].content.decode()
    )


def test_the_back_link_names_the_list_it_leads_to():
    # An agency lead's list is headed "Your agency's referrals"; a referrer's "Your
    # referrals".
    challenge = ChallengeFactory()
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=challenge.referral.agency)
    url = reverse("challenges:detail", args=[challenge.pk])

    as_lead = client_for(lead).get(url).content.decode()
    as_referrer = client_for(challenge.raised_by).get(url).content.decode()

    assert "Back to your agency&#x27;s referrals</a>" in as_lead
    assert "Back to your referrals</a>" in as_referrer


def test_an_agency_lead_reads_whose_a_colleagues_challenge_is_and_adds_to_it_as_not_theirs():
    # A referrer's challenge is "Your challenge" to them; their agency lead, who follows it
    # too, is told who raised it, named as the page names who referred.
    challenge = ChallengeFactory()
    referrer = challenge.raised_by
    lead = client_for(UserFactory(role=Role.AGENCY_LEAD, agency=challenge.referral.agency))
    referral_url = reverse("referrals:detail", args=[challenge.referral_id])
    challenge_url = reverse("challenges:detail", args=[challenge.pk])

    as_referrer = client_for(referrer).get(referral_url).content.decode()
    as_lead = lead.get(referral_url).content.decode()
    lead_challenge = lead.get(challenge_url).content.decode()
    refused = lead.post(reverse("challenges:reply", args=[challenge.pk]), {"text": ""})
    added = lead.post(
        reverse("challenges:reply", args=[challenge.pk]), {"text": REASON}, follow=True
    )

    assert "Your challenge: stage 1" in as_referrer
    assert f"Challenge raised by {referrer.display_name}: stage 1" in as_lead
    assert "Your challenge" not in as_lead
    assert "Add to this challenge" in lead_challenge
    assert "your challenge" not in lead_challenge.lower()
    assert refused.status_code == 400
    assert "your challenge" not in refused.content.decode().lower()
    assert "since it was raised" in refused.content.decode()
    assert "since you raised it" not in refused.content.decode()
    assert "Added to the challenge: the front door has been told" in added.content.decode()
