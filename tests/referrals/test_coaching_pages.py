"""Coaching on the referral form (server side: with htmx's requests, and without
JavaScript), on check your answers, and the record of prompts kept per referral."""

from __future__ import annotations

import pytest
from django.test import Client

from agencies.census import AgencyType
from agencies.models import Role
from referrals.models import CoachingOutcome, CoachingPrompt, Referral
from tests.factories import AgencyFactory, UserFactory
from tests.referrals.helpers import CHILD, CHILD_WORLD, CONCERNS, fill_referral, start_draft

pytestmark = pytest.mark.django_db

POOR_WORRY = {**CONCERNS, "worry": "DV at address, kids present"}
# Said to be new, with no history: nothing elsewhere says the incident is a pattern.
NEW_WORLD = {**CHILD_WORLD, "new_or_pattern": "new", "history_and_pattern": ""}


@pytest.fixture
def police_client():
    officer = UserFactory(
        role=Role.REFERRER, agency=AgencyFactory(name="Test Police", type=AgencyType.POLICE)
    )
    client = Client()
    client.force_login(officer)
    return client


def _draft_with_child(client):
    draft = start_draft(client)
    assert client.post(f"/referrals/new/{draft.pk}/child/new/", CHILD).status_code == 302
    return draft


def test_without_javascript_prompts_show_after_continue_and_the_referrer_may_go_on(police_client):
    draft = _draft_with_child(police_client)
    url = f"/referrals/new/{draft.pk}/concerns/"

    first = police_client.post(url, POOR_WORRY)

    assert first.status_code == 200
    page = first.content.decode()
    assert 'data-testid="coaching-banner"' in page
    assert "What did the children see, hear and say" in page
    assert "Error:" not in page  # a prompt, not an error
    second = police_client.post(url, POOR_WORRY)
    assert second.status_code == 302
    assert second["Location"].endswith(f"/referrals/new/{draft.pk}/child-world/")


def test_prompts_never_hold_up_a_referral_about_a_child_in_immediate_danger(police_client):
    draft = _draft_with_child(police_client)

    response = police_client.post(
        f"/referrals/new/{draft.pk}/concerns/", {**POOR_WORRY, "immediate_risk": "yes"}
    )

    assert response.status_code == 302


def test_an_urgent_referral_with_prompts_outstanding_is_sent_and_keeps_the_duty_line(
    police_client,
):
    draft = fill_referral(police_client, concerns={**POOR_WORRY, "immediate_risk": "yes"})

    check = police_client.get(f"/referrals/new/{draft.pk}/check/").content.decode()
    assert 'data-testid="immediate-risk-warning"' in check
    assert 'data-testid="coaching-check"' in check
    assert "Send referral" in check
    sent = police_client.post(f"/referrals/new/{draft.pk}/check/")
    assert sent.status_code == 302
    assert Referral.objects.get().immediate_risk is True


def test_a_placeholder_childs_voice_is_refused_naming_the_field(police_client):
    draft = _draft_with_child(police_client)

    response = police_client.post(
        f"/referrals/new/{draft.pk}/child-world/", {**CHILD_WORLD, "child_voice": "n/a"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "What the child has said: “n/a” is not enough" in page
    assert 'href="#id_child_voice"' in page


def test_the_live_endpoint_returns_each_fields_prompts_and_the_list_shown(police_client):
    draft = _draft_with_child(police_client)
    earlier = {**POOR_WORRY, "coaching_shown": "worry:adults_only bogus:rule"}

    response = police_client.post(f"/referrals/new/{draft.pk}/concerns/coaching/", earlier)

    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'id="coaching-worry" hx-swap-oob="innerHTML"' in fragment
    assert 'data-rule="incident_only"' in fragment
    assert "<html" not in fragment
    assert (
        'name="coaching_shown" id="coaching-shown" '
        'value="worry:adults_only worry:incident_only worry:no_child_example"'
    ) in fragment
    draft.refresh_from_db()
    assert "coaching" not in draft.data  # it writes nothing: the section's POST records


def test_after_the_live_prompts_continue_goes_straight_on_and_records_them(police_client):
    draft = _draft_with_child(police_client)
    shown = "worry:incident_only worry:no_child_example"

    response = police_client.post(
        f"/referrals/new/{draft.pk}/concerns/", {**POOR_WORRY, "coaching_shown": shown}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert set(draft.data["coaching"]) == set(shown.split())
    assert "coaching_shown" not in draft.data["sections"]["concerns"]


def test_the_live_endpoint_clears_a_prompt_once_the_text_answers_it(police_client):
    draft = _draft_with_child(police_client)
    better = {
        **CONCERNS,
        "worry": "Police attended after a fight, the fourth call this year. Ava was hiding "
        "and said 'I want Nan'.",
    }

    fragment = police_client.post(
        f"/referrals/new/{draft.pk}/concerns/coaching/", better
    ).content.decode()

    assert 'id="coaching-worry"' in fragment
    assert "data-rule" not in fragment


def test_the_live_endpoint_is_only_for_the_coached_sections(police_client):
    draft = _draft_with_child(police_client)

    assert police_client.post(f"/referrals/new/{draft.pk}/family/coaching/", {}).status_code == 404


def test_coached_pages_load_htmx_and_post_to_the_live_endpoint(police_client):
    draft = _draft_with_child(police_client)

    page = police_client.get(f"/referrals/new/{draft.pk}/concerns/").content.decode()

    assert "htmx/htmx.min.js" in page
    assert f'hx-post="/referrals/new/{draft.pk}/concerns/coaching/"' in page
    assert 'id="coaching-worry" class="fd-coaching" aria-live="polite"' in page


def test_check_your_answers_shows_the_prompts_with_a_link_to_the_answer(police_client):
    draft = fill_referral(police_client, concerns=POOR_WORRY, child_world=NEW_WORLD)

    page = police_client.get(f"/referrals/new/{draft.pk}/check/").content.decode()

    assert 'data-testid="coaching-check"' in page
    assert 'data-rule="incident_only"' in page
    assert f'href="/referrals/new/{draft.pk}/concerns/#id_worry"' in page


def test_sending_records_each_prompt_shown_and_what_became_of_it(police_client):
    draft = _draft_with_child(police_client)
    base = f"/referrals/new/{draft.pk}"
    # Shown while typing a poor worry and a thin account of the child's day ...
    thin_day = {**CHILD_WORLD, "lived_experience": "Lives with mum and her partner in a flat"}
    shown = "worry:incident_only worry:no_child_example lived_experience:adults_only"
    # ... then the worry is rewritten, and the day explained rather than changed.
    better = {
        **CONCERNS,
        "worry": "Police attended a fight between mum and her partner, the fourth this year. "
        "Ava was hiding under the stairs and said 'I want Nan'.",
    }
    fill_referral(police_client, concerns=better)  # a second draft: ignore it
    police_client.post(f"{base}/concerns/", {**better, "coaching_shown": shown})
    police_client.post(
        f"{base}/child-world/",
        {
            **thin_day,
            "lived_experience_explanation": "I only saw the flat at night",
            "coaching_shown": shown,
        },
    )
    for slug, data in (("family", None), ("next-steps", None), ("your-details", None)):
        from tests.referrals import helpers

        data = {"family": helpers.FAMILY, "next-steps": helpers.NEXT_STEPS}.get(
            slug, helpers.CONTACT
        )
        assert police_client.post(f"{base}/{slug}/", data).status_code == 302

    assert police_client.post(f"{base}/check/").status_code == 302

    referral = Referral.objects.get(submission__draft=draft)
    outcomes = {
        (p.field, p.rule): (p.outcome, p.explanation, p.agency_type)
        for p in CoachingPrompt.objects.filter(referral=referral)
    }
    assert outcomes == {
        ("worry", "incident_only"): (CoachingOutcome.ACTED_ON, "", "police"),
        ("worry", "no_child_example"): (CoachingOutcome.ACTED_ON, "", "police"),
        ("lived_experience", "adults_only"): (
            CoachingOutcome.EXPLAINED,
            "I only saw the flat at night",
            "police",
        ),
    }


def test_a_prompt_left_as_it_was_is_recorded_as_ignored_for_each_sibling(police_client):
    leo = {**CHILD, "child_first_name": "Leo"}
    draft = fill_referral(
        police_client, children=[CHILD, leo], concerns=POOR_WORRY, child_world=NEW_WORLD
    )
    police_client.get(f"/referrals/new/{draft.pk}/check/")

    assert police_client.post(f"/referrals/new/{draft.pk}/check/").status_code == 302

    rows = CoachingPrompt.objects.filter(rule="incident_only")
    assert rows.count() == 2
    assert {r.outcome for r in rows} == {CoachingOutcome.IGNORED}


def test_a_refused_placeholder_fixed_before_sending_is_recorded_as_acted_on(police_client):
    draft = _draft_with_child(police_client)
    police_client.post(
        f"/referrals/new/{draft.pk}/child-world/", {**CHILD_WORLD, "child_voice": "n/a"}
    )
    fill_referral(police_client)  # unrelated draft
    from tests.referrals import helpers

    base = f"/referrals/new/{draft.pk}"
    for slug, data in (
        ("concerns", helpers.CONCERNS),
        ("child-world", helpers.CHILD_WORLD),
        ("family", helpers.FAMILY),
        ("next-steps", helpers.NEXT_STEPS),
        ("your-details", helpers.CONTACT),
    ):
        assert police_client.post(f"{base}/{slug}/", data).status_code == 302

    assert police_client.post(f"{base}/check/").status_code == 302

    row = CoachingPrompt.objects.get(referral__submission__draft=draft)
    assert (row.field, row.rule, row.outcome) == ("child_voice", "placeholder", "acted_on")


# --- Part 2: the three houses, new or a pattern, diversity asked ---------------------


def test_the_childs_form_starts_with_identity_unanswered(referrer_client):
    draft = start_draft(referrer_client)

    page = referrer_client.get(f"/referrals/new/{draft.pk}/child/new/").content.decode()

    assert '<option value="" selected>Choose the child&#x27;s ethnicity</option>' in page
    assert '<option value="" selected>Choose the child&#x27;s religion</option>' in page
    assert 'name="child_interpreter_needed" type="radio" value="no" checked' not in page
    assert (
        "checked"
        not in page.split('id="id_child_first_language_answer"')[1].split("</fieldset>")[0]
    )


def test_identity_must_be_answered_with_not_known_or_declined_as_choices(referrer_client):
    draft = start_draft(referrer_client)
    unanswered = {
        k: v
        for k, v in CHILD.items()
        if k
        not in (
            "child_ethnicity",
            "child_religion",
            "child_interpreter_needed",
            "child_first_language_answer",
            "child_first_language",
        )
    }

    page = referrer_client.post(f"/referrals/new/{draft.pk}/child/new/", unanswered)

    assert page.status_code == 200
    text = page.content.decode()
    for message in (
        "Choose the child&#x27;s ethnicity, or &#x27;Not known&#x27; or &#x27;Declined&#x27;",
        "Choose the child&#x27;s religion, or &#x27;Not known&#x27; or &#x27;Declined&#x27;",
        "Say whether the child or family needs an interpreter",
        "Say what the child&#x27;s first language is",
    ):
        assert message in text


def test_not_known_and_declined_are_recorded_as_chosen(referrer_client):
    child = {
        **CHILD,
        "child_ethnicity": "REFU",
        "child_religion": "declined",
        "child_first_language_answer": "not_known",
        "child_first_language": "",
        "child_interpreter_needed": "not_known",
    }
    draft = fill_referral(referrer_client, children=[child])

    assert referrer_client.post(f"/referrals/new/{draft.pk}/check/").status_code == 302

    referral = Referral.objects.get()
    assert (referral.child_ethnicity, referral.child_religion) == ("REFU", "declined")
    assert referral.child_first_language == "Not known"
    assert referral.child_interpreter_needed is None


def test_new_or_a_pattern_must_be_answered(referrer_client):
    draft = _draft_with_child(referrer_client)
    unanswered = {k: v for k, v in CHILD_WORLD.items() if k != "new_or_pattern"}

    page = referrer_client.post(f"/referrals/new/{draft.pk}/child-world/", unanswered)

    assert page.status_code == 200
    assert "Say whether this is new or part of a pattern" in page.content.decode()


def test_the_three_houses_may_stand_for_the_childs_voice_and_show_to_the_front_door(
    referrer_client, manager_client
):
    world = {
        **CHILD_WORLD,
        "child_voice": "",
        "voice_worries": "When mum cries",
        "voice_good_things": "My brother Leo",
        "voice_dreams": "A garden",
    }
    draft = fill_referral(referrer_client, child_world=world)
    assert referrer_client.post(f"/referrals/new/{draft.pk}/check/").status_code == 302
    referral = Referral.objects.get()
    assert referral.voice_houses == ("When mum cries", "My brother Leo", "A garden")
    assert referral.new_or_pattern == "pattern"

    for url in (f"/triage/referrals/{referral.pk}/", f"/triage/referrals/{referral.pk}/decide/"):
        page = manager_client.get(url).content.decode()
        assert 'data-testid="three-houses"' in page
        assert "House of good things" in page and "My brother Leo" in page
        assert 'data-testid="identity-and-needs"' in page
        assert "Part of a pattern" in page
