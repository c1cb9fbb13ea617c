"""Two notices: to a person, that a two-step code of theirs was given again (ASVS 2.8.5);
to the administrators, that a sign-in was locked. Their kinds join the two tables' lists
of kinds. The notifications table is large (every referral writes to it), so the lists
are checked again without stopping writes (audit.migration_constraints); hence not
atomic."""

from django.conf import settings
from django.db import migrations, models

from audit.migration_constraints import AddCheckConstraintWithoutLock


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notices", "0006_sign_in_change_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="noticeevent",
            name="notice_event_kind_is_known",
        ),
        migrations.RemoveConstraint(
            model_name="notification",
            name="notification_kind_is_known",
        ),
        migrations.AlterField(
            model_name="noticeevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("acknowledgement", "Referral received"),
                    ("due_soon", "Decision due soon"),
                    ("overdue", "Decision overdue"),
                    ("escalation", "Decision still overdue"),
                    ("feedback", "Decision made"),
                    ("feedback_amended", "Decision amended"),
                    ("information_request", "Information requested"),
                    ("information_request_overdue", "Information request overdue"),
                    ("challenge_raised", "Challenge raised"),
                    ("challenge_escalated", "Challenge escalated"),
                    ("challenge_reply", "Challenge added to"),
                    ("challenge_stage_overdue", "Challenge stage overdue"),
                    ("challenge_resolved", "Challenge resolved"),
                    ("minutes_overdue", "Discussion minutes overdue"),
                    ("action_overdue", "Discussion action overdue"),
                    ("child_seen_due_soon", "Child to be seen soon"),
                    ("child_seen_missed", "Child not seen in time"),
                    ("break_glass", "Closed record opened with a reason"),
                    ("password_changed", "Password changed"),
                    ("password_changed_by_admin", "Password changed by an administrator"),
                    ("two_step_set_up", "Two-step verification set up"),
                    ("two_step_reset", "Two-step verification reset"),
                    ("api_token_issued", "API token issued"),
                    ("two_step_code_reused", "Two-step code used again"),
                    ("sign_in_locked", "Sign-in locked"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("acknowledgement", "Referral received"),
                    ("due_soon", "Decision due soon"),
                    ("overdue", "Decision overdue"),
                    ("escalation", "Decision still overdue"),
                    ("feedback", "Decision made"),
                    ("feedback_amended", "Decision amended"),
                    ("information_request", "Information requested"),
                    ("information_request_overdue", "Information request overdue"),
                    ("challenge_raised", "Challenge raised"),
                    ("challenge_escalated", "Challenge escalated"),
                    ("challenge_reply", "Challenge added to"),
                    ("challenge_stage_overdue", "Challenge stage overdue"),
                    ("challenge_resolved", "Challenge resolved"),
                    ("minutes_overdue", "Discussion minutes overdue"),
                    ("action_overdue", "Discussion action overdue"),
                    ("child_seen_due_soon", "Child to be seen soon"),
                    ("child_seen_missed", "Child not seen in time"),
                    ("break_glass", "Closed record opened with a reason"),
                    ("password_changed", "Password changed"),
                    ("password_changed_by_admin", "Password changed by an administrator"),
                    ("two_step_set_up", "Two-step verification set up"),
                    ("two_step_reset", "Two-step verification reset"),
                    ("api_token_issued", "API token issued"),
                    ("two_step_code_reused", "Two-step code used again"),
                    ("sign_in_locked", "Sign-in locked"),
                ],
                max_length=40,
            ),
        ),
        AddCheckConstraintWithoutLock(
            model_name="noticeevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "acknowledgement",
                            "due_soon",
                            "overdue",
                            "escalation",
                            "feedback",
                            "feedback_amended",
                            "information_request",
                            "information_request_overdue",
                            "challenge_raised",
                            "challenge_escalated",
                            "challenge_reply",
                            "challenge_stage_overdue",
                            "challenge_resolved",
                            "minutes_overdue",
                            "action_overdue",
                            "child_seen_due_soon",
                            "child_seen_missed",
                            "break_glass",
                            "password_changed",
                            "password_changed_by_admin",
                            "two_step_set_up",
                            "two_step_reset",
                            "api_token_issued",
                            "two_step_code_reused",
                            "sign_in_locked",
                        ],
                    )
                ),
                name="notice_event_kind_is_known",
            ),
        ),
        AddCheckConstraintWithoutLock(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "acknowledgement",
                            "due_soon",
                            "overdue",
                            "escalation",
                            "feedback",
                            "feedback_amended",
                            "information_request",
                            "information_request_overdue",
                            "challenge_raised",
                            "challenge_escalated",
                            "challenge_reply",
                            "challenge_stage_overdue",
                            "challenge_resolved",
                            "minutes_overdue",
                            "action_overdue",
                            "child_seen_due_soon",
                            "child_seen_missed",
                            "break_glass",
                            "password_changed",
                            "password_changed_by_admin",
                            "two_step_set_up",
                            "two_step_reset",
                            "api_token_issued",
                            "two_step_code_reused",
                            "sign_in_locked",
                        ],
                    )
                ),
                name="notification_kind_is_known",
            ),
        ),
    ]
