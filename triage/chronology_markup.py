"""The chronology's events written in Python rather than by a template loop.

Through Django's template engine each event cost more than the rest of the page's
markup together (a loop for its tags, one for its lines, a dozen lookups and escapes), and
a page of a hundred events, or all of a child's six hundred for printing, is mostly
events. As in triage.queue_markup, each is one f-string, and every text in it that comes
from the database goes through ``html.escape`` (what Django's autoescaping does); the
rest are fixed words, the kind (one of triage.chronology.KINDS) and URLs built from ids.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe


def events_markup(items: list[dict], *, focus_first: bool = False) -> SafeString:
    """The timeline items (MOJ Frontend's timeline) for ``items`` from
    ``triage.chronology.page_items``. ``focus_first``: the first heading takes the focus
    when htmx adds the items (``autofocus``), so that a keyboard or screen-reader user
    who asked for earlier events is taken to them."""
    parts = []
    for n, item in enumerate(items):
        focus = ' tabindex="-1" autofocus' if focus_first and n == 0 else ""
        by = f'<p class="moj-timeline__byline">by {escape(item["by"])}</p>' if item["by"] else ""
        tags = "".join(
            f'<strong class="govuk-tag govuk-tag--{tag["colour"]} fd-flag">'
            f"{escape(tag['text'])}</strong>"
            for tag in item["tags"]
        )
        lines = "".join(
            f'<p class="govuk-body fd-preserve-lines">{escape(line)}</p>' for line in item["lines"]
        )
        links = ""
        if item["discussion_url"]:
            links += (
                f'<p class="govuk-body-s fd-no-print"><a class="govuk-link" '
                f'href="{escape(item["discussion_url"])}">Open the discussion</a></p>'
            )
        if item["referral_url"]:
            links += (
                f'<p class="govuk-body-s fd-no-print"><a class="govuk-link" '
                f'href="{escape(item["referral_url"])}">Open {escape(item["reference"])}</a></p>'
            )
        parts.append(
            f'<div class="moj-timeline__item" data-kind="{escape(item["kind"])}">'
            f'<div class="moj-timeline__header">'
            # The byline runs on from the title (inline): a space between them.
            f'<h2 class="moj-timeline__title"{focus}>{escape(item["title"])}</h2>\n{by}</div>'
            f'<p class="moj-timeline__date"><time datetime="{escape(item["at_iso"])}">'
            f"{escape(item['at_text'])}</time></p>"
            f'<div class="moj-timeline__description">{tags}{lines}{links}</div>'
            "</div>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every text from the database escaped
