from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Heartbeat(models.Model):
    """The last time a periodic job ran, one row per job, for /health/ and operators."""

    name = models.CharField(max_length=60, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M:%S}"


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    SIGNPOST = "signpost", "Signpost to universal services"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT_S17 = "s17", "Child and family assessment (section 17)"
    STRATEGY_S47 = "s47", "Strategy discussion (section 47)"
    OPEN_CASE = "open_case", "Already an open case"


class Decision(models.Model):
    """A manager's decision on a referral. Immutable: a correction is an amendment.

    The triage issue builds the screens and the service that records it; the model is
    here so that referrals, the API and demo data can speak of decisions already.
    """

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    threshold_level = models.PositiveSmallIntegerField()
    rationale = models.TextField(max_length=6000)
    lived_experience_impact = models.TextField(max_length=6000, blank=True)
    onward_referrals = models.TextField(max_length=3000, blank=True)
    late_reason = models.TextField(max_length=3000, blank=True)
    feedback = models.TextField(
        max_length=6000, blank=True, help_text="What the referrer is told, in plain words"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decided_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["decided_at"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for {self.referral}"

    @property
    def current(self):
        """The decision as it stands: the latest amendment, or the original."""
        amendments = list(self.amendments.all())  # uses a prefetch where there is one
        return max(amendments, key=lambda a: a.amended_at) if amendments else self


class DecisionAmendment(models.Model):
    """A correction to a decision, with the reason: shown beside the original, which is
    never changed."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="amendments")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    threshold_level = models.PositiveSmallIntegerField()
    rationale = models.TextField(max_length=6000)
    reason = models.TextField(max_length=3000)
    feedback = models.TextField(max_length=6000, blank=True)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    amended_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["amended_at"]

    def __str__(self) -> str:
        return f"Amendment {self.pk} to {self.decision_id}"


class ThresholdLevel(models.Model):
    """The local threshold document's levels of need, shown beside the decision."""

    level = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100)
    descriptor = models.TextField(max_length=2000)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["level"]

    def __str__(self) -> str:
        return f"Level {self.level}: {self.name}"


class SupportService(models.Model):
    """Other sources of support, offered in feedback when the threshold is not met."""

    name = models.CharField(max_length=200)
    description = models.TextField(max_length=1000)
    contact = models.CharField(max_length=300)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NoticeKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Referral received"
    DUE_SOON = "due_soon", "Decision due soon"
    OVERDUE = "overdue", "Decision overdue"
    ESCALATION = "escalation", "Decision still overdue"
    FEEDBACK = "feedback", "Decision made"
    INFORMATION_REQUEST = "information_request", "Information requested"
    INFORMATION_REQUEST_OVERDUE = "information_request_overdue", "Information request overdue"


class NoticeEvent(models.Model):
    """Something that must be told, raised once: its key (for example
    ``overdue:<referral id>``) is unique, so a scan or a task that runs twice raises it
    once. Written in the same transaction as the event that causes it."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=40, choices=NoticeKind.choices)
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notice_events",
    )
    information_request = models.ForeignKey(
        "referrals.InformationRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notice_events",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "referral"]),
            models.Index(fields=["kind", "information_request"]),
        ]

    def __str__(self) -> str:
        return self.key


class Notification(models.Model):
    """One notice to one person by one channel: the outbox row that a worker delivers.

    In-app notices are delivered when written (the inbox reads them); emails wait for a
    worker, which claims the row before sending so that two workers never both send it.
    """

    class Channel(models.TextChoices):
        INBOX = "inbox", "In-app inbox"
        EMAIL = "email", "Email"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

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
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "channel"], name="one_notice_per_event_person_channel"
            ),
            models.CheckConstraint(
                name="notification_sent_has_time",
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["recipient", "channel", "read_at"]),
            models.Index(fields=["recipient", "channel", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} by {self.channel}"
