"""Filling in the referral form through the test client, section by section."""

from __future__ import annotations

import re

from referrals.models import ReferralDraft

CHILD = {
    "child_first_name": "Ava",
    "child_last_name": "Testfield",
    "child_date_of_birth_day": "3",
    "child_date_of_birth_month": "4",
    "child_date_of_birth_year": "2017",
    "child_gender": "2",
    "child_ethnicity": "NOBT",
    "child_first_language_answer": "given",
    "child_first_language": "English",
    "child_interpreter_needed": "no",
    "child_religion": "not_known",
    "child_postcode": "ns1 4ab",
}
CONCERNS = {
    "immediate_risk": "no",
    "concerns": ["neglect", "domestic_abuse"],
    "worry": "Came to school with no coat in the rain and said there was no food at home.",
}
CHILD_WORLD = {
    "lived_experience": "Gets herself and her brother up; rarely any breakfast. Seems tired.",
    "child_voice": "Said: 'Mum stays in bed and I look after Leo.'",
    "new_or_pattern": "pattern",
    "history_and_pattern": "Late most days since September.",
}
FAMILY = {
    "parental_consent": "consented",
    "household-TOTAL_FORMS": "4",
    "household-INITIAL_FORMS": "0",
    "household-MIN_NUM_FORMS": "0",
    "household-MAX_NUM_FORMS": "12",
    "household-0-name": "Test Parent",
    "household-0-relationship": "mother",
    "household-0-lives_with_child": "yes",
}
NEXT_STEPS = {"what_should_happen": "An assessment and support for mum."}
CONTACT = {
    "referrer_name": "Sam Okafor",
    "referrer_role": "Class teacher",
    "referrer_phone": "01632 960000",
    "referrer_email": "sam@example.invalid",
}


def start_draft(client) -> ReferralDraft:
    response = client.post("/referrals/new/")
    assert response.status_code == 302, response
    draft_id = int(re.search(r"/referrals/new/(\d+)/", response["Location"]).group(1))
    return ReferralDraft.objects.get(pk=draft_id)


def fill_referral(client, *, children=(CHILD,), received=None, contact=True, **overrides):
    """Fill every section; return the draft. ``overrides`` replace whole sections."""
    draft = start_draft(client)
    base = f"/referrals/new/{draft.pk}"
    if received is not None:
        assert client.post(f"{base}/received/", received).status_code == 302
    for child in children:
        assert client.post(f"{base}/child/new/", child).status_code == 302
    sections = {
        "concerns": overrides.get("concerns", CONCERNS),
        "child-world": overrides.get("child_world", CHILD_WORLD),
        "family": overrides.get("family", FAMILY),
        "next-steps": overrides.get("next_steps", NEXT_STEPS),
    }
    if contact:
        sections["your-details"] = overrides.get("contact", CONTACT)
    for slug, data in sections.items():
        response = client.post(f"{base}/{slug}/", data)
        if response.status_code == 200 and b'data-testid="coaching-banner"' in response.content:
            # Coaching prompts shown once, without JavaScript: the referrer goes on.
            response = client.post(f"{base}/{slug}/", data)
        assert response.status_code == 302, (slug, response.content.decode()[:3000])
    return draft


def stored_draft(draft) -> dict:
    """What the database holds of a draft (not what the object in hand says)."""
    return ReferralDraft.objects.get(pk=draft.pk).data
