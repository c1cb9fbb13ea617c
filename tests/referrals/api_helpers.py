"""What the referrals API's tests share (test_api.py, test_api_idempotency.py,
test_api_reading.py, test_api_coaching.py, test_input_bounds.py): the URLs, a complete and
valid referral body, posting it, and deciding a referral."""

from django.utils import timezone

from agencies.models import Role
from referrals.models import Outcome, ParentalConsent, Status
from tests.factories import UserFactory
from triage.models import Decision

URL = "/api/v1/referrals/"
MISSING = object()


def detail_url(referral_id) -> str:
    return f"{URL}{referral_id}/"


def referral_body(**changes) -> dict:
    """A complete, valid referral about one synthetic child; MISSING leaves a field out."""
    body = {
        "child_first_name": "Ada",
        "child_last_name": "Testchild",
        "child_date_of_birth": "2017-03-04",
        "child_gender": "2",
        "child_ethnicity": "WBRI",
        "child_religion": "not_known",
        "child_disabilities": ["NONE"],
        "child_postcode": "ls1 4ap",
        "child_nhs_number": "943 476 5919",
        "child_interpreter_needed": False,
        "concerns": ["neglect", "domestic_abuse"],
        "worry": "Came to school hungry four days this week with a bruise on the arm.",
        "lived_experience": "Gets herself and her brother ready; no breakfast; often late.",
        "child_voice": "Said 'mum sleeps a lot and there is no food in the house'.",
        "parental_consent": ParentalConsent.CONSENTED,
        "household": [
            {"name": "Parent One", "relationship": "mother", "lives_with_child": True},
        ],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not MISSING}


def post(client, body, **headers):
    return client.post(URL, body, format="json", headers=headers)


def decide(referral, *, feedback="Early help will contact the family this week."):
    Decision.objects.create(
        referral=referral,
        outcome=Outcome.EARLY_HELP,
        threshold_level_id=2,
        rationale="Needs are met at early help level; no indication of significant harm.",
        feedback=feedback,
        decided_by=UserFactory(role=Role.MANAGER),
        decided_at=timezone.now(),
    )
    referral.status = Status.DECIDED
    referral.save()
    return referral
