"""Where a child's chronology's back link may lead: the pages that link to it with
``?next=``, and the check every ``next`` it is given goes through (the chronology's own
and the reason page's before it, which carries it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import Resolver404, resolve

from agencies.reauth import local_path

# The pages that link to a chronology with ``?next=``, and what its back link then says.
BACK_TO = {
    "triage:decide": "Back to the decision",
    "strategy:detail": "Back to the strategy discussion",
    "oversight:access-log": "Back to the access log",
    "triage:queue": "Back to the queue",
}


def back_to(request: HttpRequest, target: str | None) -> tuple[str, str] | None:
    """``target`` and what the back link says when it is a path on this site that names
    one of BACK_TO's pages; None otherwise."""
    target = local_path(request, target)
    if not target:
        return None
    try:
        label = BACK_TO.get(resolve(urlsplit(target).path).view_name)
    except Resolver404:
        return None
    return (target, label) if label else None


def accepted_next(request: HttpRequest, target: str | None) -> str | None:
    """``target`` when the chronology's back link would follow it; None otherwise."""
    found = back_to(request, target)
    return found[0] if found else None
