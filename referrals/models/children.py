from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audit.history import ReusedClassHistoryManager
from referrals.census import Ethnicity, Gender, Religion
from referrals.models.choices import SHORT_TEXT_MAX
from referrals.validation import validate_nhs_number, validate_postcode


class Child(models.Model):
    """A person known to the front door. Referrals describe a child as given; once a
    screener matches it, the referral is linked to one Child, whose chronology gathers
    everything known about them."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=SHORT_TEXT_MAX, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.NOT_KNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    first_language = models.CharField(max_length=60, blank=True)
    # None: not known.
    interpreter_needed = models.BooleanField(null=True, blank=True, default=None)
    religion = models.CharField(max_length=12, choices=Religion.choices, default=Religion.NOT_KNOWN)
    disabilities = models.JSONField(default=list, blank=True)
    address = models.TextField(max_length=400, blank=True)
    postcode = models.CharField(max_length=10, blank=True, validators=[validate_postcode])
    school = models.CharField(max_length=SHORT_TEXT_MAX, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True, validators=[validate_nhs_number])
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children_created",
    )

    history = HistoricalRecords(history_manager=ReusedClassHistoryManager)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            # Covering (on PostgreSQL): child matching ranks the children born on about
            # 30 nearby dates by name, and reads the candidates born on the date given,
            # from this index alone (docs/matching.md): every column it reads.
            models.Index(
                fields=["date_of_birth"],
                include=["last_name", "first_name", "id", "other_names", "postcode", "nhs_number"],
                name="referrals_child_dob_rows",
            ),
            models.Index(fields=["postcode"]),
            models.Index(fields=["last_name", "first_name"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="one_child_per_nhs_number",
            ),
            # The census return counts these codes: no other value may be stored.
            models.CheckConstraint(
                name="child_has_birth_date_or_expected_date_not_both",
                condition=~models.Q(
                    date_of_birth__isnull=False, expected_date_of_birth__isnull=False
                ),
            ),
            models.CheckConstraint(
                name="child_gender_is_known", condition=models.Q(gender__in=Gender.values)
            ),
            models.CheckConstraint(
                name="child_ethnicity_is_known", condition=models.Q(ethnicity__in=Ethnicity.values)
            ),
            models.CheckConstraint(
                name="child_religion_is_known", condition=models.Q(religion__in=Religion.values)
            ),
        ]

    def __str__(self) -> str:
        return f"Child {self.pk}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
