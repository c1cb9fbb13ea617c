"""The CIN census items, XML and CSV for a small hand-built year, and the DfE rules on it."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from agencies.census import AgencyType
from agencies.models import Role
from referrals.census import ConcernCategory, Ethnicity, Gender
from referrals.models import Outcome
from reporting.census import (
    InvalidCollectionYear,
    build_return,
    current_collection_year,
    parse_collection_year,
)
from reporting.census_validation import validate
from reporting.census_xml import safe_cell, to_csv, to_xml
from tests.factories import (
    AgencyFactory,
    ChildFactory,
    DecisionFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def referral(*, at, agency_type=AgencyType.POLICE, outcome=None, concerns=None, **child):
    referrer = UserFactory(role=Role.REFERRER, agency=AgencyFactory(type=agency_type))
    made = ReferralFactory(referrer=referrer, received_at=at, concerns=concerns, **child)
    if outcome:
        DecisionFactory(referral=made, outcome=outcome, decided_at=at)
    return made


@pytest.fixture
def year_2026():
    """Collection year 2026 (1 April 2025 to 31 March 2026), by hand."""
    return {
        "nfa": referral(
            at=london(2025, 6, 10, 9, 0),
            outcome=Outcome.NO_FURTHER_ACTION,
            agency_type=AgencyType.SCHOOL,
            child_gender=Gender.FEMALE,
            child_ethnicity=Ethnicity.WBRI,
            child_disabilities=["HE", "AUT"],
        ),
        "s17": referral(
            at=london(2025, 9, 3, 14, 0),
            outcome=Outcome.ASSESSMENT_S17,
            concerns=[ConcernCategory.NEGLECT, ConcernCategory.PARENTAL_MENTAL_HEALTH],
            child=ChildFactory(gender=Gender.MALE, ethnicity=Ethnicity.BAFR, disabilities=["NONE"]),
        ),
        # 23:30 on 31 March London (BST starts 29 March 2026): still in 2026.
        "last_evening": referral(
            at=london(2026, 3, 31, 23, 30),
            outcome=Outcome.EARLY_HELP,
            agency_type=AgencyType.GP,
        ),
        # 00:30 on 1 April London is 23:30 on 31 March UTC: in 2027, not 2026.
        "next_year": referral(at=london(2026, 4, 1, 0, 30), outcome=Outcome.NO_FURTHER_ACTION),
        "unknown": referral(
            at=london(2025, 11, 20, 10, 0),
            outcome=Outcome.STRATEGY_S47,
            concerns=[ConcernCategory.SELF_HARM],
            child_gender=Gender.NOT_KNOWN,
            child_ethnicity=Ethnicity.NOBT,
        ),
        "unborn": referral(
            at=london(2026, 1, 15, 11, 0),
            outcome=Outcome.SIGNPOST,
            agency_type=AgencyType.HEALTH_VISITING,
            child_date_of_birth=None,
            child_expected_date_of_birth=date(2026, 4, 20),
        ),
        "undecided": referral(at=london(2026, 2, 2, 12, 0)),
        "open_case": referral(at=london(2026, 2, 3, 12, 0), outcome=Outcome.OPEN_CASE),
    }


def by_referral(census):
    return {e.referral_id: (c, e) for c in census.children for e in c.episodes}


def test_the_year_is_april_to_march_in_london_dates(year_2026):
    census = build_return(collection_year=2026)

    episodes = by_referral(census)
    assert year_2026["last_evening"].pk in episodes
    assert year_2026["next_year"].pk not in episodes
    assert year_2026["next_year"].pk in by_referral(build_return(collection_year=2027))
    assert episodes[year_2026["last_evening"].pk][1].referral_date == date(2026, 3, 31)


def test_undecided_and_open_case_referrals_are_left_out_and_counted(year_2026):
    census = build_return(collection_year=2026)

    assert year_2026["undecided"].pk not in by_referral(census)
    assert year_2026["open_case"].pk not in by_referral(census)
    assert (census.left_out_undecided, census.left_out_open_case) == (1, 1)
    assert (len(census.children), census.referrals) == (5, 5)


def test_a_later_referral_while_the_childs_episode_is_open_is_not_a_new_episode():
    child = ChildFactory()
    referral(at=london(2025, 5, 1, 9), outcome=Outcome.ASSESSMENT_S17, child=child)
    later = referral(at=london(2025, 7, 1, 9), outcome=Outcome.NO_FURTHER_ACTION, child=child)

    census = build_return(collection_year=2026)

    assert later.pk not in by_referral(census)
    assert census.left_out_while_open == 1


def test_an_amended_decision_counts_as_it_stands():
    from tests.factories import DecisionAmendmentFactory

    made = referral(at=london(2025, 5, 1, 9), outcome=Outcome.NO_FURTHER_ACTION)
    DecisionAmendmentFactory(decision=made.decision, outcome=Outcome.ASSESSMENT_S17)

    [(_, episode)] = by_referral(build_return(collection_year=2026)).values()

    assert (episode.outcome, episode.nfa) == (Outcome.ASSESSMENT_S17, False)


def _children(xml: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    return {c.findtext("ChildIdentifiers/LAchildID"): c for c in root.iter("Child")}


def test_the_xml_holds_the_items_for_each_child(year_2026):
    xml = to_xml(build_return(collection_year=2026), now=london(2026, 5, 1, 10))
    root = ET.fromstring(xml)
    children = _children(xml)

    assert root.findtext("Header/CollectionDetails/Collection") == "CIN"
    assert root.findtext("Header/CollectionDetails/Year") == "2026"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2026-03-31"
    assert root.findtext("Header/Source/DateTime") == "2026-05-01T10:00:00"

    nfa = children[f"R{year_2026['nfa'].pk}"]
    assert [e.tag for e in nfa.find("ChildIdentifiers")] == [
        "LAchildID",
        "UPNunknown",
        "PersonBirthDate",
        "Sex",
    ]
    assert nfa.findtext("ChildIdentifiers/UPNunknown") == "UN7"
    assert nfa.findtext("ChildIdentifiers/Sex") == "F"
    assert nfa.findtext("ChildCharacteristics/Ethnicity") == "WBRI"
    # Hearing is stored as HE; the census spells it HEAR.
    assert [d.text for d in nfa.iter("Disability")] == ["HEAR", "AUT"]
    [episode] = nfa.findall("CINdetails")
    assert [(e.tag, e.text) for e in episode] == [
        ("CINreferralDate", "2025-06-10"),
        ("ReferralSource", "2A"),
        ("CINclosureDate", "2025-06-10"),
        ("ReasonForClosure", "RC8"),
        ("ReferralNFA", "1"),
    ]


def test_further_action_is_open_with_a_primary_need_and_no_assessment(year_2026):
    children = _children(to_xml(build_return(collection_year=2026)))

    s17 = children[f"C{year_2026['s17'].child.pk}"]
    assert s17.find("ChildIdentifiers/UPNunknown") is None
    assert s17.findtext("ChildIdentifiers/Sex") == "M"
    assert s17.findtext("ChildCharacteristics/Ethnicity") == "BAFR"
    [episode] = s17.findall("CINdetails")
    assert [(e.tag, e.text) for e in episode] == [
        ("CINreferralDate", "2025-09-03"),
        ("ReferralSource", "6"),
        ("PrimaryNeedCode", "N1"),
        ("ReferralNFA", "0"),
    ]


def test_unknown_sex_and_ethnicity_and_an_unborn_child(year_2026):
    children = _children(to_xml(build_return(collection_year=2026)))

    unknown = children[f"R{year_2026['unknown'].pk}"]
    assert unknown.findtext("ChildIdentifiers/Sex") == "U"
    assert unknown.findtext("ChildCharacteristics/Ethnicity") == "NOBT"
    assert unknown.find("ChildCharacteristics/Disabilities") is None
    # A section 47 strategy discussion is about suspected harm: abuse or neglect.
    assert unknown.findtext("CINdetails/PrimaryNeedCode") == "N1"
    unborn = children[f"R{year_2026['unborn'].pk}"]
    assert unborn.find("ChildIdentifiers/PersonBirthDate") is None
    assert unborn.findtext("ChildIdentifiers/ExpectedPersonBirthDate") == "2026-04-20"
    assert unborn.findtext("ChildIdentifiers/Sex") == "U"
    assert unborn.findtext("CINdetails/ReferralSource") == "3B"


def test_the_csv_has_one_row_per_episode_with_the_same_items(year_2026):
    rows = list(csv.DictReader(io.StringIO(to_csv(build_return(collection_year=2026)))))

    assert len(rows) == 5
    s17 = next(r for r in rows if r["LAchildID"] == f"C{year_2026['s17'].child.pk}")
    assert s17 == {
        "LAchildID": f"C{year_2026['s17'].child.pk}",
        "UPNunknown": "",
        "PersonBirthDate": "2016-09-21",
        "ExpectedPersonBirthDate": "",
        "Sex": "M",
        "Ethnicity": "BAFR",
        "Disabilities": "NONE",
        "CINreferralDate": "2025-09-03",
        "ReferralSource": "6",
        "PrimaryNeedCode": "N1",
        "CINclosureDate": "",
        "ReasonForClosure": "",
        "ReferralNFA": "0",
        "ReferralConcernFactors": "16A 4B",
    }


@pytest.mark.parametrize("value", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx"])
def test_csv_cells_never_start_a_formula(value):
    assert safe_cell(value) == "'" + value


def test_the_demo_shaped_year_passes_the_rules_on_the_front_doors_items(year_2026):
    validation = validate(to_xml(build_return(collection_year=2026)), collection_year=2026)

    assert validation.ruleset_year == 2026
    assert validation.not_run == []
    assert validation.held_errors == []
    assert validation.passes_held_rules


def test_a_broken_item_of_ours_is_reported_as_an_error_on_held_items(year_2026):
    xml = to_xml(build_return(collection_year=2026)).replace(
        b"<ReferralSource>2A</ReferralSource>", b"<ReferralSource>ZZ</ReferralSource>"
    )

    validation = validate(xml, collection_year=2026)

    assert not validation.passes_held_rules
    assert any(r.held and "ReferralSource" in r.fields for r in validation.held_errors)


def test_rules_about_items_held_elsewhere_are_listed_with_their_message():
    referral(at=london(2025, 9, 3, 14), outcome=Outcome.ASSESSMENT_S17,
             concerns=[ConcernCategory.GOING_MISSING])  # fmt: skip

    validation = validate(to_xml(build_return(collection_year=2026)), collection_year=2026)

    [need] = [r for r in validation.elsewhere_failures if r.code == "8610"]
    assert (
        need.message == "Primary Need code is missing for a referral which led to further action."
    )
    assert validation.passes_held_rules


def test_the_current_year_is_checked_with_its_own_rules():
    assert (
        validate(to_xml(build_return(collection_year=2027)), collection_year=2027).ruleset_year
        == 2027
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Enter a collection year, for example 2026"),
        ("", "Enter a collection year, for example 2026"),
        ("twenty", "Collection year must be a year in 4 digits, like 2026"),
        ("20266", "Collection year must be a year in 4 digits, like 2026"),
        ("2022", "Collection year must be between 2023 and 2027"),
        ("2028", "Collection year must be between 2023 and 2027"),
    ],
)
def test_a_bad_collection_year_is_refused_with_a_message(value, message):
    with pytest.raises(InvalidCollectionYear, match=message):
        parse_collection_year(value, today=date(2026, 11, 27))


def test_the_current_collection_year_turns_on_1_april():
    assert current_collection_year(today=date(2026, 3, 31)) == 2026
    assert current_collection_year(today=date(2026, 4, 1)) == 2027
