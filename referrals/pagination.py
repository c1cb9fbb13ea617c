"""Keyset pages for the referral lists: a page starts after (or before) the last row the
reader saw, found through an index that serves the list's order, so neither a deep page
nor the first one sorts or counts the whole history (a screener's list holds every
referral in the country; a police force's agency lead has hundreds of thousands).

A position is the values of the row's ordering fields, which together are unique (the
last is a key), encoded into an opaque token for the URL: no offset, no page number, no
total. ``page(queryset, ordering=..., token=..., size=...)`` reads one page;
``KeysetPagination`` is the same for DRF (``?cursor=``, ``next`` and ``previous``
links, no ``count``), ``ReferralCursorPagination`` its referral list's. The strategy
discussions' lists page the same way (triage.strategy_api, triage.strategy_list_views).

A list that leaves rows out row by row (``keep``: the closed records a screener does not
see) walks past every row it leaves out, and deep in a history where nearly every row is
left out that walk has no bound. So such a list gives each page a ``budget``: the page
reads at most that many rows beyond its position, in the list's order, before ``keep``,
and shows those of them that pass it. A page the budget cuts short holds fewer rows,
even none, and its link onward starts after the last row it read, not the last it
showed: every row is read by exactly one page, and only the end of the list has no link
onward.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

CURSOR_MESSAGE = "Use a cursor from a `next` or `previous` link, unchanged."
_TOKEN_MAX = 400


class InvalidPosition(ValueError):
    """A token that is not a position this list wrote."""


def _field(queryset: QuerySet, name: str):
    return queryset.model._meta.get_field("id" if name == "pk" else name)


# A token's first element: bit 0 the direction (set: the page before the position, newer
# rows), bit 1 whether the page starts at the position's row itself rather than after it
# (the way back from a page that showed nothing: see ``page``).
_BACKWARDS, _INCLUSIVE = 1, 2


@dataclass(frozen=True)
class Position:
    """Where a page starts, as a token says: the ordering fields' values, which way the
    page runs from them, and whether it includes the row at them."""

    values: list
    backwards: bool = False
    inclusive: bool = False


def encode(values: list, *, backwards: bool = False, inclusive: bool = False) -> str:
    """The token for a position: the ordering fields' values (and the direction)."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    kind = (_BACKWARDS if backwards else 0) | (_INCLUSIVE if inclusive else 0)
    data = json.dumps([kind, *plain], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode(token: str, *, queryset: QuerySet, ordering: tuple[str, ...]) -> Position:
    """The position a token names, each value as its model field reads it; raises
    InvalidPosition for anything this module did not write for this ordering."""
    if len(token) > _TOKEN_MAX:
        raise InvalidPosition(token)
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidPosition(token) from None
    if (
        not isinstance(raw, list)
        or len(raw) != len(ordering) + 1
        or raw[0] not in (0, 1, 2, 3)
        or any(not isinstance(v, (str, int)) or isinstance(v, bool) for v in raw[1:])
    ):
        raise InvalidPosition(token)
    values = []
    for name, value in zip(ordering, raw[1:], strict=True):
        field = _field(queryset, name.lstrip("-"))
        try:
            parsed = field.to_python(value)
        except (DjangoValidationError, TypeError):
            raise InvalidPosition(token) from None
        if parsed is None or (isinstance(parsed, datetime) and parsed.tzinfo is None):
            raise InvalidPosition(token)
        if isinstance(parsed, int) and not -(2**63) <= parsed < 2**63:
            raise InvalidPosition(token)
        # No row's text holds a NUL (PostgreSQL cannot store one), and a query with one
        # fails in the driver rather than finding nothing.
        if isinstance(parsed, str) and "\x00" in parsed:
            raise InvalidPosition(token)
        values.append(parsed)
    return Position(
        values=values, backwards=bool(raw[0] & _BACKWARDS), inclusive=bool(raw[0] & _INCLUSIVE)
    )


def beyond(ordering: tuple[str, ...], values: list, *, inclusive: bool = False) -> Q:
    """Rows that come after the position ``values`` in ``ordering`` (each field ``name``
    or ``-name``), and the row at it too when ``inclusive``: the first field bounds an
    index range; the rest break its ties.

    The ties are written as the rows at the first field's value that do not come after
    the position, left out of the range, rather than as "beyond the value, or at it and
    after the rest": the same rows, but PostgreSQL takes the second form's two conditions
    on the first field as independent and estimates the range's selectivity squared,
    which for a narrow range (a page bounded on both sides: see ``page``'s budget) is
    next to no rows, and it then sorts and joins the whole range instead of reading it
    in order until the page is full. The first form it estimates as the range alone."""
    first, descending = ordering[0].lstrip("-"), ordering[0].startswith("-")
    if len(ordering) == 1:
        lookup = ("lt" if descending else "gt") + ("e" if inclusive else "")
        return Q(**{f"{first}__{lookup}": values[0]})
    bound = Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]})
    return bound & ~(
        Q(**{first: values[0]}) & ~beyond(ordering[1:], values[1:], inclusive=inclusive)
    )


def _reversed(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(o[1:] if o.startswith("-") else f"-{o}" for o in ordering)


def _position(row, ordering: tuple[str, ...]) -> list:
    """A row's values of the ordering fields: a model instance's, or a dict's (a
    ``values()`` queryset's rows, which name them the same)."""
    if isinstance(row, dict):
        return [row[o.lstrip("-")] for o in ordering]
    return [getattr(row, o.lstrip("-")) for o in ordering]


@dataclass
class Page:
    """One page: its rows in the list's order, and the tokens for the pages either side
    (None where there is none)."""

    rows: list
    newer: str | None
    older: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.newer or self.older)


def page(
    queryset: QuerySet,
    *,
    ordering: tuple[str, ...],
    token: str | None,
    size: int,
    keep: Q | None = None,
    budget: int | None = None,
) -> Page:
    """The page of ``queryset`` that ``token`` points to (the first without one), showing
    only the rows that pass ``keep`` (all when None). One query: ``size + 1`` rows in the
    order (or its reverse, for the page before a position), so an index on the ordering
    serves it at any depth; a row ``keep`` leaves out is read and passed over.

    With a ``budget`` (and a ``keep``) the page reads at most ``budget`` rows beyond its
    position: one query first finds the ``budget``-th (the edge), the page's query reads
    no further. When the rows it read hold fewer than ``size`` that pass ``keep`` and rows
    lie beyond the edge, the page is short (even empty) and its link onward starts after
    the edge. Raises InvalidPosition for a token this list did not write."""
    start = (
        Position(values=[])
        if token is None
        else decode(token, queryset=queryset, ordering=ordering)
    )
    order = _reversed(ordering) if start.backwards else ordering
    rows = queryset.order_by(*order)
    if start.values:
        rows = rows.filter(beyond(order, start.values, inclusive=start.inclusive))
    edge = None
    if keep is not None and budget is not None:
        edge = _edge(rows, order=order, budget=budget)
        if edge is not None:
            # At or before the edge: the rows after it in the reverse order, and it.
            rows = rows.filter(beyond(_reversed(order), edge, inclusive=True))
    if keep is not None:
        rows = rows.filter(keep)
    found = list(rows[: size + 1])
    more, shown = len(found) > size, found[:size]
    # Onward (the way the page runs): after the last row shown when there are more to
    # show, else after the edge when the budget ran out with rows beyond it.
    onward = _position(shown[-1], ordering) if more else edge
    ahead = encode(onward, backwards=start.backwards) if onward is not None else None
    # Back the way the reader came: before the first row shown; from a page that showed
    # nothing, everything on the other side of its own position (so its row too, when
    # the page started after it). The first page has nothing before it.
    if not start.values:
        behind = None
    elif shown:
        behind = encode(_position(shown[0], ordering), backwards=not start.backwards)
    else:
        behind = encode(start.values, backwards=not start.backwards, inclusive=not start.inclusive)
    if start.backwards:
        shown.reverse()
        return Page(rows=shown, newer=ahead, older=behind)
    return Page(rows=shown, newer=behind, older=ahead)


def _edge(rows: QuerySet, *, order: tuple[str, ...], budget: int) -> list | None:
    """The position of the ``budget``-th of ``rows`` (in ``order``) when there are rows
    beyond it, else None (the page may read to the end). One query: the index on the
    ordering walks ``budget + 1`` entries."""
    found = list(rows.values_list(*(o.lstrip("-") for o in order))[budget - 1 : budget + 1])
    return list(found[0]) if len(found) == 2 else None


class KeysetPagination(pagination.CursorPagination):
    """An API list's keyset pages in ``ordering`` (unchanging fields that together are
    unique, so a row is never shown twice or skipped as others arrive or change).
    ``next`` and ``previous`` are links with a ``cursor``; there is no ``count``. A
    cursor that is not one of those links, as given, is a 400 naming ``cursor``.
    ``example_path`` is the list's path, for the schema's example links.

    A view that leaves rows out row by row gives the filter as ``page_filter()`` (a Q,
    or None to show every row of its queryset) rather than in its queryset, so that a
    ``budget`` bounds the rows a page reads beyond its position (see ``page``)."""

    ordering: tuple[str, ...] = ()
    example_path = ""
    page_size = api_settings.PAGE_SIZE
    budget: int | None = None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        tokens = request.query_params.getlist(self.cursor_query_param)
        if len(tokens) > 1:
            raise ValidationError({self.cursor_query_param: [CURSOR_MESSAGE]})
        page_filter = getattr(view, "page_filter", None)
        try:
            self._page = page(
                queryset,
                ordering=self.ordering,
                token=tokens[0] if tokens else None,
                size=self.page_size,
                keep=page_filter() if page_filter is not None else None,
                budget=self.budget,
            )
        except InvalidPosition:
            raise ValidationError({self.cursor_query_param: [CURSOR_MESSAGE]}) from None
        self.display_page_controls = self._page.has_other_pages
        return self._page.rows

    def _link(self, token: str | None) -> str | None:
        if token is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def get_next_link(self):
        return self._link(self._page.older)

    def get_previous_link(self):
        return self._link(self._page.newer)

    def get_html_context(self):
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link()}

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["required"] = ["next", "previous", "results"]
        described["properties"]["next"]["description"] = (
            "The next (older) page, or null on the last."
            if self.budget is None
            else "The next (older) page; null only at the end of the list (a page may "
            "hold fewer rows than the page size, or none, and still have one)."
        )
        described["properties"]["previous"]["description"] = (
            "The previous (newer) page, or null on the first."
            if self.budget is None
            else "The previous (newer) page; null only at the start of the list."
        )
        for link in ("next", "previous"):
            described["properties"][link]["example"] = (
                f"https://frontdoor.example{self.example_path}?{self.cursor_query_param}=WzAsIjIw"
            )
        return described

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: take it from a `next` or `previous` "
                "link, unchanged (without one, the first page). Anything else is a 400 "
                "naming `cursor`.",
                "schema": {"type": "string", "maxLength": _TOKEN_MAX},
            }
        ]


class ReferralCursorPagination(KeysetPagination):
    """The API's keyset pages for referrals: newest first by when they were received
    (``received_at``, then ``id``). A page for a screener or a manager, who are not shown
    closed referrals, reads at most ``budget`` referrals beyond its position."""

    ordering = ("-received_at", "-id")
    example_path = "/api/v1/referrals/"
    budget = 1000
