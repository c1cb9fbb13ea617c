"""The case the history pages' tests look at (test_history_pages.py,
test_history_access.py): the people of a school and a front door, and a referral
screened, corrected, decided and amended, each by whom it would be. tests/oversight/
conftest.py makes `people` and `case` fixtures of its tests."""

import pytest
from django.urls import reverse

from agencies.census import AgencyType
from agencies.models import Role
from referrals.models import Outcome
from tests.clients import client_for
from tests.factories import AgencyFactory, ChildFactory, ReferralFactory, UserFactory
from triage.services.decisions import amend_decision, decide

OLD_WORRY = "Came to school hungry four days this week and has a bruise on the arm."
NEW_WORRY = "Came to school hungry every day this week; the bruise was on the left arm."


@pytest.fixture
def people():
    school = AgencyFactory(name="Hillside Primary", type=AgencyType.SCHOOL)
    social_care = AgencyFactory(
        name="Hillside Children's Social Care", type=AgencyType.CHILDRENS_SOCIAL_CARE
    )
    return {
        "school": school,
        "referrer": UserFactory(username="hist.referrer", role=Role.REFERRER, agency=school),
        "screener": UserFactory(username="hist.screener", role=Role.SCREENER, agency=social_care),
        "manager": UserFactory(username="hist.manager", role=Role.MANAGER, agency=social_care),
        "auditor": UserFactory(username="hist.auditor", role=Role.AUDITOR),
    }


@pytest.fixture
def case(people):
    """A referral screened, corrected, decided and amended, each by whom it would be."""
    child = ChildFactory(first_name="Philippa", last_name="Historyfield")
    referral = ReferralFactory(
        referrer=people["referrer"], worry=OLD_WORRY, child_first_name="Philippa"
    )
    # Screening through its pages, as a screener does it: the signed-in user is who.
    screener = client_for(people["screener"])
    screener.post(reverse("triage:claim", args=[referral.pk]))
    screener.post(
        reverse("triage:note", args=[referral.pk]),
        {"text": "Spoke to the school nurse: weight is down since March."},
    )
    screener.post(reverse("triage:link-child", args=[referral.pk]), {"child": child.pk})
    referral.refresh_from_db()
    referral.worry = NEW_WORRY
    referral._history_user = people["screener"]
    referral.save()
    decision = decide(
        referral_id=referral.pk,
        by=people["manager"],
        outcome=Outcome.EARLY_HELP,
        threshold_level=2,
        rationale="Emerging needs: the family worker will support the family at home.",
        feedback="The school's family worker will contact the family this week.",
        proceed_reason="Not recommended on yet, but the school needs an answer today.",
    )
    amendment = amend_decision(
        decision_id=decision.pk,
        by=people["manager"],
        outcome=Outcome.ASSESSMENT_S17,
        threshold_level=3,
        rationale="The nurse's weights show a pattern of neglect over months.",
        reason="The school nurse's records arrived after the decision.",
        feedback="A social worker will meet the family to understand the children's needs.",
    )
    return {"referral": referral, "child": child, "decision": decision, "amendment": amendment}
