"""Screenshots a browser journey saves of the pages it changed, for people to look at:
under test-results/screenshots/, and also where FRONTDOOR_SHOTS_DIR says when set (a
helper's folder)."""

import os
from pathlib import Path

from playwright.sync_api import Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)
    extra = os.environ.get("FRONTDOOR_SHOTS_DIR")
    if extra:
        page.screenshot(path=Path(extra) / name, full_page=True)
