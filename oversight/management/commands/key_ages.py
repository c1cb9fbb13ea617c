"""How old each key in use is and when it is due for replacement, and how long each
certificate has left (oversight.key_ages). Settings and dates only, never a key."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oversight import key_ages


class Command(BaseCommand):
    help = (
        "Note the keys in use and list, by the setting that gives each, the day Front Door "
        "first saw it, its age and the day it is due for replacement "
        "(FRONTDOOR_KEY_CRYPTOPERIOD_DAYS after); and each certificate the connections name "
        "with its end date. With --check, exit 1 when a key is past its cryptoperiod or a "
        "certificate has expired, is unreadable or has fewer than "
        "FRONTDOOR_CERTIFICATE_WARN_DAYS left (for a monitor or cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="exit 1, naming each, when anything needs doing now",
        )

    def handle(self, *args, check: bool, **options):
        now = timezone.now()
        ages = key_ages.record(now)
        certs = key_ages.certificates(now)
        self.stdout.write(
            f"Keys (cryptoperiod {settings.KEY_CRYPTOPERIOD_DAYS} days, counted from the day "
            "Front Door first saw each):"
        )
        width = max((len(age.setting) for age in ages), default=10)
        for age in ages:
            mark = "*" if age.since_record_began else " "
            role = "in use" if age.current else "fallback"
            self.stdout.write(
                f"  {age.setting:<{width}}  {role:<8}  since {age.first_seen:%Y-%m-%d}{mark} "
                f"{age.age_days(now):>5} days  replace by {age.replace_by:%Y-%m-%d}  {age.state}"
            )
        if any(age.since_record_began for age in ages):
            self.stdout.write(
                "  * first seen the day this record began: the key may be older than it says."
            )
        if certs:
            self.stdout.write(
                f"Certificates (expiring when under {settings.CERTIFICATE_WARN_DAYS} days):"
            )
            width = max(len(cert.setting) for cert in certs)
            for cert in certs:
                ends = (
                    f"ends {cert.not_after:%Y-%m-%d %H:%M} UTC, {cert.days_left(now)} days left"
                    if cert.not_after
                    else "end date unknown"
                )
                self.stdout.write(f"  {cert.setting:<{width}}  {ends}  {cert.state}")
        else:
            self.stdout.write("Certificates: none named by the connections' URLs.")
        found = key_ages.problems(ages, certs, now)
        if check and found:
            raise CommandError("needs doing now:\n" + "\n".join(f"- {item}" for item in found))
