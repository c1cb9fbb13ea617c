"""docs/DATA.md (what is held and how each kind is protected) and docs/SECURE-CODING.md
(the contributors' checklist) point at tests as their proof, as docs/ASVS.md does: a test
renamed or removed would leave them promising a check that no longer runs. Every test
they cite exists, every file of the repository they name is there, their links to other
pages resolve, and the README points contributors to both."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = ["DATA.md", "SECURE-CODING.md"]
# As tests/test_asvs_doc.py reads docs/ASVS.md: `tests/path.py::test_name`.
CITED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
# A file of the repository named in backticks: `agencies/policy.py`, `deploy/nginx/...`.
NAMED_FILE = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|conf|md|toml))`")
LINK = re.compile(r"\]\(([\w.-]+\.md)(?:#[\w-]+)?\)")


def _missing_tests(text: str) -> list[str]:
    return [
        f"{path}::{name}"
        for path, name in sorted(set(CITED.findall(text)))
        if not (ROOT / path).is_file()
        or not re.search(rf"^\s*def {name}\(", (ROOT / path).read_text(), re.MULTILINE)
    ]


@pytest.mark.parametrize("doc", PAGES)
def test_every_test_cited_exists(doc):
    text = (DOCS / doc).read_text()

    assert len(set(CITED.findall(text))) > 20, "the pattern no longer finds the citations"
    assert _missing_tests(text) == [], f"docs/{doc} cites tests that do not exist"


def test_a_cited_test_that_does_not_exist_is_found():
    """The check itself: a misspelt name and a file that is not there are both reported."""
    text = (
        "`tests/test_docs_citations.py::test_every_test_cited_exists`, "
        "`tests/test_docs_citations.py::test_nothing_of_the_sort`, "
        "`tests/no_such_file.py::test_every_test_cited_exists`"
    )

    assert _missing_tests(text) == [
        "tests/no_such_file.py::test_every_test_cited_exists",
        "tests/test_docs_citations.py::test_nothing_of_the_sort",
    ]


@pytest.mark.parametrize("doc", PAGES)
def test_every_file_named_exists(doc):
    named = set(NAMED_FILE.findall((DOCS / doc).read_text()))

    assert named, "the pattern no longer finds the files named"
    assert sorted(path for path in named if not (ROOT / path).exists()) == []


@pytest.mark.parametrize("doc", PAGES)
def test_every_link_to_another_page_resolves(doc):
    links = set(LINK.findall((DOCS / doc).read_text()))

    assert links
    assert sorted(link for link in links if not (DOCS / link).is_file()) == []


def test_the_readme_points_to_both_pages():
    readme = (ROOT / "README.md").read_text()

    for page in PAGES:
        assert f"](docs/{page})" in readme, page


def test_every_table_front_door_keeps_is_classified_in_data_md():
    """A model added without a row in DATA.md's tables would hold data nobody has given a
    protection level; history tables follow their model, and Django's own are named by
    table."""
    from django.apps import apps

    text = (DOCS / "DATA.md").read_text()
    ours = {"agencies", "audit", "notices", "referrals", "triage", "reporting", "oversight"}
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in ours and not model.__name__.startswith("Historical")
    ]
    unclassified = [
        f"{model._meta.app_label}.{model.__name__}"
        for model in models
        if f"`{model.__name__}`" not in text
    ]

    assert len(models) > 30
    assert unclassified == []
