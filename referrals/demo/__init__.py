"""Synthetic referrals for the demo: about 300 over the last 18 months, so that every page
has something realistic to show.

Everything here is invented. Names come from the small lists below; addresses are in an
invented "NS" postcode area; NHS numbers are in the 999 range kept for testing (with a
valid check digit); telephone numbers are in Ofcom's ranges kept for drama (01632 960xxx,
07700 900xxx). The data comes from a fixed random seed and is dated back from "now", so
it always covers the last 18 months, and the open queue always holds referrals that are
on time, due soon and overdue.

``plan_demo_referrals`` is pure Python (the tests check it is deterministic);
``seed_demo_referrals`` writes the plan through the models, recording history for every
row as the real services do, and does nothing if the demo referrals are already there.
"""

from referrals.demo.cast import EXTRA_REFERRERS, nhs_number
from referrals.demo.drafts import TARGET_REFERRALS
from referrals.demo.plan import DEMO_SEED, plan_demo_referrals
from referrals.demo.seed import DEMO_MARK, demo_referrals_exist, seed_demo_referrals

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
