"""docs/ASVS.md, the per-requirement audit against OWASP ASVS 4.0.3, stays honest: every
test it cites as evidence exists, and its summary counts are the counts of its rows."""

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDIT = ROOT / "docs" / "ASVS.md"
CITED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
ROW = re.compile(r"^\| (V\d+)\.[\d.]+(?: \(L3\))? \| [^|]+ \| [^|]+ \| ([^|]+) \| [^|]+ \|$")
CHAPTER = re.compile(r"^\| (V\d+) [^|]+ \| (\d+) \| (\d+) \((\d+)\) \| (\d+) \| (\d+) \| (\d+) \|$")
STATUSES = {
    "Met": "met",
    "Partly met": "partly",
    "Partly met, in progress": "in progress",
    "Not met": "not met",
    "Not applicable": "not applicable",
}


def test_every_test_cited_as_evidence_exists():
    text = AUDIT.read_text()
    cited = set(CITED.findall(text))

    assert len(cited) > 100
    missing = [
        f"{path}::{name}"
        for path, name in sorted(cited)
        if not (ROOT / path).is_file()
        or not re.search(rf"^\s*def {name}\(", (ROOT / path).read_text(), re.MULTILINE)
    ]
    assert missing == [], "docs/ASVS.md cites tests that do not exist"


def test_the_summary_counts_are_the_rows_counts():
    lines = AUDIT.read_text().splitlines()
    rows: dict[str, Counter] = {}
    for line in lines:
        match = ROW.match(line)
        if match:
            chapter, status = match.group(1), match.group(2).strip()
            rows.setdefault(chapter, Counter())[STATUSES[status]] += 1
    summary = {}
    for line in lines:
        match = CHAPTER.match(line)
        if match:
            met, partly, in_progress, not_met, not_applicable, total = map(int, match.groups()[1:])
            summary[match.group(1)] = (met, partly, in_progress, not_met, not_applicable, total)

    assert set(summary) == set(rows)
    for chapter, counted in rows.items():
        assert summary[chapter] == (
            counted["met"],
            counted["partly"] + counted["in progress"],
            counted["in progress"],
            counted["not met"],
            counted["not applicable"],
            sum(counted.values()),
        ), chapter


ALL = re.compile(
    r"^\| \*\*All\*\* \| \*\*(\d+)\*\* \| \*\*(\d+) \((\d+)\)\*\* \| \*\*(\d+)\*\* "
    r"\| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|$"
)


def test_the_all_row_is_the_sum_of_the_chapters_and_the_prose_says_it():
    """The "All" row once said 166 met and 38 partly met where its chapters held 165 and 39:
    it is the chapters' sum, and the sentences that quote it say the same numbers."""
    text = AUDIT.read_text()
    chapters = [tuple(map(int, m.groups()[1:])) for m in map(CHAPTER.match, text.splitlines()) if m]
    (all_row,) = [tuple(map(int, m.groups())) for m in map(ALL.match, text.splitlines()) if m]

    assert all_row == tuple(map(sum, zip(*chapters, strict=True)))
    met, partly, not_met = all_row[0], all_row[1], all_row[3]
    assert f"Of the {met} met," in text
    assert f"and {partly} only partly met" in text
    security = " ".join((ROOT / "docs" / "SECURITY.md").read_text().split())
    assert f"finds {not_met} requirements not met" in security
    assert f"and {partly} partly met" in security
    # The page's opening said "5 applicable requirements are not met" long after they were 2.
    assert f"ASVS level 2: {not_met} applicable requirements are not met and {partly}" in security
