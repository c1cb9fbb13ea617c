"""The navigation each role sees: built from the policy, so a link shows only where the
page behind it would let the user in."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from agencies.policy import Capability, capabilities_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: Capability | None = None


NAVIGATION: list[NavItem] = [
    NavItem("Home", "home"),
    NavItem("Make a referral", "referrals:start", Capability.SUBMIT_REFERRAL),
    NavItem("Your referrals", "referrals:mine", Capability.VIEW_OWN_REFERRALS),
    NavItem("Queue", "triage:queue", Capability.VIEW_QUEUE),
    NavItem("Record a referral", "referrals:start", Capability.RECORD_ON_BEHALF),
    NavItem("Challenges", "challenges:list", Capability.VIEW_ALL_CHALLENGES),
    NavItem("Dashboard", "dashboard:live", Capability.VIEW_DASHBOARD),
    NavItem("Information requests", "requests:list", Capability.ANSWER_INFORMATION_REQUESTS),
    NavItem("Performance", "dashboard:performance", Capability.VIEW_DASHBOARD),
    NavItem("Agency performance", "dashboard:agency", Capability.VIEW_AGENCY_PERFORMANCE),
    NavItem("Access log", "oversight:access-log", Capability.VIEW_ACCESS_LOG),
    NavItem("Administration", "admin:index", Capability.MANAGE_SYSTEM),
    NavItem("API documentation", "api-docs", None),
]


def navigation_for(user, current_path: str) -> list[dict]:
    held = capabilities_of(user)  # as can() reads them, once for every item
    urls = _addresses()
    items = [
        {"label": item.label, "url": urls[item.url_name], "active": False}
        for item in NAVIGATION
        if item.capability is None or item.capability in held
    ]
    # The one item the page is under: the longest address it starts with (on
    # /dashboard/performance/, Performance, not Dashboard too); "/" only on the home page.
    under = [
        i
        for i in items
        if (current_path == i["url"] if i["url"] == "/" else current_path.startswith(i["url"]))
    ]
    if under:
        max(under, key=lambda i: len(i["url"]))["active"] = True
    return items


_reversed: dict[tuple, dict[str, str]] = {}


def _addresses() -> dict[str, str]:
    """The navigation's addresses, reversed once for each URLconf and script prefix rather
    than on every page (thirteen reverse() calls were a twentieth of the queue page)."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    urls = _reversed.get(key)
    if urls is None:
        urls = {item.url_name: reverse(item.url_name) for item in NAVIGATION}
        _reversed[key] = urls
    return urls
