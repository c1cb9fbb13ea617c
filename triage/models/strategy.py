"""Strategy discussions (and MASH information-sharing meetings): who was there, what was
shared and decided, the section 47 outcome, seeing the child, actions and minutes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from referrals.models import NARRATIVE_MAX


class DiscussionKind(models.TextChoices):
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    MASH_MEETING = "mash_meeting", "MASH information-sharing meeting"


class DiscussionFormat(models.TextChoices):
    MEETING = "meeting", "Meeting in person"
    CALL = "call", "Phone call"
    VIDEO = "video", "Video call"


class Section47Outcome(models.TextChoices):
    SINGLE_AGENCY = "single_agency", "Section 47 enquiry: children's social care alone"
    JOINT_POLICE = "joint_police", "Section 47 enquiry: jointly with the police"
    NO_ENQUIRY = "no_enquiry", "No section 47 enquiry"


class AttendeeRole(models.TextChoices):
    POLICE_OFFICER = "police_officer", "Police officer"
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Children's social care manager"
    COMMUNITY_PAEDIATRICIAN = "community_paediatrician", "Community paediatrician"
    GP = "gp", "GP"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    SCHOOL_NURSE = "school_nurse", "School nurse"
    MIDWIFE = "midwife", "Midwife"
    DESIGNATED_SAFEGUARDING_LEAD = "designated_safeguarding_lead", "Designated safeguarding lead"
    OTHER = "other", "Other professional"


class AdvocateOffered(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "not_applicable", "Not applicable (a younger child)"


class StrategyDiscussion(models.Model):
    """A strategy discussion or MASH meeting about the child of one referral."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="strategy_discussions"
    )
    kind = models.CharField(max_length=30, choices=DiscussionKind.choices)
    held_at = models.DateTimeField()
    format = models.CharField(max_length=10, choices=DiscussionFormat.choices)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Why the manager went on without police, social care or health ("" when all came).
    missing_members_reason = models.TextField(max_length=2000, blank=True)

    section47_outcome = models.CharField(
        max_length=20, choices=Section47Outcome.choices, blank=True
    )
    no_enquiry_reason = models.TextField(max_length=3000, blank=True)

    see_child_by = models.DateTimeField(null=True, blank=True)
    child_seen_at = models.DateTimeField(null=True, blank=True)
    child_seen_by = models.CharField(max_length=200, blank=True)
    joint_visit = models.BooleanField(null=True, blank=True)
    child_views = models.TextField(max_length=NARRATIVE_MAX, blank=True)
    advocate_offered = models.CharField(max_length=20, choices=AdvocateOffered.choices, blank=True)

    minutes_due_at = models.DateTimeField()
    minutes_circulated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the minutes went to the professionals."
    )
    minutes_to_family_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_at", "-pk"]
        indexes = [
            # The clock scan: minutes not yet circulated (to the professionals; to the
            # family), by when they are due.
            models.Index(fields=["minutes_circulated_at", "minutes_due_at"]),
            models.Index(fields=["minutes_to_family_at", "minutes_due_at"]),
            # The clock scan: children not yet seen, by when they must be.
            models.Index(fields=["child_seen_at", "see_child_by"]),
            # The lists, newest first in keyset pages (held_at, then id); and in the same
            # order those whose minutes are still to go out, and those whose child is
            # still to be seen (the lists' late filters: triage.lateness), which are few.
            models.Index(fields=["held_at", "id"], name="discussion_list_order_idx"),
            models.Index(
                fields=["held_at", "id"],
                condition=models.Q(minutes_circulated_at__isnull=True)
                | models.Q(
                    minutes_to_family_at__isnull=True, kind=DiscussionKind.STRATEGY_DISCUSSION
                ),
                name="discussion_minutes_out_idx",
            ),
            models.Index(
                fields=["held_at", "id"],
                condition=models.Q(child_seen_at__isnull=True, see_child_by__isnull=False),
                name="discussion_child_unseen_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="strategy_discussion_kind_is_known",
                condition=models.Q(kind__in=DiscussionKind.values),
            ),
            models.CheckConstraint(
                name="strategy_discussion_format_is_known",
                condition=models.Q(format__in=DiscussionFormat.values),
            ),
            models.CheckConstraint(
                name="strategy_discussion_s47_outcome_is_known",
                condition=models.Q(section47_outcome="")
                | models.Q(section47_outcome__in=Section47Outcome.values),
            ),
            # "No enquiry" always says why; the other outcomes carry no such reason.
            models.CheckConstraint(
                name="strategy_discussion_no_enquiry_has_reason",
                condition=(
                    models.Q(section47_outcome=Section47Outcome.NO_ENQUIRY)
                    & ~models.Q(no_enquiry_reason="")
                )
                | (
                    ~models.Q(section47_outcome=Section47Outcome.NO_ENQUIRY)
                    & models.Q(no_enquiry_reason="")
                ),
            ),
            models.CheckConstraint(
                name="strategy_discussion_child_seen_when_and_by_whom",
                condition=models.Q(child_seen_at__isnull=True, child_seen_by="")
                | (models.Q(child_seen_at__isnull=False) & ~models.Q(child_seen_by="")),
            ),
            models.CheckConstraint(
                name="strategy_discussion_advocate_offered_is_known",
                condition=models.Q(advocate_offered="")
                | models.Q(advocate_offered__in=AdvocateOffered.values),
            ),
            models.CheckConstraint(
                name="strategy_discussion_minutes_due_after_held",
                condition=models.Q(minutes_due_at__gt=models.F("held_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class Attendee(models.Model):
    """Someone invited to a discussion, by agency, role and name; ``attended`` says
    whether they came."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.CASCADE, related_name="attendees"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40, choices=AttendeeRole.choices)
    name = models.CharField(max_length=200)
    attended = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="attendee_role_is_known", condition=models.Q(role__in=AttendeeRole.values)
            ),
            models.CheckConstraint(name="attendee_has_name", condition=~models.Q(name="")),
        ]

    def __str__(self) -> str:
        return f"Attendee {self.pk}"


class AgencyContribution(models.Model):
    """What one agency shared at the discussion."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.CASCADE, related_name="contributions"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    information = models.TextField(max_length=NARRATIVE_MAX)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="agency_contribution_has_information", condition=~models.Q(information="")
            ),
        ]

    def __str__(self) -> str:
        return f"Contribution {self.pk}"


class DiscussionDecision(models.Model):
    """A decision of the discussion, never without its rationale."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.CASCADE, related_name="decisions"
    )
    decision = models.TextField(max_length=3000)
    rationale = models.TextField(max_length=6000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="discussion_decision_has_decision_and_rationale",
                condition=~models.Q(decision="") & ~models.Q(rationale=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Discussion decision {self.pk}"


class DiscussionAction(models.Model):
    """An agreed action: what, whose (by name and agency, and the Front Door user where
    the owner is one), by when, and when it was done."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.TextField(max_length=3000)
    owner = models.CharField(max_length=200)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discussion_actions",
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["done_at", "due_at"])]
        constraints = [
            models.CheckConstraint(
                name="discussion_action_has_description_and_owner",
                condition=~models.Q(description="") & ~models.Q(owner=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Action {self.pk}"

    def is_overdue(self, now) -> bool:
        return self.done_at is None and now >= self.due_at
