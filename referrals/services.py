"""Writes about referrals. Every rule lives here, for the web form and the API alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.urls import reverse
from django.utils import timezone

from agencies.agency_reads import agency_of
from agencies.census import source_of_referral_code
from agencies.models import Agency
from agencies.policy import Capability, can, refers_on_behalf
from audit import inserts, together
from audit.models import EventKind
from audit.services import event_rows, record_events
from core.clock import decision_due_at
from core.exceptions import DomainError, InvalidState, NotPermitted
from notices.models import NoticeEvent, NoticeKind
from notices.services import dispatch_on_commit, notice_rows, raise_notice
from referrals import coaching, references
from referrals.census import CALLER_SOURCE, CallerType, concern_mask
from referrals.matching import exact_nhs_match
from referrals.models import (
    Channel,
    HouseholdMember,
    IdempotencyRecord,
    ParentalConsent,
    Referral,
    ReferralConcern,
    Status,
    Submission,
)
from referrals.validation import birth_date_errors, received_at_error

CHILD_FIELDS = (
    "child_first_name",
    "child_last_name",
    "child_other_names",
    "child_date_of_birth",
    "child_expected_date_of_birth",
    "child_gender",
    "child_ethnicity",
    "child_first_language",
    "child_interpreter_needed",
    "child_religion",
    "child_disabilities",
    "child_address",
    "child_postcode",
    "child_school",
    "child_nhs_number",
)
DETAIL_FIELDS = (
    "worry",
    "lived_experience",
    "child_voice",
    "voice_worries",
    "voice_good_things",
    "voice_dreams",
    "new_or_pattern",
    "history_and_pattern",
    "working_well",
    "what_should_happen",
    "parental_consent",
    "consent_not_sought_reason",
    "immediate_risk",
    "other_professionals",
)
CONTACT_FIELDS = (
    "referrer_name",
    "referrer_role",
    "referrer_organisation",
    "referrer_phone",
    "referrer_email",
)
VOICE_HOUSE_FIELDS = ("voice_worries", "voice_good_things", "voice_dreams")
HOUSEHOLD_FIELDS = ("name", "relationship", "date_of_birth", "lives_with_child", "known_risk")


class ReferralError(DomainError):
    """A referral that breaks a rule; ``errors`` maps field names to messages."""


def _check_details(
    details: dict, concerns: Sequence[str], children: Sequence[dict], *, today: date
) -> None:
    errors: dict[str, list[str]] = {}
    required = {
        "worry": "Say specifically what you are worried about for the child",
        "lived_experience": "Describe what a day is like for the child",
        "child_voice": "Say what the child has said, or why it could not be gathered",
    }
    houses = [str(details.get(f) or "").strip() for f in VOICE_HOUSE_FIELDS]
    for field, message in required.items():
        text = str(details.get(field) or "").strip()
        if not text and not (field == "child_voice" and any(houses)):
            errors[field] = [message]
        elif coaching.is_placeholder(text, field=field):
            errors[field] = [coaching.placeholder_message(field, text)]
    if not concerns:
        errors["concerns"] = ["Choose at least one kind of concern"]
    if not details.get("parental_consent"):
        errors["parental_consent"] = [
            "Say whether the parents know about and agree to this referral"
        ]
    elif (
        details["parental_consent"] == ParentalConsent.NOT_SOUGHT
        and not str(details.get("consent_not_sought_reason") or "").strip()
    ):
        errors["consent_not_sought_reason"] = ["Say why consent was not sought"]
    if not children:
        errors["children"] = ["Add the child you are referring"]
    elif len(children) > settings.MAX_CHILDREN_PER_REFERRAL:
        errors["children"] = [too_many_children_message()]
    for child in children:
        for field, messages in birth_date_errors(
            date_of_birth=child.get("child_date_of_birth"),
            expected_date_of_birth=child.get("child_expected_date_of_birth"),
            today=today,
        ).items():
            # Siblings with the same mistake get one message, not one each.
            errors[field] = list(dict.fromkeys(errors.get(field, []) + messages))
    if errors:
        raise ReferralError(errors)


def too_many_children_message() -> str:
    limit = settings.MAX_CHILDREN_PER_REFERRAL
    return (
        f"Children: one referral can name at most {limit} "
        f"child{'ren' if limit != 1 else ''}. Make another referral for the others"
    )


def check_received_at(received_at: datetime, *, now: datetime) -> None:
    problem = received_at_error(received_at, now=now, max_age=settings.RECEIVED_AT_MAX_AGE)
    if problem:
        raise ReferralError({"received_at": [problem]})


def _next_references(year: int, count: int) -> list[str]:
    """``count`` new references for the year, in order, never issued before
    (referrals/references.py: on PostgreSQL without waiting for other submissions)."""
    return [references.format_reference(year, n) for n in references.next_numbers(year, count)]


def _next_reference(year: int) -> str:
    return _next_references(year, 1)[0]


# Checked by the database on every insert, and before it by ``_check_details`` and the
# fields' own validation (choices, lengths): a referral that reaches ``save()`` already
# satisfies them, so ``full_clean`` does not ask the database about each one first. The
# foreign keys are the caller's own user and agency, and a child found just now.
_NOT_CLEANED = ["reference", "submission", "referrer", "agency", "recorded_by", "child"]


def _validated(referral: Referral) -> Referral:
    try:
        referral.full_clean(exclude=_NOT_CLEANED, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ReferralError(
            {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        ) from None
    return referral


def submit_referrals(
    *,
    by,
    children: Sequence[dict],
    details: dict,
    concerns: Iterable[str],
    household: Sequence[dict] = (),
    contact: dict | None = None,
    channel: Channel,
    received_at: datetime | None = None,
    caller_type: str = "",
    caller_agency: Agency | None = None,
) -> list[Referral]:
    """Record one referral per child, linked as one submission.

    Referrers and agency leads refer for their own agency, and the server sets the time
    received. Screeners and managers record referrals made by phone or email (or sent
    by them through the API) on a caller's behalf, with the time it was received.
    """
    now = timezone.now()
    concerns = list(dict.fromkeys(concerns))
    on_behalf = channel in (Channel.PHONE, Channel.EMAIL) or refers_on_behalf(by)
    if on_behalf:
        if not can(by, Capability.RECORD_ON_BEHALF):
            raise NotPermitted("Only screeners and managers record referrals on a caller's behalf")
    elif not can(by, Capability.SUBMIT_REFERRAL):
        raise NotPermitted("Your role cannot make referrals")
    _check_details(details, concerns, children, today=timezone.localdate(now))

    if on_behalf and received_at is not None:
        check_received_at(received_at, now=now)
    else:
        received_at = now
    due_at = decision_due_at(received_at, settings.DECISION_CLOCK_POLICY)

    contact = dict(contact or {})
    if on_behalf:
        caller_type = caller_type or CallerType.PROFESSIONAL
        if caller_type == CallerType.PROFESSIONAL:
            agency = caller_agency
            source = source_of_referral_code(agency.type) if agency else "10"
        else:
            agency = None
            source = CALLER_SOURCE[CallerType(caller_type)]
        if caller_type == CallerType.ANONYMOUS:
            contact = {}
        referrer = None
        recorded_by = by
    else:
        agency = agency_of(by)
        source = source_of_referral_code(agency.type)
        referrer = by
        recorded_by = None
        caller_type = ""
        contact.setdefault("referrer_name", by.display_name)
        contact.setdefault("referrer_role", by.job_title)
        contact.setdefault("referrer_organisation", agency.name)
        contact.setdefault("referrer_email", by.email)
        contact.setdefault("referrer_phone", by.phone)

    referrals = [
        _validated(
            Referral(
                status=Status.RECEIVED,
                channel=channel,
                referrer=referrer,
                agency=agency,
                source_of_referral=source,
                recorded_by=recorded_by,
                caller_type=caller_type,
                received_at=received_at,
                decision_due_at=due_at,
                created_at=now,
                concern_mask=concern_mask(concerns),
                **{f: child[f] for f in CHILD_FIELDS if f in child},
                **{f: details[f] for f in DETAIL_FIELDS if f in details},
                **{f: contact.get(f) or "" for f in CONTACT_FIELDS},
            )
        )
        for child in children
    ]
    for referral in referrals:
        # The one automatic link: an exact NHS number is the same child. Anything less
        # certain is a screener's judgement (triage.services.screening.link_child).
        if referral.child_nhs_number:
            referral.child = exact_nhs_match(referral.child_nhs_number)

    # Every rule is checked: from here on only writes, in one transaction (the caller's,
    # without a savepoint of its own, when there is one: submit_api_referral's).
    with transaction.atomic(savepoint=False):
        # On PostgreSQL every row in one statement (audit.together), elsewhere, or for
        # more rows than a statement is kept for, each table's rows in one.
        what = {
            "by": by,
            "now": now,
            "referrals": referrals,
            "concerns": concerns,
            "household": household,
            "channel": channel,
            "received_at": received_at,
        }
        alias = router.db_for_write(Referral)
        most = len(referrals) * max(len(concerns), len(household), 1)
        if together.available(alias) and most <= inserts.CACHED_ROWS:
            concern_rows = _write_together(alias, **what)
        else:
            concern_rows = _write_apart(**what)
    for referral in referrals:
        # What the answer shows, known without asking again: its concerns, and that a
        # new referral has no decision.
        _remember_new(referral, [c for c in concern_rows if c.referral_id == referral.pk])
    return referrals


def _write_apart(*, by, now, referrals, concerns, household, channel, received_at):
    """The submission's rows, table by table (SQLite, or more rows than a statement is
    kept for): each table's rows in one statement whose SQL is made once
    (audit.inserts), the same rows and history versions that save() and
    bulk_create_with_history wrote. Its concerns, as written."""
    [submission] = inserts.insert([Submission(submitted_by=by, created_at=now)])
    issued = _next_references(timezone.localtime(received_at).year, len(referrals))
    for referral, reference in zip(referrals, issued, strict=True):
        referral.reference = reference
        referral.submission = submission
    inserts.insert_with_history(referrals, by=by)
    concern_rows = inserts.insert_with_history(_concern_rows(referrals, concerns), by=by)
    if household:
        inserts.insert_with_history(_household_rows(referrals, household), by=by)
    record_events(
        kind=EventKind.SUBMITTED,
        by=by,
        referrals=referrals,
        detail={"channel": channel, "submission": submission.pk},
    )
    for referral in referrals:
        acknowledge(referral)
    return concern_rows


def _write_together(alias, *, by, now, referrals, concerns, household, channel, received_at):
    """The same rows as ``_write_apart``, on PostgreSQL in three statements, not eight:
    the keys of the submission, its referrals and their acknowledgements' notice events
    (one SELECT, from their tables' sequences, as their INSERTs' defaults would take
    them), the references (referrals/references.py), then every row in one statement
    (audit.together): the submission, the referrals, their concerns and household with
    their versions, the audit events, and each acknowledgement's notice event with its
    notifications (these only if the event's key was new, as raise_notice writes them)."""
    acknowledged = [r for r in referrals if r.referrer_id is not None]
    submission_key, referral_keys, event_keys = together.take_keys(
        alias, [(Submission, 1), (Referral, len(referrals)), (NoticeEvent, len(acknowledged))]
    )
    submission = Submission(pk=submission_key[0], submitted_by=by, created_at=now)
    issued = _next_references(timezone.localtime(received_at).year, len(referrals))
    for referral, reference, key in zip(referrals, issued, referral_keys, strict=True):
        referral.pk = key
        referral.reference = reference
        referral.submission = submission
    writes = together.Together(alias)
    writes.add([submission])
    writes.add(referrals, by=by)
    concern_rows = _concern_rows(referrals, concerns)
    writes.add(concern_rows, by=by)
    if household:
        writes.add(_household_rows(referrals, household), by=by)
    writes.add(
        event_rows(
            kind=EventKind.SUBMITTED,
            by=by,
            referrals=referrals,
            detail={"channel": channel, "submission": submission.pk},
        )
    )
    notices = []
    for referral, key in zip(acknowledged, event_keys, strict=True):
        event, rows = notice_rows(**_referrer_notice(referral, NoticeKind.ACKNOWLEDGEMENT))
        event.pk = key
        number = writes.add([event], unless_taken="key")
        if rows:
            notices.append((writes.add(rows, only_if=number), rows))
    written = writes.write()
    for number, rows in notices:
        if number in written:
            dispatch_on_commit(rows)
    return concern_rows


def _concern_rows(referrals, concerns) -> list[ReferralConcern]:
    return [ReferralConcern(referral=r, category=c) for r in referrals for c in concerns]


def _household_rows(referrals, household) -> list[HouseholdMember]:
    return [
        HouseholdMember(referral=r, **{f: member[f] for f in HOUSEHOLD_FIELDS if f in member})
        for r in referrals
        for member in household
    ]


def _remember_new(referral: Referral, concerns: list[ReferralConcern]) -> None:
    rows = referral.concerns.all()
    rows._result_cache, rows._prefetch_done = concerns, True
    referral._prefetched_objects_cache = {"concerns": rows}
    Referral.decision.related.set_cached_value(referral, None)


def tell_referrer(referral: Referral, kind: NoticeKind, *, key: str = "") -> None:
    """A notice to the referral's referrer (none for a caller recorded by the front
    door), linking to the referral as they read it back; once per key (by default, once
    per referral and kind)."""
    if referral.referrer_id is None:
        return
    raise_notice(**_referrer_notice(referral, kind, key=key))


def _referrer_notice(referral: Referral, kind: NoticeKind, *, key: str = "") -> dict:
    return {
        "key": key or f"{kind}:{referral.pk}",
        "kind": kind,
        "recipients": [referral.referrer],
        "reference": referral.reference,
        "referral_id": referral.pk,
        "due": referral.decision_due_at,
        "link": settings.BASE_URL + reverse("referrals:detail", args=[referral.pk]),
    }


def acknowledge(referral: Referral) -> None:
    """Tell the referrer their referral arrived, and when a decision is due."""
    tell_referrer(referral, NoticeKind.ACKNOWLEDGEMENT)


# --- The API's submissions: one child each, retried safely with an Idempotency-Key --------


class IdempotencyKeyReused(InvalidState):
    """The key was used before with a different request body."""


def referral_for_key(*, by, key: str, fingerprint: str) -> Referral | None:
    """The referral an earlier request with this key made, or None. The same key with a
    different body is refused: it is a mistake, never a second referral."""
    # Nearly every key is new: the look-up reads two columns (the key is unique per
    # user, so no order), and only a retry reads its referral.
    found = list(
        IdempotencyRecord.objects.filter(user=by, key=key).values_list(
            "fingerprint", "referral_id"
        )[:1]
    )
    if not found:
        return None
    [(earlier_fingerprint, referral_id)] = found
    if earlier_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request body. "
            "Send a new key for a new referral."
        )
    return Referral.objects.get(pk=referral_id)


def submit_api_referral(
    *, by, data: dict, key: str | None = None, fingerprint: str = ""
) -> tuple[Referral, bool]:
    """Submit one child's referral sent through the API. Screeners and managers may say
    how it reached them (phone or email) and when; for everyone else it is an API
    referral received now. With a key, the key is recorded in the same transaction, so
    a retry finds it taken; returns the referral and whether an earlier request made it
    (the caller need not look the key up first)."""
    channel, on_behalf = Channel.API, {}
    if can(by, Capability.RECORD_ON_BEHALF):
        channel = data.get("channel", Channel.API)
        on_behalf = {
            "received_at": data.get("received_at"),
            "caller_type": data.get("caller_type", ""),
            "caller_agency": data.get("caller_agency"),
        }

    def submit() -> Referral:
        [referral] = submit_referrals(
            by=by,
            children=[{f: data[f] for f in CHILD_FIELDS if f in data}],
            details={f: data[f] for f in DETAIL_FIELDS if f in data},
            concerns=data["concerns"],
            household=data.get("household", []),
            contact={f: data[f] for f in CONTACT_FIELDS if f in data},
            channel=channel,
            **on_behalf,
        )
        return referral

    if key is None:
        return submit(), False
    try:
        with transaction.atomic():
            referral = submit()
            inserts.insert(
                [IdempotencyRecord(user=by, key=key, fingerprint=fingerprint, referral=referral)]
            )
    except IntegrityError:
        # A request with the same key committed first (this is a retry, or it raced this
        # one: the insert waits for it to commit): its referral is the answer, and this
        # one has been rolled back.
        earlier = referral_for_key(by=by, key=key, fingerprint=fingerprint)
        if earlier is None:
            raise
        return earlier, True
    return referral, False
