"""Running the DfE CIN census rules, as the community validator (csc-validator-be-cin)
encodes them, on the XML the page would download; and telling apart the rules about items
the front door holds from those about items held elsewhere (assessments' dates, plans,
section 47 enquiries, child protection plans, UPNs...).

A rule concerns the front door's items when every field it names (its
``affected_fields``) is one the front door writes. Its errors must be fixed here; the
others are listed for the user with the rule's own message, for the case-management
system's return to answer.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

# The fields the census XML from Front Door carries (reporting.census_xml).
HELD_FIELDS = frozenset(
    {
        # Header
        "Collection",
        "Year",
        "ReferenceDate",
        "SourceLevel",
        "LEA",
        "SoftwareCode",
        "Release",
        "SerialNo",
        "DateTime",
        # Child
        "LAchildID",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "Sex",
        "GenderCurrent",
        "Ethnicity",
        "Disability",
        # CIN episode
        "CINdetailsID",
        "CINreferralDate",
        "ReferralSource",
        "CINclosureDate",
        "ReasonForClosure",
        "ReferralNFA",
    }
)
# Rules that name only fields the front door writes but are about an item it does not
# hold, with the item. The primary need is left out of HELD_FIELDS for the same reason:
# the front door derives it only where the referral makes it plain (reporting.census);
# the assessment records it.
ABOUT_ITEMS_HELD_ELSEWHERE = {
    "8770Q": "the UPN",  # a UPN, or the reason it is missing, for a school-age child
}


@dataclass(frozen=True)
class RuleResult:
    code: str
    message: str
    kind: str  # "Error" or "Query"
    fields: tuple[str, ...]
    held: bool  # about items the front door holds
    locations: int  # flagged places (0 for a rule about the whole return)
    children: int


@dataclass
class Validation:
    collection_year: int
    ruleset_year: int
    rules_run: int
    failed: list[RuleResult] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)  # rules that raised an error

    @property
    def held_failures(self) -> list[RuleResult]:
        return [r for r in self.failed if r.held]

    @property
    def elsewhere_failures(self) -> list[RuleResult]:
        return [r for r in self.failed if not r.held]

    @property
    def held_errors(self) -> list[RuleResult]:
        return [r for r in self.failed if r.held and r.kind == "Error"]

    @property
    def held_queries(self) -> list[RuleResult]:
        return [r for r in self.failed if r.held and r.kind != "Error"]

    @property
    def passes_held_rules(self) -> bool:
        """No error from a rule about the front door's items, and every rule ran.
        Queries ask for a check or a reason; they are listed, not counted as errors."""
        return not self.held_errors and not self.not_run


def _field_names(rule) -> tuple[str, ...]:
    names = []
    for item in rule.affected_fields or ():
        # Most are column names; a few rules name a whole table (an enum member).
        name = item if isinstance(item, str) else getattr(item, "name", str(item))
        if name not in names:
            names.append(name)
    return tuple(names)


def concerns_held_items(rule) -> bool:
    if str(rule.code) in ABOUT_ITEMS_HELD_ELSEWHERE:
        return False
    names = _field_names(rule)
    return bool(names) and set(names) <= HELD_FIELDS


def available_ruleset_year(collection_year: int) -> int:
    """The validator's rules for the year, or its latest when it has none yet."""
    year = collection_year
    while year > 2023:
        name = f"cin_validator.rules.cin{year - 1}_{str(year)[2:4]}"
        if importlib.util.find_spec(name) is not None:
            return year
        year -= 1
    return 2023


def validate(xml: bytes, *, collection_year: int) -> Validation:
    # Imported here: pandas and the rule packs take a second to load, and only this
    # page needs them.
    from cin_validator import cin_validator
    from cin_validator.rules.ruleset_utils import get_year_ruleset

    ruleset_year = available_ruleset_year(collection_year)
    registry = get_year_ruleset(str(ruleset_year))
    printed = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
        warnings.simplefilter("ignore")
        root = ET.fromstring(xml)  # noqa: S314 (our own XML, made a moment ago)
        tables = cin_validator.process_data(cin_validator.convert_data(root))
        run = cin_validator.CinValidator(tables, registry)

    # The validator prints, rather than raises, "Error with rule <code>: ..." when a rule
    # fails to run: such a rule has not checked anything, and is reported.
    not_run = sorted(
        {
            line.split()[3].rstrip(":")
            for line in printed.getvalue().splitlines()
            if line.startswith("Error with rule ")
        }
    )

    located = run.full_issue_df
    counts: dict[str, tuple[int, int]] = {}
    if len(located):
        for code, rows in located.groupby("rule_code"):
            counts[str(code)] = (len(rows), rows["child_id"].dropna().nunique())
    whole_return = set()
    if len(run.multichild_issues):
        whole_return = {str(code) for code in run.multichild_issues["rule_code"].dropna()}

    failed = []
    for code in sorted(set(counts) | whole_return, key=_code_order):
        rule = registry[code]
        locations, children = counts.get(code, (0, 0))
        failed.append(
            RuleResult(
                code=code,
                message=str(rule.message),
                kind=getattr(rule.rule_type, "value", str(rule.rule_type)),
                fields=_field_names(rule),
                held=concerns_held_items(rule),
                locations=locations,
                children=children,
            )
        )
    return Validation(
        collection_year=collection_year,
        ruleset_year=ruleset_year,
        rules_run=len(registry),
        failed=failed,
        not_run=not_run,
    )


def _code_order(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits or 0), code)
