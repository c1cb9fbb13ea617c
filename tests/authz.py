"""What the authorization matrix (tests/test_authorization_matrix.py) needs besides its
table: the URL patterns and the methods each accepts, read from the URL configuration,
and one request made the way the table describes it. The world it is made in (roles,
object kinds, the case data and the markers planted in it, who may see which) is in
tests/authz_world.py; the matrix reads that through here too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import FunctionType
from urllib.parse import urlencode

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The matrix and the referrer isolation property read the world through this module
# (``X as X``: a re-export).
from tests.authz_world import FIXED_PARAMS, OBJECT_KINDS, World
from tests.authz_world import MAY_SEE as MAY_SEE
from tests.authz_world import REFERRALS as REFERRALS
from tests.authz_world import ROLES as ROLES
from tests.authz_world import SCOPED_ROLES as SCOPED_ROLES
from tests.authz_world import build_world as build_world
from tests.authz_world import markers as markers

# --- Discovery -------------------------------------------------------------------------

# HEAD is answered as GET without a body, by Django and by DRF alike; TRACE no view
# defines. Every other method a view may accept is in the matrix.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# The Django admin is one entry: its index and one model page (see ADMIN_PATHS), not
# each of its generated URLs; the admin site itself refuses every other role.
ADMIN = "admin:*"
ADMIN_PATHS = ("admin:index", "admin:agencies_agency_changelist")


@dataclass(frozen=True)
class Endpoint:
    name: str  # namespaced URL name, or the route when a pattern has no name
    route: str
    callback: object
    params: tuple[str, ...] = field(default=())


def endpoints() -> list[Endpoint]:
    """Every URL pattern, with its namespaced name and route, walked from the root."""
    found: list[Endpoint] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str | None, params: tuple) -> None:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            inner_params = params + tuple(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, route, inner, inner_params)
            elif isinstance(pattern, URLPattern) and namespace != "admin":  # admin: below
                name = pattern.name and (f"{namespace}:" if namespace else "") + pattern.name
                found.append(Endpoint(name or route, route, pattern.callback, inner_params))

    walk(get_resolver(), "", None, ())
    admin = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "admin"]
    found.extend(Endpoint(ADMIN, str(p.pattern), None) for p in admin)
    return found


def accepted_methods(endpoint: Endpoint) -> set[str]:
    """The methods a view accepts: a class-based view's handlers (Django's View and DRF's
    APIView alike) among its ``http_method_names`` (as given to ``as_view`` too),
    narrowed by any ``require_http_methods`` wrapped around it; a function
    view accepts every method unless a ``require_http_methods`` decorator narrows it."""
    if endpoint.name == ADMIN:
        return {"GET"}
    callback = endpoint.callback
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        initkwargs = getattr(callback, "view_initkwargs", {})
        names = initkwargs.get("http_method_names", view_class.http_method_names)
        methods = {m.upper() for m in names if hasattr(view_class, m)}
    else:
        methods = set(METHODS)
    for declared in _declared_method_lists(callback):
        methods &= {m.upper() for m in declared}
    return methods & set(METHODS)


def _declared_method_lists(callback) -> list[list[str]]:
    """``request_method_list`` of every ``require_http_methods`` (require_GET,
    require_POST, ...) found through ``__wrapped__`` and the closures of decorators."""
    found, seen, todo = [], set(), [callback]
    while todo:
        fn = todo.pop()
        if id(fn) in seen or not callable(fn):
            continue
        seen.add(id(fn))
        if getattr(fn, "__wrapped__", None) is not None:
            todo.append(fn.__wrapped__)
        if isinstance(fn, FunctionType) and fn.__closure__:
            for name, cell in zip(fn.__code__.co_freevars, fn.__closure__, strict=True):
                try:
                    value = cell.cell_contents
                except ValueError:  # an empty cell
                    continue
                if name == "request_method_list":
                    found.append(list(value))
                elif isinstance(value, FunctionType):
                    todo.append(value)
    return found


def discovered() -> dict[tuple[str, str], Endpoint]:
    return {(e.name, method): e for e in endpoints() for method in sorted(accepted_methods(e))}


# --- Requests --------------------------------------------------------------------------

EMPTY, INVALID, PLAIN = "empty", "invalid", "plain"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Wrong types, bad choices and ids that are not numbers, for every form field a page has.
INVALID_FORM = {
    "text": "",
    "outcome": "not-an-outcome",
    "threshold_level": "high",
    "rationale": "",
    "feedback": "",
    "reason": "",
    "reasons": "",
    "resolution": "not-a-resolution",
    "assigned_to": "not-a-number",
    "child": "x",
    "agency": "abc",
    "question": "",
    "due_date_day": "31",
    "due_date_month": "2",
    "due_date_year": "twenty",
    "answer": "",
    "notification": "abc",
    "specific_worry": "maybe",
    "concerns": "not-a-concern",
    "immediate_risk": "perhaps",
    "child_first_name": "",
    "child_date_of_birth_day": "99",
    "username": "",
    "password": "",
    "next": "https://elsewhere.invalid/",
}
INVALID_JSON = {
    "outcome": 7,
    "threshold_level": "high",
    "rationale": ["not", "text"],
    "feedback": None,
    "reason": ["not", "text"],
    "concerns": "neglect",
    "child_first_name": {"a": 1},
    "child_date_of_birth": "31-02-2026",
    "received_at": "yesterday",
    "caller_agency": "abc",
    "username": None,
    "password": None,
    "kind": 5,
    "held_at": "never",
    "attendees": "everyone",
    "minutes_circulated_at": "soon",
}
# Where one page's invalid body is more telling than the shared one.
INVALID_BODIES = {"referrals:children": {"action": "remove-x"}}


def path_for(endpoint: Endpoint, world: World, kind: str | None, role: str) -> str:
    kwargs = {}
    for param in endpoint.params:
        if param in FIXED_PARAMS:
            kwargs[param] = FIXED_PARAMS[param]
        else:
            kwargs[param] = world.object_id(param, kind, role)
    return reverse(endpoint.name, kwargs=kwargs)


def object_kinds(endpoint: Endpoint) -> tuple[str | None, ...]:
    unknown = set(endpoint.params) - set(OBJECT_KINDS) - set(FIXED_PARAMS)
    assert not unknown, f"{endpoint.name}: say in tests/authz_world.py what {unknown} names"
    kinds = [OBJECT_KINDS[p] for p in endpoint.params if p not in FIXED_PARAMS]
    assert len(kinds) <= 1, f"{endpoint.name}: more than one object in one URL"
    return kinds[0] if kinds else (None,)


def bodies(method: str) -> tuple[str, ...]:
    return (EMPTY, INVALID) if method in WRITE_METHODS else (PLAIN,)


def send(client: Client, endpoint: Endpoint, method: str, path: str, body: str):
    is_api = endpoint.route.startswith("api/")
    call = getattr(client, method.lower())
    if body == PLAIN:
        return call(path)
    if is_api:
        data = "" if body == EMPTY else json.dumps(INVALID_JSON)
        return call(path, data=data, content_type="application/json")
    if body == EMPTY:
        return call(path) if method == "POST" else call(path, data="")
    data = INVALID_BODIES.get(endpoint.name, INVALID_FORM)
    if method == "POST":
        return call(path, data)
    return call(path, urlencode(data), content_type="application/x-www-form-urlencoded")


LOGIN = "login"  # a redirect to the sign-in page
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def outcome(response) -> int | str:
    """The status, with a redirect to the sign-in page told apart from other redirects."""
    if response.status_code == 302 and response["Location"].startswith(LOGIN_PATHS):
        return LOGIN
    return response.status_code


def body_text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")
