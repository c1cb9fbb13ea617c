"""What the database itself refuses in the outbox, whatever code writes to it."""

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from audit.migration_constraints import AddCheckConstraintWithoutLock
from notices.models import NoticeEvent, NoticeKind, Notification
from tests.database import refused
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def an_email(**fields) -> Notification:
    event = NoticeEvent.objects.create(key="feedback:1", kind=NoticeKind.FEEDBACK, referral_id=1)
    return Notification.objects.create(
        event=event,
        kind=NoticeKind.FEEDBACK,
        recipient=UserFactory(),
        channel=Notification.Channel.EMAIL,
        subject="Decision made",
        body="A decision has been made.",
        **fields,
    )


def change(row, **fields):
    return lambda: type(row).objects.filter(pk=row.pk).update(**fields)


@pytest.mark.parametrize(
    ("field", "known", "unknown"),
    [
        ("status", "failed", "delivered"),
        ("status", "pending", ""),
        ("channel", "inbox", "sms"),
        ("kind", "overdue", "reminder"),
    ],
)
def test_a_notification_holds_only_the_values_the_delivery_code_knows(field, known, unknown):
    """A row with any other status, channel or kind would never be sent, swept or shown."""
    email = an_email()

    assert refused(change(email, **{field: unknown}))
    assert not refused(change(email, **{field: known}))


def test_a_notice_event_holds_only_a_known_kind():
    event = NoticeEvent.objects.create(key="overdue:1", kind=NoticeKind.OVERDUE, referral_id=1)

    assert refused(change(event, kind="reminder"))
    assert not refused(change(event, kind=NoticeKind.ESCALATION))


# --- Paired fields ----------------------------------------------------------------------


def test_a_notification_is_sent_when_and_only_when_it_has_the_time_sent():
    email = an_email()
    now = timezone.now()

    assert refused(change(email, status="sent"))
    assert refused(change(email, sent_at=now))
    assert not refused(change(email, status="sent", sent_at=now))


def test_a_notification_being_sent_is_claimed():
    email = an_email()

    assert refused(change(email, status="sending"))
    assert not refused(change(email, status="sending", claimed_at=timezone.now()))


def test_only_an_inbox_notice_is_marked_read():
    email = an_email()

    assert refused(change(email, read_at=timezone.now()))
    assert not refused(
        change(
            email, channel="inbox", status="sent", sent_at=email.created_at, read_at=timezone.now()
        )
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="NOT VALID is PostgreSQL's")
def test_a_kind_list_is_checked_again_without_holding_the_outbox_through_the_scan():
    """The notifications table grows with every referral: a new kind's constraint is added
    NOT VALID (a moment's lock) and the rows already there validated after, in a separate
    transaction (the migration is not atomic), under a lock that lets writes go on."""
    migration = import_module("notices.migrations.0007_account_warning_notices").Migration
    assert migration.atomic is False
    operation = next(
        op
        for op in migration.operations
        if isinstance(op, AddCheckConstraintWithoutLock) and op.model_name == "notification"
    )
    state = MigrationLoader(connection).project_state(("notices", "0007_account_warning_notices"))

    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        operation.database_forwards("notices", editor, state, state)

    add, validate = editor.collected_sql
    assert add.startswith(
        'ALTER TABLE "notices_notification" ADD CONSTRAINT "notification_kind_is_known" CHECK ('
    )
    assert "'two_step_code_reused'" in add
    assert add.endswith("NOT VALID;")
    assert (
        validate
        == 'ALTER TABLE "notices_notification" VALIDATE CONSTRAINT "notification_kind_is_known";'
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, convalidated FROM pg_constraint WHERE conname IN "
            "('notice_event_kind_is_known', 'notification_kind_is_known')"
        )
        assert dict(cursor.fetchall()) == {
            "notice_event_kind_is_known": True,
            "notification_kind_is_known": True,
        }
