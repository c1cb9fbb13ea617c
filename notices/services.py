"""The notification outbox, as the apps that raise notices use it.

``raise_notice`` writes a NoticeEvent (unique key) and one Notification per person and
channel, inside the caller's transaction; a second call with the same key does nothing.
In-app notices are delivered when written; emails are handed to the workers when the
transaction commits (``notices.tasks``), and the sweeper re-dispatches what a lost
message or a dead worker left behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connections, router, transaction
from django.urls import reverse
from django.utils import timezone

from agencies.policy import Capability, users_with
from audit import inserts
from notices.models import INBOX_ONLY_KINDS, NoticeEvent, NoticeKind, Notification
from notices.tasks import dispatch

# What each notice says. Only a reference and a link: safeguarding details never travel
# in notices or email bodies, and nor do children's names.
TEXT = {
    NoticeKind.ACKNOWLEDGEMENT: (
        "Referral {reference} received",
        "Your referral {reference} has been received. A decision is due by {due}.",
    ),
    NoticeKind.DUE_SOON: (
        "Referral {reference}: decision due soon",
        "Referral {reference} needs a decision by {due}.",
    ),
    NoticeKind.OVERDUE: (
        "Referral {reference}: decision overdue",
        "Referral {reference} is past its decision time ({due}) and needs a decision now.",
    ),
    NoticeKind.ESCALATION: (
        "Referral {reference}: decision still overdue",
        "Referral {reference} was due a decision at {due} and is still undecided.",
    ),
    NoticeKind.FEEDBACK: (
        "Referral {reference}: decision made",
        "A decision has been made on your referral {reference}. Sign in to read it.",
    ),
    NoticeKind.FEEDBACK_AMENDED: (
        "Referral {reference}: decision amended",
        "The decision on your referral {reference} has been amended. Sign in to read the "
        "decision as it now stands.",
    ),
    NoticeKind.INFORMATION_REQUEST: (
        "Information request for referral {reference}",
        "The front door has asked your agency for information about referral {reference}. "
        "Please answer by {due}.",
    ),
    NoticeKind.INFORMATION_REQUEST_OVERDUE: (
        "Information request overdue: referral {reference}",
        "The front door's request for information about referral {reference} was due at "
        "{due} and has not been answered.",
    ),
    NoticeKind.CHALLENGE_RAISED: (
        "Challenge to the decision on referral {reference}",
        "The decision on referral {reference} has been challenged. A response is due by {due}.",
    ),
    NoticeKind.CHALLENGE_ESCALATED: (
        "Challenge escalated: referral {reference}",
        "The challenge to the decision on referral {reference} has moved to the next "
        "stage. A response is due by {due}.",
    ),
    NoticeKind.CHALLENGE_REPLY: (
        "Challenge added to: referral {reference}",
        "The professional who challenged the decision on referral {reference} has added to "
        "the challenge. A response is due by {due}.",
    ),
    NoticeKind.CHALLENGE_STAGE_OVERDUE: (
        "Challenge overdue: referral {reference}",
        "The challenge to the decision on referral {reference} was due a response at "
        "{due} and is still open.",
    ),
    NoticeKind.CHALLENGE_RESOLVED: (
        "Challenge resolved: referral {reference}",
        "Your challenge to the decision on referral {reference} has been resolved. Sign "
        "in to read the outcome.",
    ),
    NoticeKind.MINUTES_OVERDUE: (
        "Referral {reference}: discussion minutes overdue",
        "The minutes of a strategy discussion about referral {reference} were due to be "
        "circulated, to the professionals and to the family, by {due} and have not been "
        "recorded as circulated to both.",
    ),
    NoticeKind.ACTION_OVERDUE: (
        "Referral {reference}: discussion action overdue",
        "An action agreed at a strategy discussion about referral {reference} was due by "
        "{due} and is not recorded as done.",
    ),
    NoticeKind.CHILD_SEEN_DUE_SOON: (
        "Referral {reference}: child to be seen by {due}",
        "A strategy discussion about referral {reference} agreed the child must be seen by "
        "{due}. No visit is recorded yet.",
    ),
    NoticeKind.CHILD_SEEN_MISSED: (
        "Referral {reference}: child not seen in time",
        "A strategy discussion about referral {reference} agreed the child must be seen by "
        "{due}. No visit is recorded.",
    ),
    NoticeKind.BREAK_GLASS: (
        "Closed record opened: {reference}",
        "A closed record ({reference}) was opened outside the usual scope on {due}, with "
        "a reason. Review it in the access log.",
    ),
    # A change to the account's own sign-in details, told to its owner ({due}: when).
    NoticeKind.PASSWORD_CHANGED: (
        "Your password was changed",
        "The password for your Front Door account was changed on {due}. If you did not "
        "change it, tell your Front Door administrator straight away: someone else may be "
        "using your account.",
    ),
    NoticeKind.PASSWORD_CHANGED_BY_ADMIN: (
        "Your password was changed by an administrator",
        "An administrator changed the password for your Front Door account on {due}. If "
        "you did not ask for this, tell your Front Door administrator straight away.",
    ),
    NoticeKind.TWO_STEP_SET_UP: (
        "Two-step verification was set up",
        "An authenticator app was set up for two-step verification on your Front Door "
        "account on {due}. If you did not set it up, tell your Front Door administrator "
        "straight away: someone else may be using your account.",
    ),
    NoticeKind.TWO_STEP_RESET: (
        "Two-step verification was reset",
        "An administrator reset two-step verification on your Front Door account on {due}: "
        "you will set up your authenticator app again when you next sign in. If you did "
        "not ask for this, tell your Front Door administrator straight away.",
    ),
    NoticeKind.SECURITY_KEY_ADDED: (
        "A security key was added",
        "A security key was added for two-step verification on your Front Door account on "
        "{due}. If you did not add it, tell your Front Door administrator straight away: "
        "someone else may be using your account.",
    ),
    NoticeKind.SECURITY_KEY_REMOVED: (
        "A security key was removed",
        "A security key was removed from your Front Door account on {due}, on your account "
        "page or by an administrator: it can no longer be used to sign in. If you did not "
        "ask for this, tell your Front Door administrator straight away.",
    ),
    NoticeKind.API_TOKEN_ISSUED: (
        "A new API token was issued",
        "A new API token for your Front Door account was issued on {due}. If you did not "
        "ask for it, revoke it on your account page and tell your Front Door administrator "
        "straight away: someone else may be using your account.",
    ),
    # {reference}: the browser in plain words ("Chrome on Windows"), nothing more of it.
    NoticeKind.NEW_BROWSER_SIGN_IN: (
        "Your account was signed in to from a new browser",
        "Your Front Door account was signed in to on {due} from a browser it had not been "
        "signed in from before: {reference}. If this was you, you need do nothing. If it "
        "was not you, tell your Front Door administrator straight away and change your "
        "password: someone else may be using your account. You can end that browser's "
        'session on your account page, under "Where you are signed in".',
    ),
    # Sent to the old address only (Notification.address); the new one is not named.
    NoticeKind.EMAIL_CHANGED: (
        "The email address for your account was changed",
        "The email address of your Front Door account was changed on {due}. Emails from "
        "Front Door now go to the new address, not this one. If you did not expect this, "
        "tell your Front Door administrator straight away: someone else may be using your "
        "account.",
    ),
    NoticeKind.EMAIL_NOW_USED: (
        "This is now the email address for your account",
        "This email address became the address of your Front Door account on {due}: "
        "emails from Front Door will come here. If you did not expect this, tell your "
        "Front Door administrator straight away.",
    ),
    NoticeKind.SIGN_IN_LOCKED: (
        "Sign-in locked: {reference}",
        "Sign-in to {reference} was locked after too many wrong passwords, on {due}. If it "
        "was not someone who forgot their password, someone may be guessing passwords: see "
        "the access attempts in the administration pages. Lockouts soon after this one are "
        "not alerted again; every one is in the security log and the access attempts.",
    ),
    # {reference}: the account by its id (or, not signed in, none), what was refused and
    # the address, as "account 12, web pages, from address 203.0.113.66".
    NoticeKind.RATE_LIMITED: (
        "Requests refused for their rate: {reference}",
        "Requests from {reference} went over the rate allowed and were refused, on {due}. "
        "Someone copying records out, a script, or a stolen account or API token can look "
        "like this. In the administration pages an account can be made inactive or signed "
        "out everywhere (for an address alone, the access attempts show the sign-ins tried "
        "from it). More refusals for the same account or address soon after this one are "
        "not alerted again; every one is in the security log.",
    ),
    NoticeKind.RATE_LIMITED_AUDIT: (
        "Requests refused for their rate: {reference}",
        "Requests from {reference} went over the rate allowed and were refused, on {due}. "
        "Someone copying records out, a script, or a stolen account or API token can look "
        "like this: the access log of that day (of that account, when it names one) shows "
        "what was opened. The administrators "
        "have been told too. More refusals for the same account or address soon after this "
        "one are not alerted again; every one is in the security log.",
    ),
    # {reference}: the account by its id and the number it went over, as "account 12, more
    # than 20 in 10 minutes"; never a name, a username or what was asked for.
    NoticeKind.REFUSED_OFTEN: (
        "Many accesses refused: {reference}",
        "Accesses were refused to {reference}, going over on {due}: records outside what "
        "the account may see, or pages its role may not open. Someone trying records one "
        "after another, a script, or a stolen account or API token can look like this. In "
        "the administration pages the account can be made inactive or signed out everywhere. "
        "The auditors have been told too. More refusals for the same account soon after "
        "this one are not alerted again; every one is in the security log.",
    ),
    NoticeKind.REFUSED_OFTEN_AUDIT: (
        "Many accesses refused: {reference}",
        "Accesses were refused to {reference}, going over on {due}: records outside what "
        "the account may see, or pages its role may not open. Someone trying records one "
        "after another, a script, or a stolen account or API token can look like this: "
        "the access log of "
        "that account on that day shows what it did open. The administrators have been "
        "told too. More refusals for the same account soon after this one are not alerted "
        "again; every one is in the security log.",
    ),
    # {reference}: the email by its number, its kind, and its referral and recipient by
    # id, as "email 812 (decision overdue, referral 45) to account 12"; never a name or an
    # address. In the inbox alone (INBOX_ONLY_KINDS).
    NoticeKind.EMAIL_FAILED: (
        "Email could not be sent: {reference}",
        "An email from Front Door could not be sent and will not be tried again: "
        "{reference}, given up on {due}. Its recipient has not been told by email what it "
        "said (an overdue alert or a decision's feedback may be about a child at risk): "
        "tell them another way if it matters. The failed emails are listed in the "
        "administration pages with their last error; once the mail server or the "
        "recipient's address is mended, manage.py notices --retry on the server sends them "
        "again. Emails that fail soon after this one are not alerted again; every one is "
        "in that list.",
    ),
    NoticeKind.TWO_STEP_CODE_REUSED: (
        "A two-step code of yours was used again",
        "A code from your authenticator app that had already been used to sign in to your "
        "Front Door account was entered again on {due}, and refused. If you entered the "
        "same code twice yourself, you need do nothing. If not, someone may have seen the "
        "code and may know your password: change your password and tell your Front Door "
        "administrator straight away.",
    ),
}


# What each notice's link opens, as the inbox words it (the link goes to the referral,
# request, challenge or discussion the notice is about, for the person it is sent to).
LINK_TEXT = {
    NoticeKind.ACKNOWLEDGEMENT: "View your referral",
    NoticeKind.FEEDBACK: "Read the decision",
    NoticeKind.FEEDBACK_AMENDED: "Read the amended decision",
    NoticeKind.DUE_SOON: "Open the referral",
    NoticeKind.OVERDUE: "Open the referral",
    NoticeKind.ESCALATION: "Open the referral",
    NoticeKind.INFORMATION_REQUEST: "Answer the request",
    NoticeKind.INFORMATION_REQUEST_OVERDUE: "Answer the request",
    NoticeKind.CHALLENGE_RAISED: "Open the challenge",
    NoticeKind.CHALLENGE_ESCALATED: "Open the challenge",
    NoticeKind.CHALLENGE_REPLY: "Open the challenge",
    NoticeKind.CHALLENGE_STAGE_OVERDUE: "Open the challenge",
    NoticeKind.CHALLENGE_RESOLVED: "Read the outcome of the challenge",
    NoticeKind.MINUTES_OVERDUE: "Open the discussion",
    NoticeKind.ACTION_OVERDUE: "Open the discussion",
    NoticeKind.CHILD_SEEN_DUE_SOON: "Open the discussion",
    NoticeKind.CHILD_SEEN_MISSED: "Open the discussion",
    NoticeKind.BREAK_GLASS: "Review it in the access log",
    NoticeKind.PASSWORD_CHANGED: "Open your account",
    NoticeKind.PASSWORD_CHANGED_BY_ADMIN: "Open your account",
    NoticeKind.TWO_STEP_SET_UP: "Open your account",
    NoticeKind.TWO_STEP_RESET: "Open your account",
    NoticeKind.API_TOKEN_ISSUED: "Open your account and its API tokens",
    NoticeKind.TWO_STEP_CODE_REUSED: "Open your account",
    NoticeKind.NEW_BROWSER_SIGN_IN: "Open your account and where you are signed in",
    NoticeKind.EMAIL_CHANGED: "Open your account",
    NoticeKind.EMAIL_NOW_USED: "Open your account",
    NoticeKind.SECURITY_KEY_ADDED: "Open your account",
    NoticeKind.SECURITY_KEY_REMOVED: "Open your account",
    NoticeKind.SIGN_IN_LOCKED: "See the access attempts",
    NoticeKind.RATE_LIMITED: "Open it in the administration pages",
    NoticeKind.RATE_LIMITED_AUDIT: "Review that day's access log",
    NoticeKind.REFUSED_OFTEN: "Open it in the administration pages",
    NoticeKind.REFUSED_OFTEN_AUDIT: "Review that day's access log",
    NoticeKind.EMAIL_FAILED: "See the failed emails",
}


def inbox_link(notification: Notification) -> str:
    """The notice's link as a path on this site: the stored link is absolute (emails need
    the host), but in the inbox the user is already here, on whatever host they used."""
    parts = urlsplit(notification.link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y at %H:%M")


def raise_notice(
    *,
    key: str,
    kind: NoticeKind,
    recipients: Iterable,
    reference: str,
    due: datetime,
    link: str,
    referral_id: int | None = None,
    information_request_id: int | None = None,
    challenge_id: int | None = None,
    discussion_id: int | None = None,
    discussion_action_id: int | None = None,
    email_to: str = "",
    inbox: bool = True,
) -> NoticeEvent | None:
    """Write a notice for each recipient, in the caller's transaction; once per key.
    ``reference`` and ``due`` fill the kind's wording; nothing else of the case travels.
    ``email_to`` sends the email to that address rather than the recipient's own (one
    recipient); ``inbox`` False writes the email alone."""
    event, rows = notice_rows(
        key=key,
        kind=kind,
        recipients=recipients,
        reference=reference,
        due=due,
        link=link,
        referral_id=referral_id,
        information_request_id=information_request_id,
        challenge_id=challenge_id,
        discussion_id=discussion_id,
        discussion_action_id=discussion_action_id,
        email_to=email_to,
        inbox=inbox,
    )
    if _new_event(event) is None:
        return None
    dispatch_on_commit(inserts.insert(rows))  # one statement, its SQL made once
    return event


def notice_rows(
    *,
    key: str,
    kind: NoticeKind,
    recipients: Iterable,
    reference: str,
    due: datetime,
    link: str,
    email_to: str = "",
    inbox: bool = True,
    **about,
) -> tuple[NoticeEvent, list[Notification]]:
    """The notice's event and its notifications as ``raise_notice`` writes them, not yet
    written (the notifications name the event, written first; a caller that writes them
    itself, as a referral submission does with ``audit.together``, writes the
    notifications only if the event was new, and hands the emails to
    ``dispatch_on_commit``). ``about``: the event's referral, request, challenge,
    discussion or action, by id."""
    event = NoticeEvent(key=key, kind=kind, **about)
    subject, body = TEXT[kind]
    words = {"reference": reference, "due": _local(due)}
    now = timezone.now()
    rows = []
    for person in {p.pk: p for p in recipients if p.is_active}.values():
        common = {
            "event": event,
            "kind": kind,
            "recipient": person,
            "link": link,
            "subject": subject.format(**words),
            "body": body.format(**words),
            "created_at": now,
        }
        if inbox:
            rows.append(
                Notification(
                    channel=Notification.Channel.INBOX,
                    status=Notification.Status.SENT,
                    sent_at=now,
                    **common,
                )
            )
        if (email_to or person.email) and kind not in INBOX_ONLY_KINDS:
            rows.append(
                Notification(channel=Notification.Channel.EMAIL, address=email_to, **common)
            )
    return event, rows


def dispatch_on_commit(written: Iterable[Notification]) -> None:
    """Hand the written notifications' emails to the workers once the transaction
    commits (notices.tasks)."""
    emails = [n.pk for n in written if n.channel == Notification.Channel.EMAIL]
    if emails:
        transaction.on_commit(lambda: dispatch(emails))


def _new_event(event: NoticeEvent) -> NoticeEvent | None:
    """The event, written now; None when one with its key exists already. One statement
    (INSERT ... ON CONFLICT DO NOTHING, its SQL made once: audit.inserts), where
    get_or_create's look-up, savepoint and insert took four: a second writer of the same
    key waits for the first to commit and then writes nothing, as get_or_create's
    retried look-up would find."""
    return inserts.insert_unless_taken(event, unique="key")


def inbox_for(user):
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.INBOX)


# The unread count's statement for each database alias, compiled once a process.
_UNREAD_STATEMENTS: dict[str, tuple[str, tuple]] = {}


def unread_count(user) -> int:
    """How many of ``user``'s inbox notices are unread: ``inbox_for(user)`` unread,
    counted, as the header shows on every page. The same statement as the ORM's count of
    it, but compiled once a process (building and compiling the queryset on every page was
    a twentieth of the queue page's CPU); the recipient's id is its first parameter, the
    rest (the channel, unread) the ORM's own compilation of them."""
    alias = router.db_for_read(Notification)
    statement = _UNREAD_STATEMENTS.get(alias)
    if statement is None:
        query = Notification.objects.filter(
            channel=Notification.Channel.INBOX, read_at__isnull=True
        ).query
        compiler = query.get_compiler(using=alias)
        where, params = compiler.compile(query.where)
        quote = connections[alias].ops.quote_name
        table = quote(Notification._meta.db_table)
        recipient = quote(Notification._meta.get_field("recipient").column)
        sql = f"SELECT COUNT(*) FROM {table} WHERE {table}.{recipient} = %s AND {where}"  # noqa: S608 - our own table and column, the ORM's own condition
        statement = _UNREAD_STATEMENTS[alias] = (sql, tuple(params))
    sql, params = statement
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, (user.pk, *params))
        return cursor.fetchone()[0]


def tell_account_owner(
    *,
    user,
    kind: NoticeKind,
    key: str,
    at: datetime,
    reference: str = "",
    email_to: str = "",
    inbox: bool = True,
) -> NoticeEvent | None:
    """Tell ``user``, and only them, that their sign-in details changed at ``at``: an
    inbox notice and an email, with a link to their account page. Nothing secret (no
    token, no key) and nobody's name travels; once per ``key``. ``reference`` fills the
    kind's {reference} (a new browser's plain description); ``email_to`` sends the email
    to another of their addresses (the one their account had before), ``inbox`` False
    sends the email alone."""
    return raise_notice(
        key=f"sign-in:{key}",
        kind=kind,
        recipients=[user],
        reference=reference,
        due=at,
        link=settings.BASE_URL + reverse("account"),
        email_to=email_to,
        inbox=inbox,
    )


def tell_administrators_email_failed(
    *, notification: Notification, at: datetime
) -> NoticeEvent | None:
    """An email notice failed for good (``notices.delivery``'s ``email_failed``, answered
    in notices.receivers): tell every administrator,
    in the inbox alone (EMAIL_FAILED is in INBOX_ONLY_KINDS: the mail relay may be what
    failed), at most once in ``FAILED_EMAIL_ALERT_MINUTES`` however many fail while the
    relay is down (every one is in the admin's list of failed emails). The email by its
    number, its kind, its referral and recipient by id; never a name or an address. A
    failed notice of this kind is never told again (there is none to fail: it is never
    emailed; and were there one, telling it would raise another without end)."""
    if notification.kind in INBOX_ONLY_KINDS:
        return None
    minutes = settings.FAILED_EMAIL_ALERT_MINUTES
    window = int(at.timestamp()) // (minutes * 60)
    about = NoticeKind(notification.kind).label.lower()
    referral_id = notification.event.referral_id
    if referral_id is not None:
        about = f"{about}, referral {referral_id}"
    return raise_notice(
        key=f"email-failed:window:{minutes}:{window}",
        kind=NoticeKind.EMAIL_FAILED,
        recipients=users_with(Capability.MANAGE_SYSTEM),
        reference=f"email {notification.pk} ({about}) to account {notification.recipient_id}",
        due=at,
        link=settings.BASE_URL
        + reverse("admin:notices_notification_changelist")
        + "?status__exact=failed",
    )
