"""The navigation each role sees: built from the policy, so a link shows only where the
page behind it would let the user in."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from agencies.policy import Capability, can


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
    items = []
    for item in NAVIGATION:
        if item.capability is not None and not can(user, item.capability):
            continue
        url = reverse(item.url_name)
        items.append({"label": item.label, "url": url, "active": False})
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
