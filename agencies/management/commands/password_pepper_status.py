"""How many password hashes each pepper made (agencies.hashers), to know when a pepper in
FRONTDOOR_PASSWORD_PEPPER_FALLBACKS can be removed."""

from django.core.management.base import BaseCommand

from agencies.hashers import hashes_by_pepper


class Command(BaseCommand):
    help = (
        "Count the password hashes made under the current pepper, under each of "
        "FRONTDOOR_PASSWORD_PEPPER_FALLBACKS (in their order), under a pepper no longer "
        "configured, and before the pepper. A hash moves to the current pepper when its "
        "owner next signs in; a fallback whose count is 0 can be removed."
    )

    def handle(self, *args, **options):
        for name, count in hashes_by_pepper().items():
            self.stdout.write(f"{name}: {count}")
