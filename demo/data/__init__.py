"""Synthetic referrals for the demo: about 300 over the last 18 months, so that every page
has something realistic to show.

Everything here is invented. Names come from small invented lists; addresses are in an
invented "NS" postcode area; NHS numbers are in the 999 range kept for testing (with a
valid check digit); telephone numbers are in Ofcom's ranges kept for drama (01632 960xxx,
07700 900xxx). The data comes from a fixed random seed and is dated back from "now", so
it always covers the last 18 months, and the open queue always holds referrals that are
on time, due soon and overdue.

- ``cast``: the agencies, their referrers, and the invented names and places;
- ``words``: what referrers write, by kind of concern; ``decision_words``: what screeners
  and managers write;
- ``stories``: the callers, the families referred again and again, and the open queue;
- ``drafts``: who is referred, by whom, when, and what is decided when;
- ``plan``: each draft written up (``plan_demo_referrals``: pure Python, deterministic);
- ``screening``: what screening left behind: notes, quality ratings, and information
  requests to partner agencies (health visiting's answered by ``partner.health``; a
  couple of others overdue), planned with their own random numbers;
- ``challenges``: professionals challenging a few decisions, at different escalation
  stages (one on time, one past its stage's timescale, one escalated, two resolved);
- ``coaching``: the coaching prompts the web-form referrals' referrers were shown, and
  what became of each (acted on, explained with their words, or ignored);
- ``seed``: ``seed_demo_referrals`` writes the plan through the models with history for
  every row, as the screening and decision services would, once.
"""

from demo.data.cast import EXTRA_REFERRERS, nhs_number
from demo.data.drafts import TARGET_REFERRALS
from demo.data.plan import DEMO_SEED, plan_demo_referrals
from demo.data.seed import DEMO_MARK, demo_referrals_exist, seed_demo_referrals

__all__ = [
    "DEMO_MARK",
    "DEMO_SEED",
    "EXTRA_REFERRERS",
    "TARGET_REFERRALS",
    "demo_referrals_exist",
    "nhs_number",
    "plan_demo_referrals",
    "seed_demo_referrals",
]
