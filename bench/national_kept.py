# ruff: noqa: S608, E501 - our own SQL over synthetic rows, kept one fragment a line
"""The kept records of bench/national.py's front door: the access log, the audit events
and the django-simple-history versions.

- The access log over the whole span: each referral opened by its screener when
  allocated and by the manager before deciding, half the children's chronologies
  opened when linked, four referrers in ten reading the decision, and a queue page
  (naming the referrals it showed) for every 20 referrals.
- Audit events and history versions, as the services write them, for the referrals of
  the last ``kept_days``, the open ones and the hot children's (``bench_win``), and
  everything hanging from them: each referral's versions as it was submitted,
  allocated, linked, recommended on and decided; its concerns, household, notes, rating,
  requests (sent, answered), decision, amendments, discussions (held, then as they
  stand), their attendees, what was shared, decisions and actions (agreed, done), and
  challenges (raised, each stage, resolved) with their responses; the child's record
  when made; a notice_sent event for each email of those days. Every user and agency
  has the version an administrator's "add" left.

Older referrals have no versions or audit events: the app never deletes them, but no
page reads them except the history pages and the child export (by record), and writing
them for eight years would multiply the load's size several times (bench/README.md).
"""

from __future__ import annotations

import time

from bench.national_sql import insert_history


def _done(what: str, n: int, started: float) -> None:
    print(f"{what}: {n:,} ({time.perf_counter() - started:.0f} s)", flush=True)


def load(cursor, *, people, now_sql: str, kept_days: int) -> None:
    access_log(cursor, people=people, now_sql=now_sql)
    window(cursor, now_sql=now_sql, kept_days=kept_days)
    audit_events(cursor, now_sql=now_sql, kept_days=kept_days)
    history(cursor)


def window(cursor, *, now_sql: str, kept_days: int) -> None:
    """bench_win: the referrals whose audit events and versions are written."""
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_win AS
        SELECT i FROM bench_ref
         WHERE received >= {now_sql} - interval '{kept_days} days' OR status <> 'decided' OR hot;
        ALTER TABLE bench_win ADD PRIMARY KEY (i);
        ANALYZE bench_win;
        """
    )


def access_log(cursor, *, people, now_sql: str) -> None:

    started = time.perf_counter()
    ip = "('10.' || (20 + x.user_id % 200) || '.' || (x.user_id / 200 % 250) || '.' || (1 + x.user_id % 250))::inet"
    cursor.execute(
        f"""
        INSERT INTO audit_accesslog (at, user_id, username, role, kind, object_id, path, ip_address, break_glass_reason, detail)
        SELECT x.at, x.user_id, u.username, u.role, x.kind, x.object_id, x.path, {ip}, '', x.detail
          FROM (
            SELECT LEAST(assigned_at + interval '2 minutes', {now_sql}) AS at, screener AS user_id, 'referral' AS kind,
                   i AS object_id, '/triage/referrals/' || i || '/' AS path, '{{}}'::jsonb AS detail
              FROM bench_ref WHERE assigned_at IS NOT NULL
            UNION ALL
            SELECT decided_at - interval '3 minutes', manager, 'referral', i, '/triage/referrals/' || i || '/', '{{}}'
              FROM bench_ref WHERE status = 'decided'
            UNION ALL
            SELECT LEAST(link_at + interval '3 minutes', {now_sql}), screener, 'child', child, '/children/' || child || '/', '{{}}'
              FROM bench_ref WHERE child IS NOT NULL AND link_at IS NOT NULL AND bench_u(i, 320) < 0.5
            UNION ALL
            SELECT LEAST(decided_at + interval '1 hour' * (1 + 47 * bench_u(i, 321)), {now_sql}), referrer, 'referral', i,
                   '/referrals/' || i || '/', '{{}}'
              FROM bench_ref WHERE status = 'decided' AND referrer IS NOT NULL AND bench_u(i, 322) < 0.4
            UNION ALL
            SELECT LEAST(received + interval '5 minutes', {now_sql}), screener, 'referral_list', NULL, '/triage/',
                   jsonb_build_object('referrals', to_jsonb(ARRAY(SELECT generate_series(GREATEST(1, i - 24), i))))
              FROM bench_ref WHERE i % 20 = 0
          ) AS x
          JOIN agencies_user AS u ON u.id = x.user_id
         ORDER BY x.at
        """
    )
    _done("access log", cursor.rowcount, started)


def _actor(alias: str) -> str:
    return f"{alias}"


def audit_events(cursor, *, now_sql: str, kept_days: int) -> None:
    """bench_audit (at, kind, actor, referral, object_type, object_id, detail), then
    AuditEvent with each actor's username and role and the referral's reference."""
    started = time.perf_counter()
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_audit AS
        SELECT r.received + CASE WHEN r.recorder IS NOT NULL THEN interval '12 minutes' ELSE interval '0' END AS at,
               'submitted' AS kind, coalesce(r.referrer, r.recorder) AS actor, r.i AS referral,
               '' AS object_type, NULL::bigint AS object_id,
               jsonb_build_object('channel', r.channel, 'submission', r.s) AS detail
          FROM bench_ref AS r JOIN bench_win USING (i)
        UNION ALL
        SELECT r.assigned_at, 'assigned', r.screener, r.i, '', NULL, jsonb_build_object('assigned_to', r.screener)
          FROM bench_ref AS r JOIN bench_win USING (i) WHERE r.assigned_at IS NOT NULL
        UNION ALL
        SELECT r.link_at, CASE WHEN r.made_record THEN 'child_created' ELSE 'child_linked' END, r.screener, r.i,
               'child', r.child, '{{}}'
          FROM bench_ref AS r JOIN bench_win USING (i) WHERE r.child IS NOT NULL AND NOT r.auto_linked
        UNION ALL
        SELECT n.created_at, 'note_added', n.author_id, n.referral_id, 'screening_note', n.id, '{{}}'
          FROM triage_screeningnote AS n JOIN bench_win AS w ON w.i = n.referral_id
        UNION ALL
        SELECT q.rated_at, 'quality_rated', q.rated_by_id, q.referral_id, '', NULL,
               jsonb_build_object('score', q.specific_worry::int + q.child_voice::int + q.lived_experience::int
                                  + q.history_considered::int + q.consent_addressed::int + q.referrer_analysis::int)
          FROM triage_qualityrating AS q JOIN bench_win AS w ON w.i = q.referral_id
        UNION ALL
        SELECT q.requested_at, 'information_requested', q.requested_by_id, q.referral_id, 'information_request', q.id,
               jsonb_build_object('agency', q.agency_id)
          FROM triage_informationrequest AS q JOIN bench_win AS w ON w.i = q.referral_id
        UNION ALL
        SELECT q.answered_at, 'information_answered', q.answered_by_id, q.referral_id, 'information_request', q.id, '{{}}'
          FROM triage_informationrequest AS q JOIN bench_win AS w ON w.i = q.referral_id WHERE q.answered_at IS NOT NULL
        UNION ALL
        SELECT r.recommended_at, 'recommended', r.screener, r.i, '', NULL, jsonb_build_object('outcome', r.recommended)
          FROM bench_ref AS r JOIN bench_win USING (i) WHERE r.recommended_at IS NOT NULL
        UNION ALL
        SELECT d.decided_at, 'decided', d.decided_by_id, d.referral_id, 'decision', d.id,
               jsonb_build_object('outcome', d.outcome, 'threshold_level', d.threshold_level_id,
                                  'late', d.late_reason <> '', 'warnings', d.known_at_decision -> 'warnings')
          FROM triage_decision AS d JOIN bench_win AS w ON w.i = d.referral_id
        UNION ALL
        SELECT a.amended_at, 'amended', a.amended_by_id, a.decision_id, 'decision_amendment', a.id,
               jsonb_build_object('outcome', a.outcome, 'threshold_level', a.threshold_level_id)
          FROM triage_decisionamendment AS a JOIN bench_win AS w ON w.i = a.decision_id
        UNION ALL
        SELECT d.held_at, 'discussion_held', d.convened_by_id, d.referral_id, 'strategy_discussion', d.id,
               jsonb_build_object('kind', d.kind, 'warnings', CASE WHEN d.missing_members_reason <> '' THEN '["health"]'::jsonb ELSE '[]'::jsonb END)
          FROM triage_strategydiscussion AS d JOIN bench_win AS w ON w.i = d.referral_id
        UNION ALL
        SELECT d.held_at + interval '30 minutes', 'discussion_outcome_recorded', d.convened_by_id, d.referral_id,
               'strategy_discussion', d.id, jsonb_build_object('section47_outcome', d.section47_outcome)
          FROM triage_strategydiscussion AS d JOIN bench_win AS w ON w.i = d.referral_id WHERE d.section47_outcome <> ''
        UNION ALL
        SELECT d.minutes_circulated_at, 'minutes_circulated', d.convened_by_id, d.referral_id, 'strategy_discussion', d.id,
               jsonb_build_object('to_family', d.minutes_to_family_at IS NOT NULL)
          FROM triage_strategydiscussion AS d JOIN bench_win AS w ON w.i = d.referral_id WHERE d.minutes_circulated_at IS NOT NULL
        UNION ALL
        SELECT d.child_seen_at, 'child_seen', d.convened_by_id, d.referral_id, 'strategy_discussion', d.id,
               jsonb_build_object('joint_visit', coalesce(d.joint_visit, false))
          FROM triage_strategydiscussion AS d JOIN bench_win AS w ON w.i = d.referral_id WHERE d.child_seen_at IS NOT NULL
        UNION ALL
        SELECT x.recorded_at, 'discussion_decision_added', x.recorded_by_id, d.referral_id, 'discussion_decision', x.id, '{{}}'
          FROM triage_discussiondecision AS x JOIN triage_strategydiscussion AS d ON d.id = x.discussion_id
          JOIN bench_win AS w ON w.i = d.referral_id
        UNION ALL
        SELECT d.held_at + interval '10 minutes', 'discussion_information_shared', d.convened_by_id, d.referral_id,
               'agency_contribution', x.id, jsonb_build_object('agency', x.agency_id)
          FROM triage_agencycontribution AS x JOIN triage_strategydiscussion AS d ON d.id = x.discussion_id
          JOIN bench_win AS w ON w.i = d.referral_id
        UNION ALL
        SELECT d.held_at + interval '40 minutes', 'discussion_action_added', d.convened_by_id, d.referral_id,
               'discussion_action', x.id, jsonb_build_object('agency', x.agency_id)
          FROM triage_discussionaction AS x JOIN triage_strategydiscussion AS d ON d.id = x.discussion_id
          JOIN bench_win AS w ON w.i = d.referral_id
        UNION ALL
        SELECT x.done_at, 'discussion_action_done', d.convened_by_id, d.referral_id, 'discussion_action', x.id, '{{}}'
          FROM triage_discussionaction AS x JOIN triage_strategydiscussion AS d ON d.id = x.discussion_id
          JOIN bench_win AS w ON w.i = d.referral_id WHERE x.done_at IS NOT NULL
        UNION ALL
        SELECT c.raised, 'challenge_raised', c.raised_by, c.i, 'challenge', c.id,
               jsonb_build_object('stage', 1, 'subject', CASE WHEN c.discussion IS NULL THEN 'decision' ELSE 'discussion' END)
          FROM bench_chal AS c JOIN bench_win USING (i)
        UNION ALL
        SELECT x.at, 'challenge_responded', x.by_id, c.i, 'challenge', c.id, jsonb_build_object('stage', x.k)
          FROM bench_chresp AS x JOIN bench_chal AS c USING (id) JOIN bench_win USING (i)
        UNION ALL
        SELECT st, 'challenge_escalated', c.manager, c.i, 'challenge', c.id, jsonb_build_object('from_stage', k - 1, 'to_stage', k)
          FROM bench_chal AS c JOIN bench_win USING (i)
          CROSS JOIN LATERAL (VALUES (2, c.start2), (3, c.start3)) AS s(k, st) WHERE k <= c.stage
        UNION ALL
        SELECT c.resolved, 'challenge_resolved', CASE WHEN c.stage = 1 THEN coalesce(c.convener, c.decider) ELSE c.manager END,
               c.i, 'challenge', c.id, jsonb_build_object('resolution', c.resolution, 'stage', c.stage)
          FROM bench_chal AS c JOIN bench_win USING (i) WHERE c.resolved IS NOT NULL
        UNION ALL
        SELECT n.sent_at, 'notice_sent', NULL, NULL, 'notification', n.id,
               jsonb_build_object('kind', n.kind, 'recipient', n.recipient_id, 'referral', e.referral_id)
          FROM notices_notification AS n JOIN notices_noticeevent AS e ON e.id = n.event_id
         WHERE n.channel = 'email' AND n.created_at >= {now_sql} - interval '{kept_days} days'
        """
    )
    cursor.execute(
        """
        INSERT INTO audit_auditevent
            (at, kind, actor_id, actor_username, actor_role, referral_id, reference, object_type, object_id, detail)
        SELECT a.at, a.kind, a.actor, coalesce(u.username, ''), coalesce(u.role, ''), a.referral,
               coalesce(r.reference, ''), a.object_type, a.object_id, a.detail
          FROM bench_audit AS a
          LEFT JOIN agencies_user AS u ON u.id = a.actor
          LEFT JOIN referrals_referral AS r ON r.id = a.referral
         ORDER BY a.at
        """
    )
    _done("audit events", cursor.rowcount, started)


def history(cursor) -> None:  # noqa: PLR0915 - one model after another
    """The versions django-simple-history kept of what the services wrote."""
    from referrals.models import Child, HouseholdMember, Referral, ReferralConcern
    from triage.models import (
        AgencyContribution,
        Attendee,
        Challenge,
        ChallengeResponse,
        Decision,
        DecisionAmendment,
        DiscussionAction,
        DiscussionDecision,
        InformationRequest,
        QualityRating,
        ScreeningNote,
        StrategyDiscussion,
    )

    started = time.perf_counter()
    n = 0
    win = "JOIN bench_win AS w ON w.i = t.referral_id"
    by = "coalesce(b.referrer, b.recorder)"
    referral = "referrals_referral AS t JOIN bench_ref AS b ON b.i = t.id JOIN bench_win AS w ON w.i = t.id"
    unscreened = {
        "assigned_to_id": "NULL",
        "assigned_at": "NULL",
        "recommended_outcome": "''",
        "recommendation": "''",
        "recommended_by_id": "NULL",
        "recommended_at": "NULL",
    }
    unrecommended = {k: v for k, v in unscreened.items() if k.startswith("recommend")}
    auto_child = "CASE WHEN b.auto_linked THEN t.child_id END"
    # Submitted; allocated; linked (unless linked as submitted); recommended on; decided.
    n += insert_history(
        cursor,
        Referral,
        source=referral,
        at="t.created_at",
        kind="+",
        user=by,
        changes={"status": "'received'", "child_id": auto_child, **unscreened},
    )
    n += insert_history(
        cursor,
        Referral,
        source=f"{referral} WHERE t.assigned_at IS NOT NULL",
        at="t.assigned_at",
        kind="~",
        user="b.screener",
        changes={"status": "'screening'", "child_id": auto_child, **unrecommended},
    )
    n += insert_history(
        cursor,
        Referral,
        source=f"{referral} WHERE t.child_id IS NOT NULL AND NOT b.auto_linked AND b.link_at IS NOT NULL",
        at="b.link_at",
        kind="~",
        user="b.screener",
        changes={"status": "'screening'", **unrecommended},
    )
    n += insert_history(
        cursor,
        Referral,
        source=f"{referral} WHERE t.recommended_at IS NOT NULL",
        at="t.recommended_at",
        kind="~",
        user="b.screener",
        changes={"status": "'awaiting_decision'"},
    )
    n += insert_history(
        cursor,
        Referral,
        source=f"{referral} WHERE t.status = 'decided'",
        at="b.decided_at",
        kind="~",
        user="b.manager",
    )
    created = "JOIN bench_ref AS b ON b.i = t.referral_id"
    n += insert_history(
        cursor,
        ReferralConcern,
        source=f"referrals_referralconcern AS t {win} {created}",
        at="b.received",
        kind="+",
        user=by,
    )
    n += insert_history(
        cursor,
        HouseholdMember,
        source=f"referrals_householdmember AS t {win} {created}",
        at="b.received",
        kind="+",
        user=by,
    )
    n += insert_history(
        cursor,
        Child,
        source="referrals_child AS t JOIN bench_child AS c ON c.child_id = t.id JOIN bench_win AS w ON w.i = c.from_i",
        at="t.created_at",
        kind="+",
        user="t.created_by_id",
    )
    for model, at, user in (
        (ScreeningNote, "t.created_at", "t.author_id"),
        (QualityRating, "t.rated_at", "t.rated_by_id"),
        (Decision, "t.decided_at", "t.decided_by_id"),
    ):
        n += insert_history(
            cursor, model, source=f"{model._meta.db_table} AS t {win}", at=at, kind="+", user=user
        )
    n += insert_history(
        cursor,
        InformationRequest,
        source=f"triage_informationrequest AS t {win}",
        at="t.requested_at",
        kind="+",
        user="t.requested_by_id",
        changes={"answer": "''", "answered_by_id": "NULL", "answered_at": "NULL"},
    )
    n += insert_history(
        cursor,
        InformationRequest,
        source=f"triage_informationrequest AS t {win} WHERE t.answered_at IS NOT NULL",
        at="t.answered_at",
        kind="~",
        user="t.answered_by_id",
    )
    n += insert_history(
        cursor,
        DecisionAmendment,
        source="triage_decisionamendment AS t JOIN bench_win AS w ON w.i = t.decision_id",
        at="t.amended_at",
        kind="+",
        user="t.amended_by_id",
    )
    # A discussion as convened, then as it stands (outcome, minutes, the child seen).
    discussion = f"triage_strategydiscussion AS t {win}"
    n += insert_history(
        cursor,
        StrategyDiscussion,
        source=discussion,
        at="t.created_at",
        kind="+",
        user="t.convened_by_id",
        changes={
            "section47_outcome": "''",
            "no_enquiry_reason": "''",
            "see_child_by": "NULL",
            "child_seen_at": "NULL",
            "child_seen_by": "''",
            "joint_visit": "NULL",
            "child_views": "''",
            "advocate_offered": "''",
            "minutes_circulated_at": "NULL",
            "minutes_to_family_at": "NULL",
        },
    )
    n += insert_history(
        cursor,
        StrategyDiscussion,
        source=f"{discussion} WHERE t.section47_outcome <> '' OR t.minutes_circulated_at IS NOT NULL",
        at="LEAST(GREATEST(t.created_at + interval '1 minute', t.minutes_circulated_at, "
        "t.minutes_to_family_at, t.child_seen_at), now())",
        kind="~",
        user="t.convened_by_id",
    )
    of_discussion = "JOIN triage_strategydiscussion AS d ON d.id = t.discussion_id JOIN bench_win AS w ON w.i = d.referral_id"
    for model in (Attendee, AgencyContribution):
        n += insert_history(
            cursor,
            model,
            source=f"{model._meta.db_table} AS t {of_discussion}",
            at="d.created_at",
            kind="+",
            user="d.convened_by_id",
        )
    n += insert_history(
        cursor,
        DiscussionDecision,
        source=f"triage_discussiondecision AS t {of_discussion}",
        at="t.recorded_at",
        kind="+",
        user="t.recorded_by_id",
    )
    n += insert_history(
        cursor,
        DiscussionAction,
        source=f"triage_discussionaction AS t {of_discussion}",
        at="d.created_at",
        kind="+",
        user="d.convened_by_id",
        changes={"done_at": "NULL"},
    )
    n += insert_history(
        cursor,
        DiscussionAction,
        source=f"triage_discussionaction AS t {of_discussion} WHERE t.done_at IS NOT NULL",
        at="t.done_at",
        kind="~",
        user="d.convened_by_id",
    )
    # A challenge as raised (the first stage), at each escalation, and resolved.
    from triage.models import EscalationStage

    s1, s2, _s3 = [s.pk for s in EscalationStage.objects.filter(is_active=True).order_by("order")][
        :3
    ]
    challenge = (
        "triage_challenge AS t JOIN bench_chal AS c ON c.id = t.id JOIN bench_win AS w ON w.i = c.i"
    )
    open_at = {
        "status": "'open'",
        "resolution": "''",
        "resolution_reasons": "''",
        "amendment_id": "NULL",
        "resolved_by_id": "NULL",
        "resolved_at": "NULL",
    }
    n += insert_history(
        cursor,
        Challenge,
        source=challenge,
        at="t.raised_at",
        kind="+",
        user="t.raised_by_id",
        changes={
            **open_at,
            "stage_id": str(s1),
            "stage_started_at": "c.start1",
            "stage_due_at": "c.due1",
            "owner_id": "coalesce(c.convener, c.decider)",
        },
    )
    n += insert_history(
        cursor,
        Challenge,
        source=f"{challenge} WHERE c.stage >= 2",
        at="c.start2",
        kind="~",
        user="c.manager",
        changes={
            **open_at,
            "stage_id": str(s2),
            "stage_started_at": "c.start2",
            "stage_due_at": "c.due2",
            "owner_id": "NULL",
        },
    )
    n += insert_history(
        cursor,
        Challenge,
        source=f"{challenge} WHERE c.stage >= 3",
        at="c.start3",
        kind="~",
        user="c.manager",
        changes=open_at,
    )
    n += insert_history(
        cursor,
        Challenge,
        source=f"{challenge} WHERE t.resolved_at IS NOT NULL",
        at="t.resolved_at",
        kind="~",
        user="t.resolved_by_id",
    )
    n += insert_history(
        cursor,
        ChallengeResponse,
        source="triage_challengeresponse AS t JOIN bench_chal AS c ON c.id = t.challenge_id JOIN bench_win AS w ON w.i = c.i",
        at="t.at",
        kind="+",
        user="t.by_id",
    )
    _done("history versions", n, started)
