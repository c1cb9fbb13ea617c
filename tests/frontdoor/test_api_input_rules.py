"""What schemathesis found the API took without saying so, each pinned by a plain test:
the page parameter (of the lists paged by number), JSON-only bodies, JSON types, lengths
as sent, and rules that the schema now states (referrals.api_rules) agreeing with the
validators behind them."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agencies.models import Role
from core.text import NOT_BLANK_PATTERN, clean_text
from referrals.api_rules import NhsNumber, Postcode
from referrals.validation import nhs_number_is_valid, normalise_postcode
from tests.clients import api_as
from tests.factories import ChallengeFactory, DecisionFactory, UserFactory

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals/"
CHALLENGES = "/api/v1/challenges/"
TOKEN = "/api/v1/auth/token/"


# The lists still paged by number (challenges, discussions, notifications); referrals
# page by cursor (tests/referrals/test_api_list_pages.py).


@pytest.mark.parametrize("value", ["", "0", "-1", "abc", "1.5", "last", " 1"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400_naming_page(value):
    response = api_as(UserFactory(role=Role.MANAGER)).get(CHALLENGES, {"page": value})

    assert response.status_code == 400
    assert list(response.json()) == ["page"]


def test_page_given_twice_is_a_400_naming_page():
    response = api_as(UserFactory(role=Role.MANAGER)).get(f"{CHALLENGES}?page=1&page=2")

    assert response.status_code == 400
    assert list(response.json()) == ["page"]


def test_a_page_past_the_last_is_a_404_and_the_first_is_a_200():
    manager = UserFactory(role=Role.MANAGER)
    ChallengeFactory()

    assert api_as(manager).get(CHALLENGES, {"page": "1"}).status_code == 200
    assert api_as(manager).get(CHALLENGES, {"page": "001"}).status_code == 200
    assert api_as(manager).get(CHALLENGES, {"page": "2"}).status_code == 404
    # Thousands of digits: past any last page, not a 500 from int()'s digit limit.
    assert api_as(manager).get(CHALLENGES, {"page": "9" * 5000}).status_code == 404


def test_a_form_encoded_body_is_a_415_even_at_the_token_endpoint(client):
    UserFactory(username="pat")

    response = client.post(TOKEN, {"username": "pat", "password": "x"})

    assert response.status_code == 415


@pytest.mark.parametrize(
    "field, value",
    [
        ("reason", 12345),  # a number where text belongs
        ("discussion", "1"),  # text where a whole number belongs
        ("discussion", True),  # true is not a number
    ],
)
def test_a_json_value_of_the_wrong_type_is_a_400_naming_the_field(field, value):
    decision = DecisionFactory()
    body = {"reason": "We disagree: the bruising is new and unexplained.", field: value}

    response = api_as(decision.referral.referrer).post(
        f"{REFERRALS}{decision.referral_id}/challenges/", body, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()


def test_text_over_the_maximum_as_sent_is_refused_even_if_cleaning_would_shorten_it():
    screener = UserFactory(role=Role.SCREENER)
    name = "A" * 90 + "\u200b" * 20  # 110 as sent, 90 once the zero-width spaces go

    response = api_as(screener).post(
        "/api/v1/children/matches/", {"last_name": name}, format="json"
    )

    assert response.status_code == 400
    assert "last_name" in response.json()


def test_a_short_rationale_is_a_400_even_for_a_decided_referral():
    """The rule is on the input, so it is a 400 before the state's 409."""
    decision = DecisionFactory()
    manager = UserFactory(role=Role.MANAGER)
    body = {
        "outcome": "early_help",
        "threshold_level": 2,
        "rationale": "Too short.",
        "feedback": "Early help will call.",
    }

    response = api_as(manager).post(
        f"{REFERRALS}{decision.referral_id}/decision/", body, format="json"
    )

    assert response.status_code == 400
    assert "rationale" in response.json()


# --- The patterns the schema states agree with the rules the server keeps --------------

TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(" \t\n\u00a0\u200b\u202e\u3000-0123456789ABCdef"),
    ),
    max_size=16,
)


@settings(max_examples=300, derandomize=True, database=None)
@given(TEXT)
def test_the_not_blank_pattern_is_text_that_is_not_blank_once_cleaned(text):
    assert bool(re.search(NOT_BLANK_PATTERN, text)) == bool(clean_text(text).strip())


@settings(max_examples=300, derandomize=True, database=None)
@given(st.one_of(TEXT, st.from_regex(r"[0-9 \-]{10,14}", fullmatch=True)))
def test_the_nhs_number_pattern_allows_what_the_server_reads_as_ten_digits(text):
    digits = re.sub(r"[\s-]", "", clean_text(text).strip())
    server_reads_ten_digits = digits == "" or re.fullmatch(r"[0-9]{10}", digits) is not None

    assert bool(re.search(NhsNumber.openapi["pattern"], text)) == server_reads_ten_digits


def test_the_nhs_number_check_digit_is_the_format_s_rule():
    assert nhs_number_is_valid("943 476 5919")
    assert not nhs_number_is_valid("943 476 5918")


@settings(max_examples=300, derandomize=True, database=None)
@given(
    st.one_of(
        st.from_regex(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}", fullmatch=True),
        st.text("LS14AP 0b\u200b", max_size=9),
    )
)
def test_the_postcode_pattern_is_the_postcode_rule(text):
    compact = normalise_postcode(clean_text(text).strip())
    accepted = (
        compact == ""
        or re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}", compact) is not None
    )

    assert bool(re.search(Postcode.openapi["pattern"], text)) == accepted
