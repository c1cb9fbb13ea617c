# ruff: noqa: S608, E501 - our own SQL over synthetic rows, kept one fragment a line
"""The notices of bench/national.py's front door: every notice event the app would have
raised over the whole span (so the clock scan's "not told yet" checks read a real
history), and the outbox rows (one in the inbox and one email a person) of those raised
in the last ``kept_days``.

What raises what, and when (triage.services.notices and the services that call it):

- a referral from a referrer: acknowledged when it arrives (to the referrer); its
  decision (feedback) and each amendment (feedback_amended) told to the referrer;
- the clock scan, every minute: due soon four hours before the due time, overdue at it,
  escalation four hours after, while the referral is undecided (to every manager; the
  head-of-service list is empty, so escalations go to the managers too);
- an information request when sent (to its agency's partners), and when past its due
  time unanswered (again);
- a challenge raised (to the first stage's owner), escalated (to the managers), added
  to by the person who raised it (to the stage's owner), past a stage's due time (the
  owner and the managers) and resolved (to the person who raised it);
- a discussion's minutes past their due time (to its convener), a child not seen by,
  or soon to be past, the time agreed (to the managers), an action past its due time
  (to the managers).

Older outbox rows are left out: at 5,000,000 referrals the app would hold about a row
for every referral each month of the span; only a person's own inbox and the
notifications API read them, newest first and page by page. The inbox rows older than a
day are mostly read; every email has been sent."""

from __future__ import annotations

import time

from bench.national_sql import int_array


def _done(what: str, n: int, started: float) -> None:
    print(f"{what}: {n:,} ({time.perf_counter() - started:.0f} s)", flush=True)


def load(cursor, *, people, now_sql: str, kept_days: int) -> None:
    events(cursor, people=people, now_sql=now_sql)
    notifications(cursor, people=people, now_sql=now_sql, kept_days=kept_days)


def _paths() -> dict[str, str]:
    from django.conf import settings
    from django.urls import reverse

    def prefix(name: str) -> str:
        return settings.BASE_URL + reverse(name, args=[987654321]).split("987654321")[0]

    return {
        "referrer": prefix("referrals:detail"),
        "screening": prefix("triage:referral"),
        "request": prefix("requests:detail"),
        "challenge": prefix("challenges:detail"),
        "discussion": prefix("strategy:detail"),
    }


def events(cursor, *, people, now_sql: str) -> None:
    """bench_evt: every notice event, with its time, what it is about, the due time its
    words give and who it goes to (``to_user``, ``to_managers``, ``to_agency``'s
    partners), then NoticeEvent."""
    from django.conf import settings

    from triage.models import EscalationStage

    started = time.perf_counter()
    soon = int(settings.DUE_SOON.total_seconds())
    escalate = int(settings.ESCALATE_AFTER.total_seconds())
    seen_soon = int(settings.CHILD_SEEN_DUE_SOON.total_seconds())
    stages = [s.pk for s in EscalationStage.objects.filter(is_active=True).order_by("order")][:3]
    stage = f"(ARRAY[{', '.join(map(str, stages))}])"
    # A scan runs every minute: a notice it raises comes up to a minute after its moment.
    jitter = "interval '1 second' * floor(60 * bench_u({n}, {salt}))"
    scan = f"""
        SELECT i, 'due_soon' AS kind, due - interval '{soon} seconds' + {jitter.format(n="i", salt=301)} AS at FROM bench_ref
        UNION ALL SELECT i, 'overdue', due + {jitter.format(n="i", salt=302)} FROM bench_ref
        UNION ALL SELECT i, 'escalation', due + interval '{escalate} seconds' + {jitter.format(n="i", salt=303)} FROM bench_ref
    """
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_evt AS
        SELECT row_number() OVER (ORDER BY at, key) AS id, * FROM (
          SELECT 'acknowledgement:' || i AS key, 'acknowledgement' AS kind, i AS referral, NULL::bigint AS request,
                 NULL::bigint AS challenge, NULL::bigint AS discussion, NULL::bigint AS action,
                 received AS at, due, referrer AS to_user, false AS to_managers, NULL::bigint AS to_agency, 'referrer' AS link
            FROM bench_ref WHERE referrer IS NOT NULL
          UNION ALL
          SELECT s.kind || ':' || s.i, s.kind, s.i, NULL, NULL, NULL, NULL, s.at, r.due, NULL, true, NULL, 'screening'
            FROM ({scan}) AS s JOIN bench_ref AS r USING (i)
           WHERE s.at <= {now_sql} AND coalesce(r.decided_at, 'infinity') > s.at
          UNION ALL
          SELECT 'feedback:' || i, 'feedback', i, NULL, NULL, NULL, NULL, decided_at, due, referrer, false, NULL, 'referrer'
            FROM bench_ref WHERE status = 'decided' AND referrer IS NOT NULL
          UNION ALL
          SELECT 'feedback_amended:' || a.id, 'feedback_amended', a.i, NULL, NULL, NULL, NULL, a.at, r.due, r.referrer, false, NULL, 'referrer'
            FROM (SELECT id, i, at FROM bench_amend UNION ALL SELECT id, i, at FROM bench_chamend) AS a
            JOIN bench_ref AS r USING (i) WHERE r.referrer IS NOT NULL
          UNION ALL
          SELECT 'information_request:' || q.id, 'information_request', q.i, q.id, NULL, NULL, NULL, q.requested_at, q.due_at, NULL, false, q.agency, 'request'
            FROM bench_req AS q
          UNION ALL
          SELECT 'information_request_overdue:' || q.id, 'information_request_overdue', q.i, q.id, NULL, NULL, NULL, at, q.due_at, NULL, false, q.agency, 'request'
            FROM bench_req AS q CROSS JOIN LATERAL (SELECT q.due_at + {jitter.format(n="q.id", salt=304)} AS at) AS g
           WHERE at <= {now_sql} AND coalesce(q.answered_at, 'infinity') > at
          UNION ALL
          SELECT 'challenge_raised:' || c.id, 'challenge_raised', c.i, NULL, c.id, NULL, NULL, c.raised, c.due1,
                 coalesce(c.convener, c.decider), false, NULL, 'challenge'
            FROM bench_chal AS c
          UNION ALL
          SELECT 'challenge_escalated:' || c.id || ':' || {stage}[k], 'challenge_escalated', c.i, NULL, c.id, NULL, NULL, st, du,
                 NULL, true, NULL, 'challenge'
            FROM bench_chal AS c CROSS JOIN LATERAL (VALUES (2, c.start2, c.due2), (3, c.start3, c.due3)) AS s(k, st, du)
           WHERE k <= c.stage
          UNION ALL
          SELECT 'challenge_reply:' || x.rid, 'challenge_reply', c.i, NULL, c.id, NULL, NULL, x.at, c.due1,
                 coalesce(c.convener, c.decider), false, NULL, 'challenge'
            FROM bench_chresp AS x JOIN bench_chal AS c USING (id) WHERE x.reply
          UNION ALL
          SELECT 'challenge_stage_overdue:' || c.id || ':' || {stage}[k], 'challenge_stage_overdue', c.i, NULL, c.id, NULL, NULL,
                 du + {jitter.format(n="c.id * 4 + k", salt=305)}, du,
                 CASE WHEN k = 1 THEN coalesce(c.convener, c.decider) END, true, NULL, 'challenge'
            FROM bench_chal AS c
            CROSS JOIN LATERAL (VALUES (1, c.due1, CASE WHEN c.last_stage = 1 THEN c.end1 ELSE c.start2 END),
                                       (2, c.due2, CASE WHEN c.last_stage = 2 THEN c.end2 ELSE c.start3 END),
                                       (3, c.due3, c.end3)) AS s(k, du, ended)
           WHERE k <= c.stage AND du + interval '1 minute' <= {now_sql} AND ended > du + interval '1 minute'
          UNION ALL
          SELECT 'challenge_resolved:' || c.id, 'challenge_resolved', c.i, NULL, c.id, NULL, NULL, c.resolved, c.resolved,
                 c.raised_by, false, NULL, 'challenge'
            FROM bench_chal AS c WHERE c.resolved IS NOT NULL
          UNION ALL
          SELECT 'minutes_overdue:' || d.id, 'minutes_overdue', d.i, NULL, NULL, d.id, NULL, at, d.minutes_due,
                 d.manager, false, NULL, 'discussion'
            FROM bench_disc AS d CROSS JOIN LATERAL (SELECT d.minutes_due + {jitter.format(n="d.id", salt=306)} AS at) AS g
           WHERE at <= {now_sql} AND (coalesce(d.circulated, 'infinity') > at
                 OR d.kind = 'strategy_discussion' AND coalesce(d.to_family, 'infinity') > at)
          UNION ALL
          SELECT 'child_seen_due_soon:' || d.id, 'child_seen_due_soon', d.i, NULL, NULL, d.id, NULL, at, d.see_by,
                 NULL, true, NULL, 'discussion'
            FROM bench_disc AS d CROSS JOIN LATERAL (
              SELECT GREATEST(d.see_by - interval '{seen_soon} seconds', d.held + interval '1 minute') + {jitter.format(n="d.id", salt=307)} AS at) AS g
           WHERE d.see_by IS NOT NULL AND at <= {now_sql} AND coalesce(d.seen, 'infinity') > at
          UNION ALL
          SELECT 'child_seen_missed:' || d.id, 'child_seen_missed', d.i, NULL, NULL, d.id, NULL, at, d.see_by,
                 NULL, true, NULL, 'discussion'
            FROM bench_disc AS d CROSS JOIN LATERAL (SELECT d.see_by + {jitter.format(n="d.id", salt=308)} AS at) AS g
           WHERE d.see_by IS NOT NULL AND at <= {now_sql} AND coalesce(d.seen, 'infinity') > at
          UNION ALL
          SELECT 'action_overdue:' || a.id, 'action_overdue', a.i, NULL, NULL, a.discussion, a.id, at, a.due,
                 NULL, true, NULL, 'discussion'
            FROM bench_action AS a CROSS JOIN LATERAL (SELECT a.due + {jitter.format(n="a.id", salt=309)} AS at) AS g
           WHERE at <= {now_sql} AND coalesce(a.done, 'infinity') > at
        ) AS e
        """
    )
    cursor.execute("ALTER TABLE bench_evt ADD PRIMARY KEY (id)")
    cursor.execute(
        """
        INSERT INTO notices_noticeevent
            (id, key, kind, referral_id, information_request_id, challenge_id, discussion_id,
             discussion_action_id, created_at)
        SELECT id, key, kind, referral, request, challenge, discussion, action, at FROM bench_evt
        """
    )
    n = cursor.rowcount
    cursor.execute("SELECT kind, count(*) FROM bench_evt GROUP BY kind ORDER BY 2 DESC")
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in cursor.fetchall())
    _done(f"notice events ({kinds})", n, started)


def notifications(cursor, *, people, now_sql: str, kept_days: int) -> None:
    from notices.services import TEXT

    started = time.perf_counter()
    managers = int_array(cursor, people.managers)
    partner_first = int_array(cursor, people.partner_first)
    partner_count = int_array(cursor, people.partner_count)
    paths = _paths()
    subject = " ".join(
        f"WHEN '{kind}' THEN {cursor.mogrify('%s', [words[0]]).decode()}"
        for kind, words in TEXT.items()
    )
    body = " ".join(
        f"WHEN '{kind}' THEN {cursor.mogrify('%s', [words[1]]).decode()}"
        for kind, words in TEXT.items()
    )
    link = " ".join(
        f"WHEN '{name}' THEN {cursor.mogrify('%s', [path]).decode()}"
        for name, path in paths.items()
    )
    due = "to_char(e.due AT TIME ZONE 'Europe/London', 'Dy DD Mon YYYY \"at\" HH24:MI')"
    cursor.execute(
        f"""
        INSERT INTO notices_notification
            (event_id, kind, recipient_id, channel, status, subject, body, link, attempts,
             last_error, created_at, claimed_at, sent_at, read_at, address)
        SELECT e.id, e.kind, person, c.channel, 'sent',
               replace(replace(CASE e.kind {subject} END, '{{reference}}', r.reference), '{{due}}', {due}),
               replace(replace(CASE e.kind {body} END, '{{reference}}', r.reference), '{{due}}', {due}),
               CASE e.link {link} END || CASE e.link WHEN 'referrer' THEN e.referral WHEN 'screening' THEN e.referral
                    WHEN 'request' THEN e.request WHEN 'challenge' THEN e.challenge ELSE e.discussion END || '/',
               CASE c.channel WHEN 'email' THEN 1 ELSE 0 END, '', e.at,
               CASE c.channel WHEN 'email' THEN sent END,
               CASE c.channel WHEN 'email' THEN sent ELSE e.at END,
               CASE WHEN c.channel = 'inbox' AND e.at < {now_sql} - interval '1 day' AND bench_u(e.id * 64 + person, 311) < 0.85
                    THEN LEAST(e.at + interval '1 minute' * (10 + 2870 * bench_u(e.id * 64 + person, 312)), {now_sql}) END,
               ''  -- address: only an email to another address than the account's has one
          FROM bench_evt AS e
          JOIN referrals_referral AS r ON r.id = e.referral
          CROSS JOIN LATERAL unnest(
            CASE WHEN e.to_agency IS NOT NULL
                 THEN ARRAY(SELECT generate_series({partner_first}[e.to_agency], {partner_first}[e.to_agency] + {partner_count}[e.to_agency] - 1))
                 WHEN e.to_managers AND e.to_user IS NOT NULL
                 THEN ARRAY(SELECT DISTINCT x FROM unnest(array_append({managers}, e.to_user)) AS x)
                 WHEN e.to_managers THEN {managers}
                 ELSE ARRAY[e.to_user] END) AS person
          CROSS JOIN (VALUES ('inbox'), ('email')) AS c(channel)
          CROSS JOIN LATERAL (SELECT LEAST(e.at + interval '1 second' * (5 + 115 * bench_u(e.id * 64 + person, 310)), {now_sql}) AS sent) AS s
         WHERE e.at >= {now_sql} - interval '{kept_days} days'
        """
    )
    _done(f"notifications (inbox and email, the last {kept_days} days)", cursor.rowcount, started)
