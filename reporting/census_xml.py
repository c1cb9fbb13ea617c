"""The census items as the DfE CIN census XML (a ``Message`` with its ``Header`` and
``Children``) and as CSV, one row per CIN episode.

Element names, their nesting and order follow the CIN census specification as the
community validator (csc-validator-be-cin) reads it; dates are ``YYYY-MM-DD``. Only what
the front door holds is written: an element it does not hold is left out, not sent empty.
No ``Assessments``: the front door holds none (see reporting.census on factors).
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from core.spreadsheet import safe_cell
from referrals.census import Gender
from reporting.census import LONDON, CensusChild, CensusReturn, Episode

SOFTWARE_CODE = "Front Door"
RELEASE = "1"
# From 2024/25 the census records sex (M, F, U) in place of current gender (1, 2, 9, 0).
FIRST_YEAR_WITH_SEX = 2025
SEX_CODES = {Gender.MALE: "M", Gender.FEMALE: "F", Gender.INDETERMINATE: "U", Gender.NOT_KNOWN: "U"}
# Front Door stores hearing as HE; the census code set spells it HEAR.
DISABILITY_CODES = {"HE": "HEAR"}
# UPN unknown reason for a child whose every episode is a referral with no further action.
UPN_UNKNOWN_NFA = "UN7"

CSV_COLUMNS = (
    "LAchildID",
    "UPNunknown",
    "PersonBirthDate",
    "ExpectedPersonBirthDate",
    "Sex",
    "Ethnicity",
    "Disabilities",
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "CINclosureDate",
    "ReasonForClosure",
    "ReferralNFA",
    # Not a census item: the referral's concerns as factor codes, for the assessment to
    # confirm (factors belong to a completed assessment, which the front door does not hold).
    "ReferralConcernFactors",
)


def _date(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _sub(parent: ET.Element, tag: str, text: str | None) -> None:
    if text is not None and text != "":
        ET.SubElement(parent, tag).text = text


def sex_code(child: CensusChild) -> str:
    if child.birth_date is None and child.expected_birth_date is not None:
        return "U"  # the census's code for an unborn child
    return SEX_CODES.get(child.gender, "U")


def disability_codes(child: CensusChild) -> list[str]:
    return [DISABILITY_CODES.get(code, code) for code in child.disabilities]


def upn_unknown(child: CensusChild) -> str | None:
    return UPN_UNKNOWN_NFA if child.only_nfa else None


def _header(message: ET.Element, census: CensusReturn, *, now: datetime) -> None:
    header = ET.SubElement(message, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    _sub(details, "Collection", "CIN")
    _sub(details, "Year", str(census.collection_year))
    _sub(details, "ReferenceDate", census.end.isoformat())
    source = ET.SubElement(header, "Source")
    _sub(source, "SourceLevel", "L")
    _sub(source, "LEA", settings.CENSUS_LA_CODE)
    _sub(source, "SoftwareCode", SOFTWARE_CODE)
    _sub(source, "Release", RELEASE)
    _sub(source, "SerialNo", "001")
    _sub(source, "DateTime", timezone.localtime(now, LONDON).strftime("%Y-%m-%dT%H:%M:%S"))


def _episode(parent: ET.Element, episode: Episode) -> None:
    cin = ET.SubElement(parent, "CINdetails")
    _sub(cin, "CINreferralDate", _date(episode.referral_date))
    _sub(cin, "ReferralSource", episode.source)
    _sub(cin, "PrimaryNeedCode", episode.primary_need)
    _sub(cin, "CINclosureDate", _date(episode.closure_date))
    _sub(cin, "ReasonForClosure", episode.reason_for_closure)
    _sub(cin, "ReferralNFA", "1" if episode.nfa else "0")


def _child(children: ET.Element, child: CensusChild, *, year: int) -> None:
    element = ET.SubElement(children, "Child")
    identifiers = ET.SubElement(element, "ChildIdentifiers")
    _sub(identifiers, "LAchildID", child.la_child_id)
    _sub(identifiers, "UPNunknown", upn_unknown(child))
    _sub(identifiers, "PersonBirthDate", _date(child.birth_date))
    _sub(identifiers, "ExpectedPersonBirthDate", _date(child.expected_birth_date))
    if year >= FIRST_YEAR_WITH_SEX:
        _sub(identifiers, "Sex", sex_code(child))
    else:
        _sub(identifiers, "GenderCurrent", child.gender)
    characteristics = ET.SubElement(element, "ChildCharacteristics")
    _sub(characteristics, "Ethnicity", child.ethnicity)
    if child.disabilities:
        disabilities = ET.SubElement(characteristics, "Disabilities")
        for code in disability_codes(child):
            _sub(disabilities, "Disability", code)
    for episode in child.episodes:
        _episode(element, episode)


def to_xml(census: CensusReturn, *, now: datetime | None = None) -> bytes:
    message = ET.Element("Message")
    _header(message, census, now=now or timezone.now())
    children = ET.SubElement(message, "Children")
    for child in census.children:
        _child(children, child, year=census.collection_year)
    ET.indent(message)
    return ET.tostring(message, encoding="utf-8", xml_declaration=True)


def csv_rows(census: CensusReturn):
    year = census.collection_year
    for child in census.children:
        sex = sex_code(child) if year >= FIRST_YEAR_WITH_SEX else child.gender
        for episode in child.episodes:
            yield {
                "LAchildID": child.la_child_id,
                "UPNunknown": upn_unknown(child),
                "PersonBirthDate": _date(child.birth_date),
                "ExpectedPersonBirthDate": _date(child.expected_birth_date),
                "Sex": sex,
                "Ethnicity": child.ethnicity,
                "Disabilities": " ".join(disability_codes(child)),
                "CINreferralDate": _date(episode.referral_date),
                "ReferralSource": episode.source,
                "PrimaryNeedCode": episode.primary_need,
                "CINclosureDate": _date(episode.closure_date),
                "ReasonForClosure": episode.reason_for_closure,
                "ReferralNFA": "1" if episode.nfa else "0",
                "ReferralConcernFactors": " ".join(episode.factors),
            }


def to_csv(census: CensusReturn) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(census):
        writer.writerow([safe_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()
