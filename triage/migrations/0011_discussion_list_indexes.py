"""Indexes for the strategy discussion lists (issue 14): the discussions newest first
(held_at, then id: the keyset pages' order), in the same order those whose minutes are
still to go out and those whose child is still to be seen (partial: the late filters),
and the decisions by when they were made with their referral (the referrals decided
since the closed line, read from the index alone, for the closed-record filter of a
screener's or a manager's list).

On PostgreSQL each is built with CREATE INDEX CONCURRENTLY (so the migration is not
atomic): writes go on while it builds. IF NOT EXISTS: an index built by hand beforehand
is kept. (A build that fails half way leaves an invalid index of that name: DROP it and
migrate again.) SQLite builds them as usual (audit.migration_indexes).
"""

from django.db import migrations, models

from audit.migration_indexes import add_indexes_concurrently

INDEXES = [
    (
        "StrategyDiscussion",
        models.Index(fields=["held_at", "id"], name="discussion_list_order_idx"),
    ),
    (
        "StrategyDiscussion",
        models.Index(
            fields=["held_at", "id"],
            condition=models.Q(minutes_circulated_at__isnull=True)
            | models.Q(minutes_to_family_at__isnull=True, kind="strategy_discussion"),
            name="discussion_minutes_out_idx",
        ),
    ),
    (
        "StrategyDiscussion",
        models.Index(
            fields=["held_at", "id"],
            condition=models.Q(child_seen_at__isnull=True, see_child_by__isnull=False),
            name="discussion_child_unseen_idx",
        ),
    ),
    (
        "Decision",
        models.Index(fields=["decided_at", "referral"], name="decision_decided_referral_idx"),
    ),
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("triage", "0010_feedback_is_composed")]

    operations = [
        *add_indexes_concurrently(
            "triage.StrategyDiscussion",
            [index for model, index in INDEXES if model == "StrategyDiscussion"],
        ),
        *add_indexes_concurrently(
            "triage.Decision", [index for model, index in INDEXES if model == "Decision"]
        ),
    ]
