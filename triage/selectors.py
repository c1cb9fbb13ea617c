"""Reads for the queue, the screening page and the decision screen. The repeat-referral
and chronic-neglect flags they show are worked out in triage.repeat_flags (imported here
too, for the callers that read them from this module)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import DatabaseError, connections
from django.db.models import (
    BooleanField,
    CharField,
    Expression,
    Func,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL

from agencies.compiled_reads import converted
from agencies.policy import Capability, can
from referrals import break_glass
from referrals.census import CONCERN_BITS
from referrals.models import Referral, Status
from referrals.selectors import referrals_visible_to
from triage.models import Decision, InformationRequest
from triage.repeat_flags import PATTERN_COUNT as PATTERN_COUNT
from triage.repeat_flags import REPEAT_WINDOW, with_repeat_flags
from triage.repeat_flags import RepeatFlags as RepeatFlags
from triage.repeat_flags import repeat_flags as repeat_flags
from triage.repeat_flags import repeat_flags_of_history as repeat_flags_of_history
from triage.repeat_flags import repeat_flags_of_times as repeat_flags_of_times

# The queue's order; ``referral_queue_idx`` (partial: open referrals only) serves it.
QUEUE_ORDER = ("-immediate_risk", "decision_due_at", "pk")


def queue_for(user) -> QuerySet:
    """Every undecided referral the user may see: immediate risk first, then by the
    time the decision is due. Narrow on purpose: filter, count and pick a page from
    this (the partial index serves the order); then ``queue_rows`` reads what the page's
    rows show."""
    return referrals_visible_to(user).exclude(status=Status.DECIDED).order_by(*QUEUE_ORDER)


def page_referrals(page) -> QuerySet:
    """The referrals of one page of ``queue_for`` (a Paginator's page of it), as a sliced
    queryset for ``queue_rows``: a page in the back half of the queue is counted from its
    end, in the reverse order (the partial index read backwards), so that no page passes
    over more than half of the queue to reach its rows (the last page of 10,000 open
    referrals passed over 9,950 index entries, each time). The same rows: the order is
    total (it ends with the id), and ``queue_rows`` puts them in the queue's order."""
    paginator = page.paginator
    queryset = paginator.object_list
    size = paginator.per_page
    bottom = (page.number - 1) * size
    top = min(bottom + size, paginator.count)
    after = paginator.count - top  # the queue's referrals after this page
    if after >= bottom:
        return queryset[bottom:top]
    return queryset.reverse()[after : paginator.count - bottom]


class HasConcern(Expression):
    """A filter: the referral has a concern of ``category``. Read from its concern bits
    (Referral.concern_mask), which the queue's index holds (referral_queue_idx), so a
    count or a page of the open referrals reads that index alone rather than probing the
    concerns table for each of them. A referral whose mask is not known (null: made
    before the mask existed, or by code that does not set it) has its concerns read
    instead, so the rows never depend on the mask being there; a scalar probe in a CASE,
    not EXISTS, so PostgreSQL runs it only for such a referral and never hashes every
    referral with the concern beforehand. Written as SQL rather than built from the ORM's
    expressions (a CASE, a subquery, two lookups): compiling those cost the page more
    than they saved."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, category: str):
        super().__init__()
        self.category = str(category)
        self.bit = CONCERN_BITS[category]
        self.alias = None

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()  # the referrals' table in this query
        return resolved

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def get_group_by_cols(self):
        return []

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.alias)
        # The alias quoted by the compiler; the category and its bit are parameters.
        sql = _HAS_CONCERN_SQL.format(mask=f"{table}.concern_mask", pk=f"{table}.id")
        return sql, (self.category, self.bit)


_HAS_CONCERN_SQL = (
    "CASE WHEN {mask} IS NULL THEN (SELECT 1 FROM referrals_referralconcern fd_hc "
    "WHERE fd_hc.referral_id = {pk} AND fd_hc.category = %s LIMIT 1) IS NOT NULL "
    "ELSE ({mask} & %s) <> 0 END"
)


class ConcernList(Func):
    """A referral's concern categories, comma-separated, in the order they were recorded:
    in the row's own query rather than a prefetch of its own. (A category is a fixed
    value, never a comma: ReferralConcern's check constraint.)"""

    output_field = CharField()
    template = (
        "(SELECT STRING_AGG(fd_c.category, ',' ORDER BY fd_c.id) FROM "
        "referrals_referralconcern fd_c WHERE fd_c.referral_id = %(expressions)s)"
    )

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite's GROUP_CONCAT takes no ORDER BY: it keeps the order of what it reads.
        template = (
            "(SELECT GROUP_CONCAT(category, ',') FROM (SELECT fd_c.category FROM "
            "referrals_referralconcern fd_c WHERE fd_c.referral_id = %(expressions)s "
            "ORDER BY fd_c.id))"
        )
        return super().as_sql(compiler, connection, template=template, **extra)


@dataclass(slots=True)
class QueueRow:
    """What one queue row shows (triage.queue_markup), and no more: a referral row is about
    3 KB with its narratives, which the queue never shows. Read as values, not as a
    Referral with its agency and assignee: fifty models a page cost more than the row's
    markup. ``repeat_flags`` and ``is_unallocated_too_long`` read it as they read an
    annotated referral."""

    pk: int
    reference: str
    status: str
    immediate_risk: bool
    received_at: datetime
    decision_due_at: datetime
    child_id: int | None
    child_first_name: str
    child_last_name: str
    child_date_of_birth: date | None
    child_expected_date_of_birth: date | None
    caller_type: str
    agency_name: str | None
    assigned_to_id: int | None
    assigned_first_name: str | None
    assigned_last_name: str | None
    assigned_username: str | None
    earlier_count: int
    earlier_neglect: bool
    has_neglect: bool
    concern_recurs: bool
    sibling_count: int
    concern_list: str | None  # the categories' values, comma-separated, as recorded

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}".strip()  # Referral.child_name

    @property
    def assigned_to_name(self) -> str:
        """The assignee's display name (User.display_name); "" when unallocated."""
        if self.assigned_to_id is None:
            return ""
        name = f"{self.assigned_first_name} {self.assigned_last_name}".strip()
        return name or self.assigned_username or ""


# QueueRow's fields in the order of its columns, as the ORM names them.
_QUEUE_ROW_VALUES = {
    "pk": "pk",
    "reference": "reference",
    "status": "status",
    "immediate_risk": "immediate_risk",
    "received_at": "received_at",
    "decision_due_at": "decision_due_at",
    "child_id": "child_id",
    "child_first_name": "child_first_name",
    "child_last_name": "child_last_name",
    "child_date_of_birth": "child_date_of_birth",
    "child_expected_date_of_birth": "child_expected_date_of_birth",
    "caller_type": "caller_type",
    "agency_name": "agency__name",
    "assigned_to_id": "assigned_to_id",
    "assigned_first_name": "assigned_to__first_name",
    "assigned_last_name": "assigned_to__last_name",
    "assigned_username": "assigned_to__username",
}
# The annotations, after the fields, in QueueRow's order.
_QUEUE_ROW_ANNOTATIONS = (
    "earlier_count",
    "earlier_neglect",
    "has_neglect",
    "concern_recurs",
    "sibling_count",
    "concern_list",
)
# Where the page's ids go in the rows' statement: a marker the compiled SQL is split at.
_PAGE_MARKER = "fd_queue_page_ids"
# The rows' statement as PostgreSQL keeps it prepared, one for each connection.
_PREPARED_NAME = "fd_queue_rows"


@dataclass(frozen=True)
class _RowsStatement:
    head: str  # up to and including "... IN ("
    tail: str  # from the ")" after the ids on
    head_params: tuple
    tail_params: tuple
    columns: tuple  # the select's expressions, for the database's converters


_rows_statements: dict[str, _RowsStatement] = {}
# The PostgreSQL connections (psycopg's own objects, so a connection Django replaces is
# forgotten with it) on which the rows' statement has been prepared.
_prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _rows_statement(alias: str) -> _RowsStatement:
    """The rows' statement as the ORM compiles it, once a process for each database:
    with_repeat_flags' five subqueries and the concern list cost more to compile than to
    run for fifty rows. Compiled with a marker where the page's ids go, split there.
    Not agencies.compiled_reads: its parameters are fixed values, not markers, its marker
    is in the SQL's text, the SQL is PREPAREd on PostgreSQL, and it reads tuples."""
    statement = _rows_statements.get(alias)
    if statement is None:
        queryset = (
            with_repeat_flags(Referral.objects.all())
            .annotate(concern_list=ConcernList("pk"))
            .filter(pk__in=RawSQL(_PAGE_MARKER, ()))  # noqa: S611 - a fixed word, split off
            .order_by(*QUEUE_ORDER)
            .values(*_QUEUE_ROW_VALUES.values(), *_QUEUE_ROW_ANNOTATIONS)
        )
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        names = [*queryset.query.values_select, *queryset.query.annotation_select]
        # The columns come in the order QueueRow takes them (values() puts the fields
        # first, then the annotations in the order they were made).
        if (
            names != [*_QUEUE_ROW_VALUES.values(), *_QUEUE_ROW_ANNOTATIONS]
            or sql.count(_PAGE_MARKER) != 1
            or f" IN ({_PAGE_MARKER})" not in sql
            or "%%" in sql
        ):
            raise AssertionError(f"the queue rows' statement is not as expected: {names}")
        head, tail = sql.split(_PAGE_MARKER)
        split = head.count("%s")
        columns = tuple(column for column, _, _ in compiler.select[: compiler.col_count])
        statement = _RowsStatement(head, tail, params[:split], params[split:], columns)
        _rows_statements[alias] = statement
    return statement


def _prepared(connection, statement: _RowsStatement) -> str:
    """The name of the rows' statement prepared on this PostgreSQL connection (PREPARE,
    the first time on each connection): PostgreSQL then plans it once, not on every page
    (planning its subqueries was about half of its time; docs/PERFORMANCE.md, "The queue's
    CPU, cut again"). The page's ids are its one parameter, an array; the rest of its
    values are fixed, written in as the driver writes any value. Prepared through the
    driver's own cursor, not Django's: it is part of the connection, not of a page (a
    prepared statement outlives a rolled-back transaction, as the connection does)."""
    raw = connection.connection
    if raw not in _prepared_on:
        with raw.cursor() as cursor:
            head = cursor.mogrify(statement.head, statement.head_params).decode()
            tail = cursor.mogrify(statement.tail, statement.tail_params).decode()
            head = head.removesuffix(" IN (")
            tail = tail.removeprefix(")")
            cursor.execute(
                f"PREPARE {_PREPARED_NAME}(bigint[]) AS {head} = ANY($1){tail}"  # noqa: S608 - our compiled SQL
            )
        _prepared_on[raw] = True
    return _PREPARED_NAME


# What PostgreSQL answers when the prepared statement is gone (a DISCARD, a pooler) or no
# longer fits the tables (a migration changed a column it returns).
_STALE_PREPARED = frozenset({"26000", "0A000"})


def _execute_prepared(connection, cursor, statement: _RowsStatement, ids: list) -> None:
    """EXECUTE the prepared rows' statement; if PostgreSQL no longer has it, or its plan
    no longer fits the tables, prepared again and executed once more (outside a
    transaction only: inside one the error has ended it)."""
    try:
        cursor.execute(f"EXECUTE {_prepared(connection, statement)}(%s)", (ids,))
    except DatabaseError as error:
        code = getattr(error.__cause__, "pgcode", None)
        if code not in _STALE_PREPARED or connection.in_atomic_block:
            raise
        _prepared_on.pop(connection.connection, None)
        if code == "0A000":  # still there, but stale: made again under its name
            cursor.execute(f"DEALLOCATE {_PREPARED_NAME}")
        cursor.execute(f"EXECUTE {_prepared(connection, statement)}(%s)", (ids,))


def queue_rows(page: QuerySet) -> list[QueueRow]:
    """The rows of one page of ``queue_for`` (a sliced queryset), in its order, with their
    repeat flags (``with_repeat_flags``) and concerns: the page's ids, then one statement
    for their rows, so the flags' subqueries run for the page's rows only, never for the
    rows a deep page skips. On PostgreSQL that statement is prepared once a connection
    (``_prepared``)."""
    alias = page.db
    connection = connections[alias]
    ids = list(page.values_list("pk", flat=True))
    if not ids:  # an empty page: nothing to read
        return []
    statement = _rows_statement(alias)
    converters = {
        i: (functions, column)
        for i, column in enumerate(statement.columns)
        if (
            functions := connection.ops.get_db_converters(column)
            + column.get_db_converters(connection)
        )
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _execute_prepared(connection, cursor, statement, ids)
        else:
            cursor.execute(
                statement.head + ", ".join(["%s"] * len(ids)) + statement.tail,
                (*statement.head_params, *ids, *statement.tail_params),
            )
        fetched = cursor.fetchall()
    if not converters:
        return [QueueRow(*values) for values in fetched]
    return [QueueRow(*converted(values, converters, connection)) for values in fetched]


def referral_for_screening(user, referral_id: int) -> Referral:
    """One referral with everything the screening page shows, for those whose role reads
    the screening record; anyone else, even the referral's own referrer, is told it does
    not exist (Referral.DoesNotExist)."""
    if not can(user, Capability.VIEW_ALL_REFERRALS):
        raise Referral.DoesNotExist
    return (
        with_repeat_flags(referrals_visible_to(user))
        .select_related(
            "agency",
            "referrer",
            "recorded_by",
            "assigned_to",
            "child",
            "recommended_by",
            "decision",
            "decision__decided_by",
            "decision__threshold_level",
            "quality",
            "quality__rated_by",
        )
        .prefetch_related("concerns", "household", "notes__author")
        .get(pk=referral_id)
    )


def child_referrals_in_window(referral: Referral) -> QuerySet:
    """The child's other referrals in the 12 months before this one, with outcomes."""
    if referral.child_id is None:
        return Referral.objects.none()
    return (
        Referral.objects.filter(
            child_id=referral.child_id,
            received_at__lt=referral.received_at,
            received_at__gte=referral.received_at - REPEAT_WINDOW,
        )
        .select_related("decision", "agency")
        .prefetch_related("concerns")
        .order_by("-received_at")
    )


def is_unallocated_too_long(referral: Referral, *, now: datetime, minutes: int) -> bool:
    return referral.assigned_to_id is None and now - referral.received_at > timedelta(
        minutes=minutes
    )


def open_requests_overdue(now: datetime) -> QuerySet[InformationRequest]:
    """Unanswered requests past their due time (the ``answered_at, due_at`` index)."""
    return InformationRequest.objects.filter(answered_at__isnull=True, due_at__lte=now).order_by(
        "due_at", "pk"
    )


# --- Break the glass for what hangs from a referral ----------------------------------------


def discussion_is_closed(discussion, *, now: datetime) -> bool:
    """A strategy discussion is a closed record when its referral is and it was held
    longer ago than the closed line: one held lately is work in hand, whenever its
    referral was decided."""
    return break_glass.long_ago(discussion.held_at, now=now) and break_glass.referral_is_closed(
        discussion.referral, now=now
    )


def closed_discussions(*, now: datetime) -> Q:
    """``discussion_is_closed`` as a filter. The API's list leaves these out row by row,
    within its page's budget (triage.strategy_api); the website's list asks
    ``open_discussions``, the same rule turned round so that PostgreSQL need not read a
    referral a discussion."""
    return Q(held_at__lt=break_glass.closed_before(now)) & break_glass.closed_referrals(
        now=now, prefix="referral__"
    )


def open_discussions(*, now: datetime) -> Q:
    """The discussions that are not closed (``closed_discussions``' complement), for the
    website's list of screeners and managers: held since the closed line, or about a
    referral that is not closed. A referral is not closed when it is undecided, decided
    since the line (a decision exists exactly when it is decided: triage.triggers), or
    about a child with an undecided referral. Each is a set of referral ids that
    PostgreSQL builds once (a hashed subplan, only when the list reaches a discussion held
    before the line), from the open referrals' partial indexes, the decisions'
    (decided_at, referral) index and, for the last set (every referral of a child with
    an open referral, about 45,000 on the national data), the referrals' (child,
    received_at) index that includes their ids: from the indexes alone, so a list newest
    first reads neither every referral nor every decision, however deep its page. (From
    the foreign key's index, which holds no ids, the last set took about 0.7 s a page to
    build; referrals 0011.) The API's list tests ``closed_discussions`` row by row within
    a budget instead."""
    line = break_glass.closed_before(now)
    undecided = Referral.objects.exclude(status=Status.DECIDED)
    return (
        Q(held_at__gte=line)
        | Q(referral_id__in=undecided.values("pk"))
        | Q(referral_id__in=Decision.objects.filter(decided_at__gte=line).values("referral_id"))
        | Q(
            referral_id__in=Referral.objects.filter(
                child_id__in=undecided.filter(child__isnull=False).values("child_id")
            ).values("pk")
        )
    )


def challenge_is_closed(challenge, *, now: datetime) -> bool:
    """A challenge is a closed record when its referral is and it was resolved longer ago
    than the closed line: an open challenge is work in hand."""
    return break_glass.long_ago(challenge.resolved_at, now=now) and break_glass.referral_is_closed(
        challenge.referral, now=now
    )
