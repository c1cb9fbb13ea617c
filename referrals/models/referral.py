from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.census import SOURCE_OF_REFERRAL
from audit.history import ReusedClassHistoryManager
from referrals.census import (
    CallerType,
    ConcernCategory,
    Disability,
    Ethnicity,
    Gender,
    Religion,
)
from referrals.models.children import Child
from referrals.models.choices import (
    HOUSE_MAX,
    NARRATIVE_MAX,
    SHORT_TEXT_MAX,
    Channel,
    Outcome,
    ParentalConsent,
    PatternAnswer,
    Status,
)
from referrals.validation import validate_nhs_number, validate_postcode


class ReferenceSequence(models.Model):
    """The last reference number issued in a year from this row. References are never
    reused. On SQLite it is the counter; on PostgreSQL each year has a sequence instead
    (referrals/references.py) and a row counts only for a year without one, and as the
    floor a new sequence starts after."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Submission(models.Model):
    """One sending of the form or API: siblings referred together share a submission."""

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Submission {self.pk}"


# The columns of a referral's versions that are not indexed (see Referral.history).
HISTORY_NOT_INDEXED = [
    "reference",
    "submission",
    "referrer",
    "agency",
    "recorded_by",
    "child",
    "assigned_to",
    "recommended_by",
]


class Referral(models.Model):
    """One child, one clock, one decision."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    # Who referred. A professional's referral has a referrer and agency; a call from a
    # member of the public recorded by a screener has neither, only the caller's details.
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    source_of_referral = models.CharField(
        max_length=3, help_text="DfE CIN census source-of-referral code"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_recorded",
        help_text="The screener or manager who took a call",
    )
    caller_type = models.CharField(max_length=20, choices=CallerType.choices, blank=True)
    referrer_name = models.CharField(max_length=SHORT_TEXT_MAX, blank=True)
    referrer_role = models.CharField(max_length=SHORT_TEXT_MAX, blank=True)
    referrer_organisation = models.CharField(max_length=SHORT_TEXT_MAX, blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    referrer_email = models.EmailField(blank=True)

    # The clock.
    received_at = models.DateTimeField()
    decision_due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    # The child as the referrer gave them.
    child_first_name = models.CharField(max_length=100)
    child_last_name = models.CharField(max_length=100)
    child_other_names = models.CharField(max_length=SHORT_TEXT_MAX, blank=True)
    child_date_of_birth = models.DateField(null=True, blank=True)
    child_expected_date_of_birth = models.DateField(null=True, blank=True)
    child_gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.NOT_KNOWN)
    child_ethnicity = models.CharField(
        max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT
    )
    # The form asks these with no answer chosen; "not known" and "declined" are answers
    # the referrer gives. Blank first language and a null interpreter need: not given.
    child_first_language = models.CharField(max_length=60, blank=True)
    child_interpreter_needed = models.BooleanField(null=True, blank=True, default=None)
    child_religion = models.CharField(
        max_length=12, choices=Religion.choices, default=Religion.NOT_KNOWN
    )
    child_disabilities = models.JSONField(default=list, blank=True)
    child_address = models.TextField(max_length=400, blank=True)
    child_postcode = models.CharField(max_length=10, blank=True, validators=[validate_postcode])
    child_school = models.CharField(max_length=SHORT_TEXT_MAX, blank=True)
    child_nhs_number = models.CharField(max_length=10, blank=True, validators=[validate_nhs_number])

    # Screening.
    # No index of its own: referral_child_received_idx leads with it (referrals 0011).
    child = models.ForeignKey(
        Child,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        db_index=False,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_assigned",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    recommended_outcome = models.CharField(max_length=20, blank=True)
    recommendation = models.TextField(max_length=NARRATIVE_MAX, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_recommended",
    )
    recommended_at = models.DateTimeField(null=True, blank=True)

    # What the referrer is worried about, centred on the child.
    worry = models.TextField(max_length=NARRATIVE_MAX)
    lived_experience = models.TextField(max_length=NARRATIVE_MAX)
    # What the child said: free text, the three houses in the child's own words, or
    # both; at least one of them (referrals.services checks).
    child_voice = models.TextField(max_length=NARRATIVE_MAX, blank=True)
    voice_worries = models.TextField(max_length=HOUSE_MAX, blank=True)
    voice_good_things = models.TextField(max_length=HOUSE_MAX, blank=True)
    voice_dreams = models.TextField(max_length=HOUSE_MAX, blank=True)
    new_or_pattern = models.CharField(
        max_length=12, choices=PatternAnswer.choices, default=PatternAnswer.NOT_ASKED
    )
    history_and_pattern = models.TextField(max_length=NARRATIVE_MAX, blank=True)
    working_well = models.TextField(max_length=NARRATIVE_MAX, blank=True)
    what_should_happen = models.TextField(max_length=NARRATIVE_MAX, blank=True)
    parental_consent = models.CharField(max_length=24, choices=ParentalConsent.choices)
    consent_not_sought_reason = models.TextField(max_length=2000, blank=True)
    immediate_risk = models.BooleanField(default=False)
    other_professionals = models.TextField(max_length=3000, blank=True)
    # The concern categories as bits (census.CONCERN_BITS), set with the concerns when the
    # referral is made (they never change after): the queue's concern filter reads it from
    # the open referrals' index instead of probing the concerns table for each open
    # referral. Null where not known: referrals decided before it existed (referrals 0010
    # filled in the open ones) or made by code that does not set it; the filter reads
    # the concerns of those (triage.selectors.HasConcern).
    concern_mask = models.IntegerField(null=True, blank=True, editable=False)

    # The versions are read by the referral's id (the history pages, erasure) and by
    # their own: simple-history's copies of the foreign keys and the reference are not
    # indexed, as nothing reads versions by them and every version written paid for nine
    # index entries (referrals 0013; docs/PERFORMANCE.md, "The referral POST, a third
    # cut"). ``history_user`` keeps its index: deleting a user sets it to null.
    history = HistoricalRecords(
        history_manager=ReusedClassHistoryManager, no_db_index=HISTORY_NOT_INDEXED
    )

    class Meta:
        ordering = ["-immediate_risk", "decision_due_at"]
        indexes = [
            models.Index(fields=["status", "immediate_risk", "decision_due_at"]),
            # The clock scans every minute: open referrals by due time, never the history.
            models.Index(
                fields=["decision_due_at"],
                condition=~models.Q(status="decided"),
                name="referral_open_due_idx",
            ),
            # The queue's order over open referrals only (triage.selectors.QUEUE_ORDER),
            # with each one's concern bits: a page, its count and the concern filter are
            # read from the index, however long the history (referrals 0010; it replaced
            # referral_queue_order_idx, the same without the bits).
            models.Index(
                fields=["-immediate_risk", "decision_due_at", "id", "concern_mask"],
                condition=~models.Q(status="decided"),
                name="referral_queue_idx",
            ),
            # The queue's filters by who it is allocated to ("Allocated to me",
            # "Allocated to"), in the queue's order, over open referrals only.
            # ("Unallocated" may read it or the queue's own index.)
            models.Index(
                fields=["assigned_to", "-immediate_risk", "decision_due_at", "id"],
                condition=~models.Q(status="decided"),
                name="referral_open_assigned_idx",
            ),
            models.Index(fields=["referrer", "received_at"]),
            models.Index(fields=["agency", "received_at"]),
            # My referrals filtered to undecided ones (overdue, due soon, on time): found
            # without reading the decided history, including to know there is no more.
            models.Index(
                fields=["referrer", "received_at"],
                condition=~models.Q(status="decided"),
                name="referral_open_referrer_idx",
            ),
            models.Index(
                fields=["agency", "received_at"],
                condition=~models.Q(status="decided"),
                name="referral_open_agency_idx",
            ),
            # Closed records (break_glass.closed_referrals): the children with something
            # open, read from the index alone.
            models.Index(
                fields=["child"],
                condition=~models.Q(status="decided"),
                name="referral_open_child_idx",
            ),
            models.Index(fields=["received_at"]),
            # A child's referrals (the chronology, matching, closed records), and with
            # their ids: the strategy list's set of every referral of a child with one
            # open is read from the index alone (triage.selectors.open_discussions).
            models.Index(
                fields=["child", "received_at"],
                include=["id"],
                name="referral_child_received_idx",
            ),
            models.Index(fields=["assigned_to", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="referral_due_after_received",
                condition=models.Q(decision_due_at__gt=models.F("received_at")),
            ),
            models.CheckConstraint(
                name="referral_child_has_birth_date_or_expected_date_not_both",
                condition=~models.Q(
                    child_date_of_birth__isnull=False, child_expected_date_of_birth__isnull=False
                ),
            ),
            models.CheckConstraint(
                name="referral_assigned_with_time",
                condition=models.Q(assigned_to__isnull=True, assigned_at__isnull=True)
                | models.Q(assigned_to__isnull=False, assigned_at__isnull=False),
            ),
            models.CheckConstraint(
                name="referral_status_is_known",
                condition=models.Q(status__in=[s.value for s in Status]),
            ),
            # A recommendation is an outcome, the screener's reasons, who and when: all
            # of them or none.
            models.CheckConstraint(
                name="referral_recommended_with_outcome_reasons_who_and_when",
                condition=models.Q(
                    recommended_outcome="",
                    recommendation="",
                    recommended_by__isnull=True,
                    recommended_at__isnull=True,
                )
                | (
                    models.Q(
                        recommended_outcome__in=Outcome.values,
                        recommended_by__isnull=False,
                        recommended_at__isnull=False,
                    )
                    & ~models.Q(recommendation="")
                ),
            ),
            # Where the referral stands matches what screening has done: received is not
            # yet allocated (the queue flags those left so); screening is allocated with
            # no recommendation yet; awaiting decision is allocated and recommended on.
            # A manager may decide at any point.
            models.CheckConstraint(
                name="referral_status_fits_allocation_and_recommendation",
                condition=models.Q(
                    status=Status.RECEIVED, assigned_to__isnull=True, recommended_at__isnull=True
                )
                | models.Q(
                    status=Status.SCREENING,
                    assigned_to__isnull=False,
                    recommended_at__isnull=True,
                )
                | models.Q(
                    status=Status.AWAITING_DECISION,
                    assigned_to__isnull=False,
                    recommended_at__isnull=False,
                )
                | models.Q(status=Status.DECIDED),
            ),
            # Made by a referrer for their agency, or recorded by a screener or manager for
            # a caller of a known kind: never both, never neither.
            models.CheckConstraint(
                name="referral_from_a_referrer_or_recorded_for_a_caller",
                condition=models.Q(
                    referrer__isnull=False,
                    agency__isnull=False,
                    recorded_by__isnull=True,
                    caller_type="",
                )
                | (
                    models.Q(referrer__isnull=True, recorded_by__isnull=False)
                    & ~models.Q(caller_type="")
                ),
            ),
            models.CheckConstraint(
                name="referral_consent_not_sought_has_reason",
                condition=~models.Q(parental_consent=ParentalConsent.NOT_SOUGHT)
                | ~models.Q(consent_not_sought_reason=""),
            ),
            models.CheckConstraint(
                name="referral_channel_is_known", condition=models.Q(channel__in=Channel.values)
            ),
            models.CheckConstraint(
                name="referral_caller_type_is_known",
                condition=models.Q(caller_type__in=["", *CallerType.values]),
            ),
            models.CheckConstraint(
                name="referral_parental_consent_is_known",
                condition=models.Q(parental_consent__in=ParentalConsent.values),
            ),
            models.CheckConstraint(
                name="referral_child_gender_is_known",
                condition=models.Q(child_gender__in=Gender.values),
            ),
            models.CheckConstraint(
                name="referral_child_ethnicity_is_known",
                condition=models.Q(child_ethnicity__in=Ethnicity.values),
            ),
            models.CheckConstraint(
                name="referral_child_religion_is_known",
                condition=models.Q(child_religion__in=Religion.values),
            ),
            models.CheckConstraint(
                name="referral_new_or_pattern_is_known",
                condition=models.Q(new_or_pattern__in=PatternAnswer.values),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    # The child's details as the referrer gave them, by Child field: what a new child
    # record is made from when no existing record fits.
    CHILD_DETAILS = (
        "first_name",
        "last_name",
        "other_names",
        "date_of_birth",
        "expected_date_of_birth",
        "gender",
        "ethnicity",
        "first_language",
        "interpreter_needed",
        "religion",
        "disabilities",
        "address",
        "postcode",
        "school",
        "nhs_number",
    )

    def child_details(self) -> dict:
        return {name: getattr(self, f"child_{name}") for name in self.CHILD_DETAILS}

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}".strip()

    @property
    def concern_categories(self) -> list[str]:
        """In the order they were recorded (as referrals.selectors.concerns_by_referral
        reads them for a list), whatever order the database returns them in."""
        return [c.category for c in sorted(self.concerns.all(), key=lambda c: c.pk)]

    @property
    def voice_houses(self) -> tuple[str, str, str]:
        return (self.voice_worries, self.voice_good_things, self.voice_dreams)

    @property
    def child_disability_labels(self) -> list[str]:
        labels = dict(Disability.choices)
        return [str(labels.get(code, code)) for code in self.child_disabilities or []]

    @property
    def source_of_referral_label(self) -> str:
        """The census source in words ("Schools" for 2A), as people say it."""
        return SOURCE_OF_REFERRAL.get(self.source_of_referral, self.source_of_referral)

    @property
    def has_voice_houses(self) -> bool:
        return any(house.strip() for house in self.voice_houses)


class ReferralConcern(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="concerns")
    category = models.CharField(max_length=40, choices=ConcernCategory.choices)

    history = HistoricalRecords(history_manager=ReusedClassHistoryManager)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "category"], name="one_concern_per_category"
            ),
            models.CheckConstraint(
                name="concern_category_is_known",
                condition=models.Q(category__in=ConcernCategory.values),
            ),
        ]
        indexes = [models.Index(fields=["category", "referral"])]

    def __str__(self) -> str:
        return self.get_category_display()


class HouseholdMember(models.Model):
    """Someone in the child's household, as the referrer described them."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="household")
    name = models.CharField(max_length=SHORT_TEXT_MAX)
    relationship = models.CharField(max_length=100, help_text="To the child, e.g. mother")
    date_of_birth = models.DateField(null=True, blank=True)
    lives_with_child = models.BooleanField(default=True)
    known_risk = models.TextField(
        max_length=2000,
        blank=True,
        help_text="Any known risk, for example an adult subject to a court order",
    )

    history = HistoricalRecords(history_manager=ReusedClassHistoryManager)

    def __str__(self) -> str:
        return f"{self.relationship}"
