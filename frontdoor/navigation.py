"""The navigation each role sees: built from the policy, so a link shows only where the
page behind it would let the user in."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

from agencies.policy import Capability, capabilities_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: Capability | None = None
    # What the item is called for someone who holds ``wider`` too: the same page shows
    # them more than their own (an agency lead's list is the whole agency's).
    wider: Capability | None = None
    wider_label: str = ""

    def label_for(self, held) -> str:
        return self.wider_label if self.wider is not None and self.wider in held else self.label


NAVIGATION: list[NavItem] = [
    NavItem("Home", "home"),
    NavItem("Make a referral", "referrals:start", Capability.SUBMIT_REFERRAL),
    NavItem(
        "Your referrals",
        "referrals:mine",
        Capability.VIEW_OWN_REFERRALS,
        wider=Capability.VIEW_AGENCY_REFERRALS,
        wider_label="Your agency's referrals",
    ),
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
        {"label": item.label_for(held), "url": urls[item.url_name], "active": False}
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


def navigation_markup(items: list[dict]) -> SafeString:
    """The navigation's list items as base.html's loop over them wrote them, to the space,
    written here rather than by the template engine (two conditions and two variables an
    item, on every page); the label and address escaped as autoescaping does."""
    parts = []
    for item in items:
        label, url = escape(str(item["label"])), escape(str(item["url"]))
        if item["active"]:
            li = " govuk-service-navigation__item--active"
            current = ' aria-current="page"'
            text = f'<strong class="govuk-service-navigation__active-fallback">{label}</strong>'
        else:
            li, current, text = "", "", label
        parts.append(
            f'\n            <li class="govuk-service-navigation__item{li}">\n'
            f'              <a class="govuk-service-navigation__link" href="{url}"{current}>\n'
            f"                {text}\n"
            "              </a>\n"
            "            </li>\n            "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every label and address is escaped


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


_fixed: dict[tuple, str] = {}


def address(name: str) -> str:
    """``reverse(name)`` for an address that takes no arguments (the header's sign-in,
    home, inbox, account and sign-out links), kept for each URLconf and script prefix: the
    url tag reversed each of them again on every page."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
    url = _fixed.get(key)
    if url is None:
        url = _fixed[key] = reverse(name)
    return url
