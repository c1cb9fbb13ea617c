"""Every page a browser test visits is checked with axe-core against WCAG 2.2 A and AA
(and axe's landmark rules: every part of a page inside a landmark).

axe-core comes from npm (package.json, node_modules/axe-core), never a CDN. The audit runs
at each check point: just before the test acts on a page it has not audited since the page
last navigated (a click, a fill, a goto...), and on every open page when the test body
ends. So the page as the user meets it is audited, error states included (a form
re-shown with its error summary is a navigation like any other). Each audited page is
also saved as a full-page screenshot under test-results/pages/<test>/.

A violation does not stop the journey: the test runs to its end, then fails listing every
violation with its rule id, impact, the elements (CSS selectors) and the rule's help URL.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGE_SHOTS = ROOT / "test-results" / "pages"

# axe-core's tags for the WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA
# (2.2 added only AA criteria that axe can test, so it has no "wcag22a" tag).
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# And axe's landmark rules (best practice rather than WCAG, so not among those tags): every
# part of a page is inside a landmark, one main, one banner, one footer, none unnamed twice.
LANDMARK_RULES = [
    "region",
    "landmark-one-main",
    "landmark-no-duplicate-main",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-banner-is-top-level",
    "landmark-contentinfo-is-top-level",
    "landmark-main-is-top-level",
    "landmark-unique",
]

RUN_AXE = """async ([tags, extraRules]) => {
  const results = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    rules: Object.fromEntries(extraRules.map((id) => [id, { enabled: true }])),
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""

# The Playwright calls that act on a page: the page is audited just before each one.
LOCATOR_ACTIONS = [
    "check",
    "clear",
    "click",
    "dblclick",
    "fill",
    "press",
    "press_sequentially",
    "select_option",
    "set_checked",
    "set_input_files",
    "tap",
    "type",
    "uncheck",
]
PAGE_ACTIONS = [
    "check",
    "click",
    "dblclick",
    "fill",
    "go_back",
    "go_forward",
    "goto",
    "press",
    "reload",
    "select_option",
    "type",
    "uncheck",
]


@dataclass
class Violation:
    url: str
    id: str
    impact: str | None
    help: str
    help_url: str
    nodes: list[dict]

    def describe(self) -> str:
        lines = [f"{self.id} ({self.impact}) on {self.url}: {self.help}", f"  {self.help_url}"]
        for node in self.nodes:
            lines.append(f"  - {node['target']}")
            summary = (node.get("summary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
        return "\n".join(lines)


@dataclass
class PageAudit:
    """One browser page: how many times it has navigated, and which navigation was
    audited last."""

    page: Page
    navigations: int = 0
    audited: int = -1

    def navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.navigations += 1


@dataclass
class AxeAuditor:
    test_name: str
    pages: dict[int, PageAudit] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    audited_urls: list[str] = field(default_factory=list)
    busy: bool = False
    shots: int = 0

    def watch(self, page: Page) -> PageAudit:
        audit = self.pages.get(id(page))
        if audit is None:
            audit = PageAudit(page=page, navigations=0 if page.url == "about:blank" else 1)
            page.on("framenavigated", audit.navigated)
            self.pages[id(page)] = audit
        return audit

    def check(self, page: Page) -> None:
        """Audit the page unless it has not navigated since it was last audited."""
        if self.busy or page.is_closed():
            return
        audit = self.watch(page)
        if audit.navigations == 0 or audit.audited == audit.navigations:
            return
        self.busy = True
        try:
            self._audit(page)
        finally:
            self.busy = False
        audit.audited = audit.navigations

    def _audit(self, page: Page) -> None:
        for attempt in range(3):
            try:
                page.wait_for_load_state("load")
                if page.evaluate("() => typeof window.axe") == "undefined":
                    # Evaluated through the DevTools protocol, so the page's CSP (no inline
                    # scripts) does not apply and nothing is added to the page's markup.
                    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
                found = page.evaluate(RUN_AXE, [WCAG_22_AA, LANDMARK_RULES])
                break
            except PlaywrightError as error:
                # The page navigated while axe ran (a redirect, an htmx refresh): try again
                # on the page it landed on.
                if attempt == 2 or "context was destroyed" not in str(error):
                    raise
        url = page.url
        self.audited_urls.append(url)
        for v in found:
            self.violations.append(
                Violation(
                    url=url,
                    id=v["id"],
                    impact=v["impact"],
                    help=v["help"],
                    help_url=v["helpUrl"],
                    nodes=v["nodes"],
                )
            )
        self.shots += 1
        folder = PAGE_SHOTS / self.test_name
        folder.mkdir(parents=True, exist_ok=True)
        path = re.sub(r"[^A-Za-z0-9]+", "-", url.split("//", 1)[-1].split("/", 1)[-1]).strip("-")
        page.screenshot(path=folder / f"{self.shots:02d}-{path or 'home'}.png", full_page=True)

    def check_open_pages(self) -> None:
        for audit in list(self.pages.values()):
            if not audit.page.is_closed():
                self.check(audit.page)

    def report(self) -> str:
        return (
            f"axe-core found {len(self.violations)} WCAG 2.2 A/AA or landmark violation(s) "
            f"on the pages this test visited:\n\n"
            + "\n\n".join(v.describe() for v in self.violations)
        )


def _audited_first(method, page_of):
    @functools.wraps(method)
    def action(self, *args, **kwargs):
        auditor = _current_auditor
        if auditor is not None:
            auditor.check(page_of(self))
        return method(self, *args, **kwargs)

    return action


_current_auditor: AxeAuditor | None = None


@pytest.fixture(autouse=True)
def axe(request, monkeypatch):
    """The axe-core auditor of this test (autouse: every browser test is audited)."""
    global _current_auditor
    if not AXE_SOURCE.exists():
        pytest.fail(f"axe-core is missing ({AXE_SOURCE}): run `make setup` (npm ci).")
    auditor = AxeAuditor(test_name=re.sub(r"[^A-Za-z0-9_]+", "-", request.node.name))
    for name in LOCATOR_ACTIONS:
        monkeypatch.setattr(
            Locator, name, _audited_first(getattr(Locator, name), lambda loc: loc.page)
        )
    for name in PAGE_ACTIONS:
        monkeypatch.setattr(Page, name, _audited_first(getattr(Page, name), lambda page: page))
    _current_auditor = auditor
    yield auditor
    _current_auditor = None


@pytest.fixture
def page(page: Page, axe: AxeAuditor) -> Page:
    """pytest-playwright's page, watched from its first navigation."""
    axe.watch(page)
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    auditor = item.funcargs.get("axe")
    try:
        result = yield
    except BaseException:
        # The test failed on its own: that failure is reported, with what axe found on the
        # way (printed, so it shows under "Captured stdout").
        if isinstance(auditor, AxeAuditor) and auditor.violations:
            print(auditor.report())
        raise
    if isinstance(auditor, AxeAuditor):
        auditor.check_open_pages()
        if auditor.violations:
            pytest.fail(auditor.report(), pytrace=False)
    return result
