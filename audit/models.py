from django.db import models
from django.utils import timezone


class AccessLog(models.Model):
    """Every view of a child's or a referral's record: who, what, when, from where.

    It names the viewer and the record by id and text, with no foreign keys, so that it
    outlives the rows it speaks of and can never be changed through them.
    """

    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral"
        CHILD = "child", "Child"
        CHILD_SEARCH = "child_search", "Child search"
        CHALLENGE = "challenge", "Challenge"
        STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
        CENSUS_EXPORT = "census_export", "CIN census download"
        # One row per list page shown, with the ids of what it showed in ``detail``.
        REFERRAL_LIST = "referral_list", "List of referrals"
        CHALLENGE_LIST = "challenge_list", "List of challenges"
        DISCUSSION_LIST = "discussion_list", "List of strategy discussions"
        REQUEST_LIST = "request_list", "List of information requests"
        CHILD_EXPORT = "child_export", "Everything held about a child"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user_id = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.BigIntegerField(null=True)
    path = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True)
    break_glass_reason = models.TextField(max_length=2000, blank=True)
    # Codes and counts about what was read, never names (a census download: its year, how
    # many children and referrals, and the format).
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["kind", "object_id", "at"]),
            # One account's rows newest first, as the access log's page shows them (audit
            # 0010): the account-number filter, which the rate alerts link to.
            models.Index(fields=["user_id", "at", "id"], name="accesslog_user_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} viewed {self.kind} {self.object_id}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", "Referral submitted"
    ASSIGNED = "assigned", "Referral allocated"
    NOTE_ADDED = "note_added", "Screening note added"
    QUALITY_RATED = "quality_rated", "Referral quality rated"
    CHILD_LINKED = "child_linked", "Linked to a child's record"
    CHILD_CREATED = "child_created", "Child record created"
    CHILD_UNLINKED = "child_unlinked", "Link to a child's record removed"
    RECOMMENDED = "recommended", "Outcome recommended"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    INFORMATION_ANSWERED = "information_answered", "Information request answered"
    DECIDED = "decided", "Decision recorded"
    AMENDED = "amended", "Decision amended"
    NOTICE_SENT = "notice_sent", "Notice emailed"
    CHALLENGE_RAISED = "challenge_raised", "Challenge raised"
    CHALLENGE_RESPONDED = "challenge_responded", "Challenge responded to"
    CHALLENGE_ESCALATED = "challenge_escalated", "Challenge escalated"
    CHALLENGE_RESOLVED = "challenge_resolved", "Challenge resolved"
    DISCUSSION_HELD = "discussion_held", "Strategy discussion recorded"
    DISCUSSION_ATTENDEES_CHANGED = "discussion_attendees_changed", "Discussion attendees changed"
    DISCUSSION_DECISION_ADDED = "discussion_decision_added", "Discussion decision recorded"
    DISCUSSION_OUTCOME_RECORDED = "discussion_outcome_recorded", "Section 47 outcome recorded"
    DISCUSSION_ACTION_ADDED = "discussion_action_added", "Discussion action agreed"
    DISCUSSION_ACTION_DONE = "discussion_action_done", "Discussion action done"
    MINUTES_CIRCULATED = "minutes_circulated", "Discussion minutes circulated"
    CHILD_SEEN = "child_seen", "Child seen after a discussion"
    DISCUSSION_INFORMATION_SHARED = (
        "discussion_information_shared",
        "Information shared at a discussion",
    )
    # Not about a case: an administrator set someone's password, which they must replace
    # (agencies.recovery); the account by id (object_type "user"), never its name.
    PASSWORD_SET_BY_ADMIN = "password_set_by_admin", "Password set by an administrator"
    # Not about a case: someone downloaded what Front Door holds about them (their own
    # account, frontdoor.account_export); object_type "user", their own id.
    ACCOUNT_DATA_EXPORTED = "account_data_exported", "Own account data downloaded"
    # Not about one case: case records, access-log rows and audit events past their
    # retention period were erased (oversight.erasure); counts only, no ids of people.
    RECORDS_ERASED = "records_erased", "Records erased under the retention schedule"
    # Not about a case: an administrator anonymised a departed member of staff's account
    # (agencies.departure); object_type "user", by id.
    ACCOUNT_ANONYMISED = "account_anonymised", "Departed staff account anonymised"


class AuditEvent(models.Model):
    """A significant event in a case, appended in the same transaction as the change and
    never changed or removed: who did what to which record, and when.

    Like the access log it names the actor and the record by id and text, with no
    foreign keys to live rows. ``detail`` holds codes and ids (an outcome, a level, who
    it was allocated to), never names, dates of birth or narrative. The database refuses
    to change a row, and on PostgreSQL to delete one (triggers: audit migration 0003).
    """

    Kind = EventKind

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    referral_id = models.BigIntegerField(null=True)
    reference = models.CharField(max_length=30, blank=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.BigIntegerField(null=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["referral_id", "at"]),
            # One person's events in order, and those about their own account: what they
            # download of themselves (frontdoor.account_export; audit 0013), without
            # reading the whole table.
            models.Index(fields=["actor_id", "at", "id"], name="auditevent_actor_at_idx"),
            models.Index(
                fields=["object_id"],
                condition=models.Q(object_type="user"),
                name="auditevent_about_user_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="audit_event_kind_is_known",
                condition=models.Q(kind__in=EventKind.values),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_username or 'the system'} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit events are appended, never changed")
        super().save(*args, **kwargs)
