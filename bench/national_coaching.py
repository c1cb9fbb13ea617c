# ruff: noqa: S608 - our own SQL over synthetic rows (no input reaches it)
"""The coaching prompts of bench/national.py's front door: what the referrers of its
web-form referrals were shown while writing, so that the coaching figure
(reporting.performance_coaching) is measured with the rest.

Of the web-form referrals (those with an agency), 55 in 100 shown a prompt on the
worry (police: an incident with no history; others: no example of the child), and 20 in
100 a second one on the child's voice; each acted on 45 times in 100, explained 20,
ignored 35, shown 15 minutes before the referral was received.
"""

from __future__ import annotations

SHARE_PROMPTED = 55  # in 100 web-form referrals
SHARE_TWO = 20  # in 100 web-form referrals, a second prompt
OUTCOME = (
    "CASE WHEN ({n}) % 100 < 45 THEN 'acted_on' WHEN ({n}) % 100 < 65 THEN 'explained' "
    "ELSE 'ignored' END"
)


def insert_coaching_prompts(cursor, insert) -> int:
    """Insert the prompts with ``insert`` (national_sql.insert) after the referrals and
    agencies are in; returns how many."""
    from agencies.models import Agency
    from referrals.models import CoachingPrompt, Referral

    referrals, agencies = Referral._meta.db_table, Agency._meta.db_table
    prompted = f"""
        SELECT r.id AS i, r.received_at AS received, a.type AS agency_type
          FROM {referrals} AS r JOIN {agencies} AS a ON a.id = r.agency_id
         WHERE r.channel = 'web' AND (r.id * 31) % 100 < {{share}}
    """
    outcome = OUTCOME.format(n="i * 53 + n")
    return insert(
        cursor,
        CoachingPrompt,
        {
            "referral_id": "i",
            "field": "field",
            "rule": "rule",
            "agency_type": "agency_type",
            "shown_at": "received - interval '15 minutes'",
            "outcome": outcome,
            "explanation": f"CASE WHEN {outcome} = 'explained' THEN 'Synthetic.' ELSE '' END",
        },
        f"""
        SELECT i, received, agency_type, 0 AS n, 'worry' AS field,
               CASE WHEN agency_type = 'police' THEN 'incident_only'
                    ELSE 'no_child_example' END AS rule
          FROM ({prompted.format(share=SHARE_PROMPTED)}) AS p
        UNION ALL
        SELECT i, received, agency_type, 29, 'child_voice', 'no_child_example'
          FROM ({prompted.format(share=SHARE_TWO)}) AS p
        """,
    )
