from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from demo.data import EXTRA_REFERRERS, seed_demo_referrals
from demo.data.agencies import DEMO_PASSWORD, seed_agencies_and_users
from demo.data.discussions import seed_demo_discussions


class Command(BaseCommand):
    help = (
        "Load synthetic demo agencies, users and about 300 referrals over the last 18 months "
        "(never in production). Safe to run twice."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuses to run in production mode (DJANGO_DEBUG is off): "
                "demo users have a published password."
            )
        counts = seed_agencies_and_users()
        referrals = seed_demo_referrals()
        discussions = seed_demo_discussions()
        users = counts["users"] + len(EXTRA_REFERRERS)
        # As many as there are: the discussions add community paediatrics to the ten.
        agencies = Agency.objects.count()
        users_created = counts["users_created"] + referrals["referrers_created"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {agencies} agencies, {users} users "
                f"({users_created} new). Password for every demo user: {DEMO_PASSWORD}"
            )
        )
        if referrals["referrals_created"]:
            made = f"{referrals['referrals_created']} new"
        else:
            made = "already there, none added"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo referrals: {referrals['referrals']} ({made}); "
                f"{referrals['decided']} decided, {referrals['open']} open "
                f"of which {referrals['overdue']} overdue; {referrals['phone']} by phone; "
                f"{referrals['challenges_open']} challenges to decisions open; "
                f"{referrals['coaching_prompts']} coaching prompts recorded."
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo strategy discussions: {discussions['discussions']} "
                f"({discussions['discussions_created']} new)."
            )
        )
