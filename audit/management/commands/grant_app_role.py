"""Give the application's database role what it needs and no more (audit.db_roles)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from audit.db_roles import RoleRefused, grant


class Command(BaseCommand):
    help = (
        "PostgreSQL: let ROLE (the role the web server, worker and beat connect as) read and "
        "write the ordinary tables but only read and append to the audit events, the access "
        "log and every history table; it owns nothing and cannot create tables. Run it as "
        "the tables' owner after every migrate. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the application's database role, which must exist")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database to grant in")

    def handle(self, *args, role: str, database: str, verbosity: int, **options):
        try:
            granted = grant(connection=connections[database], role=role)
        except RoleRefused as exc:
            raise CommandError(str(exc)) from None
        if verbosity < 1:
            return
        history = len(granted.append_only) - 2
        self.stdout.write(
            self.style.SUCCESS(
                f'Granted "{granted.role}" in schema {granted.schema}: read and write on '
                f"{len(granted.read_write)} tables; read and append only on "
                f"{len(granted.append_only)} (the audit events, the access log and "
                f"{history} history tables); read only on "
                f"{', '.join(granted.read_only) or 'none'}; {granted.sequences} sequences; "
                "no ownership, no CREATE. Run this again after every migrate."
            )
        )
