"""The notification outbox and inbox, and the liveness of the background jobs."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """The last time a periodic job ran, one row per job, for /health/ and operators."""

    name = models.CharField(max_length=60, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M:%S}"


class NoticeKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Referral received"
    DUE_SOON = "due_soon", "Decision due soon"
    OVERDUE = "overdue", "Decision overdue"
    ESCALATION = "escalation", "Decision still overdue"
    FEEDBACK = "feedback", "Decision made"
    FEEDBACK_AMENDED = "feedback_amended", "Decision amended"
    INFORMATION_REQUEST = "information_request", "Information requested"
    INFORMATION_REQUEST_OVERDUE = "information_request_overdue", "Information request overdue"
    CHALLENGE_RAISED = "challenge_raised", "Challenge raised"
    CHALLENGE_ESCALATED = "challenge_escalated", "Challenge escalated"
    CHALLENGE_REPLY = "challenge_reply", "Challenge added to"
    CHALLENGE_STAGE_OVERDUE = "challenge_stage_overdue", "Challenge stage overdue"
    CHALLENGE_RESOLVED = "challenge_resolved", "Challenge resolved"
    MINUTES_OVERDUE = "minutes_overdue", "Discussion minutes overdue"
    ACTION_OVERDUE = "action_overdue", "Discussion action overdue"
    CHILD_SEEN_DUE_SOON = "child_seen_due_soon", "Child to be seen soon"
    CHILD_SEEN_MISSED = "child_seen_missed", "Child not seen in time"
    BREAK_GLASS = "break_glass", "Closed record opened with a reason"
    # The account's own sign-in details changed (agencies.changes), told to its owner.
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_CHANGED_BY_ADMIN = "password_changed_by_admin", "Password changed by an administrator"
    TWO_STEP_SET_UP = "two_step_set_up", "Two-step verification set up"
    TWO_STEP_RESET = "two_step_reset", "Two-step verification reset"
    API_TOKEN_ISSUED = "api_token_issued", "API token issued"
    TWO_STEP_CODE_REUSED = "two_step_code_reused", "Two-step code used again"
    NEW_BROWSER_SIGN_IN = "new_browser_sign_in", "Sign-in from a new browser"
    # Sent to the address the account had before (Notification.address), and to its new one.
    EMAIL_CHANGED = "email_changed", "Sign-in email address changed"
    EMAIL_NOW_USED = "email_now_used", "Email address now used for sign-in"
    SECURITY_KEY_ADDED = "security_key_added", "Security key added"
    SECURITY_KEY_REMOVED = "security_key_removed", "Security key removed"
    # To administrators: a sign-in locked after too many wrong passwords.
    SIGN_IN_LOCKED = "sign_in_locked", "Sign-in locked"
    # To administrators, and to auditors with their own link: someone's requests refused
    # for their rate (web pages, the API, the token endpoint).
    RATE_LIMITED = "rate_limited", "Requests refused for their rate"
    RATE_LIMITED_AUDIT = "rate_limited_audit", "Requests refused for their rate, to review"
    # To administrators, and to auditors with their own link: many accesses refused to one
    # account (403, or 404 for records outside its scope) in a short time.
    REFUSED_OFTEN = "refused_often", "Many accesses refused to one account"
    REFUSED_OFTEN_AUDIT = "refused_often_audit", "Many accesses refused to one account, to review"
    # To administrators, in the inbox alone: an email notice failed for good (its attempts
    # spent, its recipient deactivated or without an address, or unsent too long) and
    # nobody got it.
    EMAIL_FAILED = "email_failed", "Email could not be sent"


# About a person's own account rather than a referral (services.tell_account_owner).
ACCOUNT_KINDS = frozenset(
    {
        NoticeKind.PASSWORD_CHANGED,
        NoticeKind.PASSWORD_CHANGED_BY_ADMIN,
        NoticeKind.TWO_STEP_SET_UP,
        NoticeKind.TWO_STEP_RESET,
        NoticeKind.API_TOKEN_ISSUED,
        NoticeKind.TWO_STEP_CODE_REUSED,
        NoticeKind.NEW_BROWSER_SIGN_IN,
        NoticeKind.EMAIL_CHANGED,
        NoticeKind.EMAIL_NOW_USED,
        NoticeKind.SECURITY_KEY_ADDED,
        NoticeKind.SECURITY_KEY_REMOVED,
    }
)

# Sent by email alone, with no inbox notice: the new address of an account, told that it
# now gets the account's emails (the inbox has EMAIL_CHANGED's notice already).
EMAIL_ONLY_KINDS = frozenset({NoticeKind.EMAIL_NOW_USED})

# To the administrators (and the auditors) about sign-ins and requests refused, not about
# a referral (receivers.alert_administrators, receivers.alert_rate_refused,
# receivers.alert_refused_often).
ADMINISTRATOR_KINDS = frozenset(
    {
        NoticeKind.SIGN_IN_LOCKED,
        NoticeKind.RATE_LIMITED,
        NoticeKind.RATE_LIMITED_AUDIT,
        NoticeKind.REFUSED_OFTEN,
        NoticeKind.REFUSED_OFTEN_AUDIT,
        NoticeKind.EMAIL_FAILED,
    }
)

# Written to the inbox alone, never emailed, whoever the recipient: that an email failed
# is not emailed (the mail relay may be what failed, and an email about a failed email
# that failed in turn would raise another, without end). services.notice_rows holds it.
INBOX_ONLY_KINDS = frozenset({NoticeKind.EMAIL_FAILED})


class NoticeEvent(models.Model):
    """Something that must be told, raised once: its key (for example
    ``overdue:<referral id>``) is unique, so a scan or a task that runs twice raises it
    once. Written in the same transaction as the event that causes it."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=40, choices=NoticeKind.choices)
    # What the notice is about, by id and without a foreign key: the outbox sits below
    # the apps that raise notices, and a notice outlives nothing it points at.
    referral_id = models.BigIntegerField(null=True, blank=True)
    information_request_id = models.BigIntegerField(null=True, blank=True)
    challenge_id = models.BigIntegerField(null=True, blank=True)
    discussion_id = models.BigIntegerField(null=True, blank=True)
    discussion_action_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "referral_id"]),
            models.Index(fields=["kind", "information_request_id"]),
            models.Index(fields=["kind", "challenge_id"]),
            models.Index(fields=["kind", "discussion_id"]),
            models.Index(fields=["kind", "discussion_action_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="notice_event_kind_is_known", condition=models.Q(kind__in=NoticeKind.values)
            ),
        ]

    def __str__(self) -> str:
        return self.key


class NotificationChannel(models.TextChoices):
    INBOX = "inbox", "In-app inbox"
    EMAIL = "email", "Email"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """One notice to one person by one channel: the outbox row that a worker delivers.

    In-app notices are delivered when written (the inbox reads them); emails wait for a
    worker, which claims the row before sending so that two workers never both send it.
    """

    Channel = NotificationChannel
    Status = NotificationStatus

    event = models.ForeignKey(NoticeEvent, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=NoticeKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=2000)
    link = models.CharField(max_length=300, blank=True)
    # An email sent to an address other than the recipient's own: the one their account
    # had before it was changed (services.tell_account_owner). Blank for every other.
    address = models.EmailField(max_length=254, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When ``manage.py notices --retry`` last put it back to be sent: the time an email
    # may wait before it is given up (delivery.give_up_expired) runs from this, or, never
    # retried, from ``created_at``.
    retried_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "channel"], name="one_notice_per_event_person_channel"
            ),
            # Sent when, and only when, it has the time it was sent.
            models.CheckConstraint(
                name="notification_sent_has_time",
                condition=models.Q(status=NotificationStatus.SENT, sent_at__isnull=False)
                | (~models.Q(status=NotificationStatus.SENT) & models.Q(sent_at__isnull=True)),
            ),
            # Claimed when sending: the sweeper takes over a claim whose lease has run out.
            models.CheckConstraint(
                name="notification_sending_is_claimed",
                condition=~models.Q(status=NotificationStatus.SENDING)
                | models.Q(claimed_at__isnull=False),
            ),
            # Only the inbox is read in Front Door; an email is read elsewhere.
            models.CheckConstraint(
                name="notification_read_only_in_the_inbox",
                condition=models.Q(read_at__isnull=True)
                | models.Q(channel=NotificationChannel.INBOX),
            ),
            # The delivery code compares these with its own values: a row with any other
            # would never be sent, swept or shown.
            models.CheckConstraint(
                name="notification_status_is_known",
                condition=models.Q(status__in=NotificationStatus.values),
            ),
            models.CheckConstraint(
                name="notification_channel_is_known",
                condition=models.Q(channel__in=NotificationChannel.values),
            ),
            models.CheckConstraint(
                name="notification_kind_is_known", condition=models.Q(kind__in=NoticeKind.values)
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["recipient", "channel", "read_at"]),
            models.Index(fields=["recipient", "channel", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} by {self.channel}"
