"""The supervisory footprint on a decision: what the manager is warned about before
deciding, which outcomes are unusual for a threshold level, and the snapshot of what was
known when the decision was made.

One module holds the rules and their wording; the decision service enforces them (page
and API alike), the decision page shows them, and the decision keeps the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

from referrals.models import Outcome, Referral
from triage.models import InformationRequest, ScreeningNote
from triage.repeat_flags import RepeatFlags

# --- Warnings before deciding ----------------------------------------------------------


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


WARNING_MESSAGES = {
    "unallocated": "Nobody has been allocated this referral: it may not have been screened.",
    "not_linked": "The referral is not linked to a child record, so the child's earlier "
    "referrals and history have not been looked at.",
    "no_notes": "There are no screening notes: nothing records what screening found out.",
    "requests_outstanding": "Information requested from partner agencies has not all been "
    "answered yet.",
}


def decision_warnings(
    *, referral: Referral, notes: int, requests_outstanding: int
) -> list[Warning]:
    """What a manager is warned about before deciding, each with its code, in a fixed
    order. Any of them means the decision needs a reason to go on (``proceed_reason``)."""
    codes = []
    if referral.assigned_to_id is None:
        codes.append("unallocated")
    if referral.child_id is None:
        codes.append("not_linked")
    if notes == 0:
        codes.append("no_notes")
    if requests_outstanding:
        codes.append("requests_outstanding")
    return [Warning(code, WARNING_MESSAGES[code]) for code in codes]


# --- Outcomes unusual for a threshold level --------------------------------------------

# Which outcomes need a stated reason at which threshold level, by the level's number
# (the number a decision cites; levels are added or retired, never renumbered). The
# default levels are 1 universal, 2 early help, 3 child in need (s17), 4 child protection
# (s47). An outcome well below the level's need, or a statutory response well above it,
# must be explained. A level added locally with a number not listed here has no
# unusual outcomes until it is added to this table. "Already an open case" is never
# unusual: the child's social worker takes the information whatever the level.
UNUSUAL_OUTCOMES: dict[int, frozenset[str]] = {
    1: frozenset({Outcome.ASSESSMENT_S17, Outcome.STRATEGY_S47}),
    2: frozenset({Outcome.STRATEGY_S47}),
    3: frozenset({Outcome.NO_FURTHER_ACTION, Outcome.SIGNPOST}),
    4: frozenset({Outcome.NO_FURTHER_ACTION, Outcome.SIGNPOST, Outcome.EARLY_HELP}),
}


def outcome_is_unusual(*, outcome: str, level: int) -> bool:
    return outcome in UNUSUAL_OUTCOMES.get(level, frozenset())


def unusual_outcome_message(*, outcome: str, level_number: int, level_name: str) -> str:
    return (
        f"{Outcome(outcome).label} is unusual at level {level_number} ({level_name}): "
        "say why this outcome is right for this child"
    )


def unusual_combinations() -> list[tuple[int, list[str]]]:
    """The table, for the decision page's hint: each level and its unusual outcomes."""
    return [
        (level, [Outcome(o).label for o in Outcome.values if o in outcomes])
        for level, outcomes in sorted(UNUSUAL_OUTCOMES.items())
    ]


# --- What was known at the time --------------------------------------------------------


def screening_counts(referral_id: int) -> dict[str, int]:
    """The numbers the warnings and the snapshot read: notes, requests answered and not."""
    requests = InformationRequest.objects.filter(referral_id=referral_id)
    answered = requests.filter(answered_at__isnull=False).count()
    return {
        "notes": ScreeningNote.objects.filter(referral_id=referral_id).count(),
        "requests_answered": answered,
        "requests_outstanding": requests.count() - answered,
    }


def snapshot(
    *, referral: Referral, counts: dict[str, int], warnings: list[Warning], flags: RepeatFlags
) -> dict:
    """What was known when the decision was made, kept with the decision (codes and
    numbers only: no names or narrative)."""
    return {
        "warnings": [w.code for w in warnings],
        "notes": counts["notes"],
        "requests_answered": counts["requests_answered"],
        "requests_outstanding": counts["requests_outstanding"],
        "linked": referral.child_id is not None,
        "allocated": referral.assigned_to_id is not None,
        "earlier_referrals": flags.earlier_count,
        "concern_recurs": flags.concern_recurs,
        "chronic_neglect": flags.chronic_neglect,
        "repeat_pattern": flags.repeat_pattern,
    }


def describe_snapshot(known: dict) -> list[str]:
    """The snapshot in words, for the referral page, the decision page and the
    chronology. An empty snapshot (a decision recorded before snapshots were kept) says
    nothing rather than something untrue."""
    if not known:
        return []
    notes = known.get("notes", 0)
    answered = known.get("requests_answered", 0)
    outstanding = known.get("requests_outstanding", 0)
    lines = [
        f"{notes} screening note{'s' if notes != 1 else ''}",
        (
            f"Information requests: {answered} answered, {outstanding} outstanding"
            if answered or outstanding
            else "No information requests"
        ),
        "Linked to a child record" if known.get("linked") else "Not linked to a child record",
    ]
    earlier = known.get("earlier_referrals", 0)
    if earlier:
        flag = f"Repeat: {earlier} earlier referral{'s' if earlier != 1 else ''} in 12 months"
        if known.get("concern_recurs"):
            flag += ", concern recurs"
        lines.append(flag)
    if known.get("chronic_neglect"):
        lines.append("Flagged: possible chronic neglect")
    if known.get("repeat_pattern"):
        lines.append("Flagged: repeat-referral pattern")
    for code in known.get("warnings", []):
        lines.append(f"Warned: {WARNING_MESSAGES.get(code, code)}")
    return lines
