"""A partial index on the open referrals by who they are allocated to, in the queue's
order (issue 14): the queue's "Allocated to me" and "Allocated to" filters read their
page and count from it ("Unallocated" may read it or the queue's own index). Before, they
read every referral a screener had ever been allocated (about 125,000 at 5,000,000 referrals) through the
(assigned_to, status) index to find the few still open. Built CONCURRENTLY
(audit.migration_indexes)."""

from django.db import migrations, models

from audit.migration_indexes import add_indexes_concurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("referrals", "0007_referral_list_indexes")]

    operations = add_indexes_concurrently(
        "referrals.Referral",
        [
            models.Index(
                fields=["assigned_to", "-immediate_risk", "decision_due_at", "id"],
                condition=~models.Q(status="decided"),
                name="referral_open_assigned_idx",
            )
        ],
    )
