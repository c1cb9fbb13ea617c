"""Reading a history page back as a user would: each version's title, who and when, and
each change as its label and the words shown (visually hidden text left out)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape


@dataclass
class ShownVersion:
    title: str
    who: str
    reason: str
    changes: dict[str, str]
    text: str


def words(html: str) -> str:
    html = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def versions(response) -> list[ShownVersion]:
    html = response.content.decode()
    shown = []
    for chunk in html.split('data-testid="version"')[1:]:
        title = re.search(r'govuk-summary-card__title">(.*?)</h3>', chunk, re.S).group(1)
        who = re.search(r'data-testid="who">(.*?)</p>', chunk, re.S).group(1)
        reason = re.search(r'data-testid="reason">(.*?)</p>', chunk, re.S)
        changes = {
            words(label): words(value)
            for label, value in re.findall(
                r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*'
                r'<dd class="govuk-summary-list__value">(.*?)</dd>',
                chunk,
                re.S,
            )
        }
        shown.append(
            ShownVersion(
                title=words(title),
                who=words(who),
                reason=words(reason.group(1)) if reason else "",
                changes=changes,
                text=words(chunk.split("</li>")[0]),
            )
        )
    return shown
