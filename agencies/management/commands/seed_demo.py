from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies.demo import DEMO_PASSWORD, seed_agencies_and_users


class Command(BaseCommand):
    help = "Load synthetic demo agencies and users (never in production). Safe to run twice."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuses to run in production mode (DJANGO_DEBUG is off): "
                "demo users have a published password."
            )
        counts = seed_agencies_and_users()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts['agencies']} agencies, {counts['users']} users "
                f"({counts['users_created']} new). Password for every demo user: {DEMO_PASSWORD}"
            )
        )
