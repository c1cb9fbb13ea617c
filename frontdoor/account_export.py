"""What Front Door holds about a member of staff, downloaded by them (ASVS 8.3.2).

Every signed-in person, whatever their role, downloads the data about themselves as a
person from their account page: their account and its changes, their failed sign-ins
still counting, the browsers they sign in from, their browser sessions, API tokens,
authenticator apps and security keys, the notices sent to them, what they did (the audit
events where they are the actor) and what they opened (the access log). Never a secret:
no password hash, no session key or its hash, no token or its digest, no authenticator
key, no security key's credential.

It is the person's data, not the children's: the events and views name a record by its
type and number only (the case records themselves are read through the normal pages,
under the role's scope). The free text of the records is left out (an event's detail, a
break-the-glass reason), and so are the words of every notice not about the account
itself (a case notice, an alert naming another account and its address): its kind, time
and link only.

The file is streamed: an auditor or a screener may have a hundred thousand events, read
through one database cursor each (server-side on PostgreSQL), so the queries are the
same few however many there are and nothing is capped. It is built in this package
because it reads agencies, audit and notices, and only the project package sits above
all three. Reads go to the primary (not core.db's replica): the file names the download
it is part of, written just before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from axes.models import AccessAttempt
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies import browser_sessions, reauth
from agencies.models import ApiToken, Authenticator, KnownBrowser, Role, SecurityKey, User
from audit.models import AccessLog, AuditEvent, EventKind
from audit.services import record_event
from core import security_log
from notices.models import ACCOUNT_KINDS, NoticeKind, Notification

# Rows read from the database at a time by a streamed section, and bytes of JSON handed
# to the server at a time.
CHUNK_ROWS = 2000
CHUNK_BYTES = 64 * 1024

ABOUT = (
    "What Front Door holds about you as a member of staff, downloaded by you. Times are "
    "UTC. Records you worked on or opened are named by their type and number only: read "
    "them through Front Door's pages. Secrets are never included (your password, session "
    "keys, API tokens, authenticator and security keys). Nothing is left out for length."
)

_encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _label(choices, value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


def account(user: User) -> dict:
    agency = user.agency
    return {
        "id": user.pk,
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": user.job_title,
        "phone": user.phone,
        "role": user.role,
        "role_name": _label(Role, user.role),
        "agency": {"id": agency.pk, "name": agency.name} if agency else None,
        "date_joined": user.date_joined,
        "last_sign_in": user.last_login,
        "active": user.is_active,
        "must_change_password": user.must_change_password,
    }


# Who changed the account, said the same way in both sections that say it: the person
# themselves, or someone else, never which colleague (their data, not the person's), or
# no one signed in (a management command, a migration, the demo's set-up).
BY_YOU = "you"
BY_ANOTHER = "another member of staff"
BY_NO_ONE = "Front Door itself (no one signed in)"


def _changed_by(user: User, actor_id: int | None) -> str:
    if actor_id is None:
        return BY_NO_ONE
    return BY_YOU if actor_id == user.pk else BY_ANOTHER


def account_changes(user: User) -> list[dict]:
    """The account's kept history (django-simple-history): when it changed, whether by
    them or by someone else (not who: ``_changed_by``), as it stood after each change.
    Its password and last sign-in were never kept there."""
    rows = user.history.order_by("history_date", "history_id").values(
        "history_date",
        "history_type",
        "history_user_id",
        "username",
        "first_name",
        "last_name",
        "email",
        "job_title",
        "phone",
        "role",
        "agency_id",
        "is_active",
        "must_change_password",
    )
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    return [
        {
            "at": row.pop("history_date"),
            "change": kinds.get(row.pop("history_type"), "changed"),
            "changed_by": _changed_by(user, row.pop("history_user_id")),
            **row,
        }
        for row in rows
    ]


def failed_sign_ins(user: User) -> list[dict]:
    """Wrong passwords for this username that still count towards a lockout: when and how
    many. Not the address they came from (it may be someone else's) nor what was sent."""
    rows = AccessAttempt.objects.filter(username=user.get_username()).order_by("attempt_time")
    return [
        {"last_at": at, "failures": failures}
        for at, failures in rows.values_list("attempt_time", "failures_since_start")
    ]


def known_browsers(user: User) -> list[dict]:
    """The browsers this account has signed in from (agencies.known_browsers): when each
    was first and last seen. Not the digest of its cookie."""
    rows = KnownBrowser.objects.filter(user=user).order_by("first_seen_at", "pk")
    return [
        {"id": pk, "first_seen_at": first, "last_seen_at": last}
        for pk, first, last in rows.values_list("pk", "first_seen_at", "last_seen_at")
    ]


def sessions(user: User, *, current_key: str | None) -> list[dict]:
    """The browser sessions that work now, as the account page lists them."""
    return [
        {
            "id": shown.id,
            "browser": shown.device,
            "signed_in_at": shown.started_at,
            "last_used_at": shown.last_seen_at,
            "this_session": shown.current,
        }
        for shown in browser_sessions.sessions_of(user, current_key=current_key)
    ]


def api_tokens(user: User) -> list[dict]:
    """Every API token row held, working or not. Front Door keeps no time of last use:
    a token's expiry moves forward each time it is used, up to its latest."""
    now = timezone.now()
    return [
        {
            "id": token.pk,
            "issued_at": token.created,
            "expires_if_unused_at": token.expiry,
            "expires_at_the_latest": token.latest_expiry,
            "works_now": token.expiry is None or token.expiry > now,
        }
        for token in ApiToken.objects.filter(user=user).only("pk", "created", "expiry", "user")
    ]


def _devices(model, user: User) -> list[dict]:
    rows = model.objects.filter(user=user).order_by("created_at", "pk")
    return [
        {
            "id": pk,
            "name": name,
            "set_up": confirmed,
            "added_at": created,
            "last_used_at": used,
        }
        for pk, name, confirmed, created, used in rows.values_list(
            "pk", "name", "confirmed", "created_at", "last_used_at"
        )
    ]


def authenticator_apps(user: User) -> list[dict]:
    return _devices(Authenticator, user)


def security_keys(user: User) -> list[dict]:
    return _devices(SecurityKey, user)


def notices(user: User) -> Iterator[dict]:
    """Every notice sent to them, inbox and email. The words of those about their own
    account; of the rest (about a case, or an alert naming another account and its
    address) the kind, time and link only."""
    rows = (
        Notification.objects.filter(recipient=user)
        .order_by("created_at", "pk")
        .values_list(
            "pk",
            "kind",
            "channel",
            "status",
            "created_at",
            "sent_at",
            "read_at",
            "link",
            "subject",
            "body",
            "address",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for pk, kind, channel, status, created, sent, read, link, subject, body, address in rows:
        notice = {
            "id": pk,
            "kind": kind,
            "kind_name": _label(NoticeKind, kind),
            "channel": channel,
            "status": status,
            "created_at": created,
            "sent_at": sent,
            "read_at": read,
            "link": link,
        }
        if kind in ACCOUNT_KINDS:
            notice.update(subject=subject, body=body, sent_to_address=address or None)
        yield notice


def actions(user: User) -> Iterator[dict]:
    """The audit events where they are the actor: what kind, when, and on which record by
    its type and number. Not the event's detail (codes and ids about the case)."""
    rows = (
        AuditEvent.objects.filter(actor_id=user.pk)
        .order_by("at", "pk")
        .values_list("pk", "at", "kind", "referral_id", "object_type", "object_id")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for pk, at, kind, referral_id, object_type, object_id in rows:
        yield {
            "id": pk,
            "at": at,
            "kind": kind,
            "kind_name": _label(EventKind, kind),
            "referral_id": referral_id,
            "object_type": object_type or None,
            "object_id": object_id,
        }


def events_about_account(user: User) -> list[dict]:
    """Audit events about their account made by someone else (an administrator setting
    their password): the kind and time, and as in ``account_changes`` not who."""
    rows = (
        AuditEvent.objects.filter(object_type="user", object_id=user.pk)
        .exclude(actor_id=user.pk)
        .order_by("at", "pk")
    )
    return [
        {
            "at": at,
            "kind": kind,
            "kind_name": _label(EventKind, kind),
            "changed_by": _changed_by(user, actor_id),
        }
        for at, kind, actor_id in rows.values_list("at", "kind", "actor_id")
    ]


def records_opened(user: User) -> Iterator[dict]:
    """The access log's rows of what they opened: the kind of record, its number, the
    page, the address it was opened from, and whether they broke the glass (not the
    reason they gave, which may name a child; not the ids a list showed)."""
    rows = (
        AccessLog.objects.filter(user_id=user.pk)
        .order_by("at", "pk")
        .values_list("pk", "at", "kind", "object_id", "path", "ip_address", "break_glass_reason")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for pk, at, kind, object_id, path, address, reason in rows:
        yield {
            "id": pk,
            "at": at,
            "kind": kind,
            "kind_name": _label(AccessLog.Kind, kind),
            "object_id": object_id,
            "path": path,
            "address": address,
            "broke_the_glass": bool(reason),
        }


def _array(rows: Iterable[dict]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        yield ("" if first else ",") + "\n" + _encoder.encode(row)
        first = False
    yield "\n]"


def document(user: User, *, current_key: str | None) -> Iterator[str]:
    """The JSON file, piece by piece; each section read when it is reached."""
    sections = {
        "about": lambda: ABOUT,
        "generated_at": timezone.now,
        "account": lambda: account(user),
        "account_changes": lambda: account_changes(user),
        "failed_sign_ins_counting_now": lambda: failed_sign_ins(user),
        "known_browsers": lambda: known_browsers(user),
        "browser_sessions": lambda: sessions(user, current_key=current_key),
        "api_tokens": lambda: api_tokens(user),
        "authenticator_apps": lambda: authenticator_apps(user),
        "security_keys": lambda: security_keys(user),
        "notices": lambda: _array(notices(user)),
        "your_actions": lambda: _array(actions(user)),
        "changes_to_your_account_by_others": lambda: events_about_account(user),
        "records_you_opened": lambda: _array(records_opened(user)),
    }
    yield "{"
    for index, (name, read) in enumerate(sections.items()):
        yield ("," if index else "") + "\n" + _encoder.encode(name) + ":"
        value = read()
        if isinstance(value, Iterator):
            yield from value
        else:
            yield _encoder.encode(value)
    yield "\n}\n"


def _in_chunks(pieces: Iterable[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def filename(user: User) -> str:
    """Named by the account's number and the day, never by the person's name."""
    return f"front-door-account-{user.pk}-{timezone.localdate().isoformat()}.json"


@login_required
@require_GET
def download(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own data, only ever theirs (no id in the address), once
    they have confirmed it is them (agencies.reauth): without a recent confirmation they
    are sent to confirm, then back to the account page's link (sent on to the download
    itself, the browser would save the file and leave them looking at the confirmation
    page). The download is an audit event (their own account, by id) and a line in the
    security log, written before the file is read."""
    if not reauth.is_recent(request):
        return reauth.to_confirm(request, back_to=reverse("account") + "#account-data")
    user = request.user
    with transaction.atomic():
        record_event(
            kind=EventKind.ACCOUNT_DATA_EXPORTED,
            by=user,
            object_type="user",
            object_id=user.pk,
            detail={"format": "json"},
        )
    security_log.account_data_exported(user_id=user.pk)
    user = User.objects.select_related("agency").get(pk=user.pk)
    response = StreamingHttpResponse(
        _in_chunks(document(user, current_key=request.session.session_key)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(user)}"'
    response["Cache-Control"] = "no-store"
    return response
