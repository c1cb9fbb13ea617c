"""The referrer's explanations for coaching prompts they could not answer: shown to the
screener on the screening page and to the manager on the decision page, beside the
section they explain, with the prompt's wording; never to anyone outside the front
door (another agency's referrer, a partner asked about the household)."""

from __future__ import annotations

import pytest

from agencies.census import AgencyType
from agencies.models import Role
from referrals import coaching
from referrals.models import CoachingOutcome
from referrals.selectors import coaching_explanations
from tests import factories as f
from tests.clients import client_for

pytestmark = pytest.mark.django_db

WORRY_WHY = "The children were asleep upstairs and officers did not wake them."
VOICE_WHY = "Not safe to ask them in front of the stepfather; <b>follow up</b> at school."
IGNORED_WORDING = coaching.prompt_wording("lived_experience", "adults_only", "police")


@pytest.fixture
def referral():
    """A police referral awaiting a decision: an explained prompt on the worry and on the
    child's voice, one ignored on the child's day, one acted on."""
    police = f.AgencyFactory(name="Explaining Police", type=AgencyType.POLICE)
    ref = f.ReferralFactory(
        awaiting_decision=True, referrer=f.UserFactory(role=Role.REFERRER, agency=police)
    )
    for field, rule, outcome, explanation in [
        ("worry", "incident_only", CoachingOutcome.EXPLAINED, WORRY_WHY),
        ("worry", "no_child_example", CoachingOutcome.EXPLAINED, WORRY_WHY),
        ("child_voice", "no_child_example", CoachingOutcome.EXPLAINED, VOICE_WHY),
        ("lived_experience", "adults_only", CoachingOutcome.IGNORED, ""),
        ("history_and_pattern", "pattern_without_history", CoachingOutcome.ACTED_ON, ""),
    ]:
        f.CoachingPromptFactory(
            referral=ref, field=field, rule=rule, outcome=outcome, explanation=explanation
        )
    return ref


def explanations(body: str) -> dict[str, str]:
    """Each explanation block on a page, by the field it sits beside."""
    found = {}
    for block in body.split('data-testid="coaching-explanation"')[1:]:
        field = block.split('data-field="')[1].split('"')[0]
        found[field] = block.split("</div>")[0]
    return found


POLICE_INCIDENT = coaching.WORDING[(coaching.INCIDENT_ONLY, coaching.POLICE)]
POLICE_EXAMPLE = coaching.WORDING[(coaching.NO_CHILD_EXAMPLE, coaching.POLICE)]
POLICE_VOICE = coaching.VOICE_WORDING[coaching.POLICE]


def test_the_screener_reads_each_explanation_beside_its_section_with_the_prompt(referral):
    body = (
        client_for(f.UserFactory(role=Role.SCREENER))
        .get(f"/triage/referrals/{referral.pk}/")
        .content.decode()
    )
    shown = explanations(body)
    assert set(shown) == {"worry", "child_voice"}  # ignored and acted-on prompts: none
    assert "The referrer was prompted:" in shown["worry"]
    assert POLICE_INCIDENT in shown["worry"] and POLICE_EXAMPLE in shown["worry"]
    assert f"Their explanation:</strong> {WORRY_WHY}" in shown["worry"]
    assert shown["worry"].count(WORRY_WHY) == 1  # one explanation per field
    assert POLICE_VOICE in shown["child_voice"]
    assert "&lt;b&gt;follow up&lt;/b&gt;" in shown["child_voice"]  # escaped, not markup
    # Beside its section: the worry's explanation follows the worry and comes before
    # the child's day.
    worry_at = body.index(referral.worry)
    assert worry_at < body.index(WORRY_WHY) < body.index(referral.lived_experience)
    assert IGNORED_WORDING not in body


def test_the_manager_reads_them_on_the_decision_page(referral):
    body = (
        client_for(f.UserFactory(role=Role.MANAGER))
        .get(f"/triage/referrals/{referral.pk}/decide/")
        .content.decode()
    )
    shown = explanations(body)
    assert set(shown) == {"worry", "child_voice"}
    assert WORRY_WHY in shown["worry"] and POLICE_INCIDENT in shown["worry"]
    assert "with the referrer's explanations" in body
    voice_at = body.index("<strong>What the child said:</strong>")
    assert body.index(referral.worry) < body.index(WORRY_WHY) < voice_at < body.index(POLICE_VOICE)


def test_an_auditor_reads_them_too(referral):
    body = (
        client_for(f.UserFactory(role=Role.AUDITOR))
        .get(f"/triage/referrals/{referral.pk}/")
        .content.decode()
    )
    assert WORRY_WHY in body


def test_a_referral_with_no_explanation_shows_no_block(referral):
    other = f.ReferralFactory()
    f.CoachingPromptFactory(referral=other, outcome=CoachingOutcome.IGNORED)
    body = (
        client_for(f.UserFactory(role=Role.SCREENER))
        .get(f"/triage/referrals/{other.pk}/")
        .content.decode()
    )
    assert 'data-testid="coaching-explanation"' not in body


def test_nobody_outside_the_front_door_reads_them(referral):
    school = f.AgencyFactory(type=AgencyType.SCHOOL)
    partner = f.UserFactory(role=Role.PARTNER, agency=f.AgencyFactory(type=AgencyType.CAMHS))
    request = f.InformationRequestFactory(referral=referral, agency=partner.agency)
    outsiders = [
        f.UserFactory(role=Role.REFERRER, agency=school),
        f.UserFactory(role=Role.AGENCY_LEAD, agency=school),
        partner,
    ]
    for user in outsiders:
        client = client_for(user)
        for url in (
            f"/triage/referrals/{referral.pk}/",
            f"/triage/referrals/{referral.pk}/decide/",
            f"/referrals/{referral.pk}/",
            f"/api/v1/referrals/{referral.pk}/",
        ):
            response = client.get(url)
            assert response.status_code in (403, 404), (user.role, url)
            assert WORRY_WHY not in response.content.decode()
        assert coaching_explanations(user, referral.pk) == {}
    body = client_for(partner).get(f"/requests/{request.pk}/").content.decode()
    assert referral.reference in body  # the partner's own page, without the explanations
    assert WORRY_WHY not in body and VOICE_WHY not in body


def test_the_referrer_reading_their_own_referral_back_is_not_shown_the_front_doors_view(
    referral,
):
    body = client_for(referral.referrer).get(f"/referrals/{referral.pk}/").content.decode()
    assert referral.reference in body
    assert 'data-testid="coaching-explanation"' not in body
    assert coaching_explanations(referral.referrer, referral.pk) == {}
