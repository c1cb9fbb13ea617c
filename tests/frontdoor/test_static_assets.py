"""The compiled stylesheet's url()s point at files collectstatic collects, and collectstatic
with the production storage succeeds (the Dockerfile runs it; without it every page in
production is a 500, "Missing staticfiles manifest entry")."""

import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings

STYLESHEET = "css/app.css"
PRODUCTION_STORAGE = "frontdoor.storage.StaticFilesStorage"
URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""")


def stylesheet_urls(css: str) -> list[str]:
    """The addresses of the files a stylesheet asks for (not data: URIs or #fragments)."""
    urls = {match.group(2) for match in URL.finditer(css)}
    return sorted(url for url in urls if not url.startswith(("data:", "#")))


def static_path(url: str, *, stylesheet: str) -> str:
    """The static file path a url() in `stylesheet` names, as the browser resolves it."""
    path = urlsplit(url).path
    if path.startswith("/"):
        assert path.startswith(settings.STATIC_URL), (
            f"{url} in {stylesheet} is outside STATIC_URL ({settings.STATIC_URL})"
        )
        return path.removeprefix(settings.STATIC_URL)
    return posixpath.normpath(posixpath.join(posixpath.dirname(stylesheet), path))


def compiled_stylesheet() -> str:
    found = finders.find(STYLESHEET)
    assert found, f"{STYLESHEET} is not built: run `make assets`"
    return Path(found).read_text()


def test_every_url_in_the_compiled_stylesheet_is_a_file_collectstatic_collects():
    urls = stylesheet_urls(compiled_stylesheet())

    assert urls, "the stylesheet asks for no files: has the url() pattern gone stale?"
    missing = [url for url in urls if not finders.find(static_path(url, stylesheet=STYLESHEET))]
    assert missing == [], f"url()s in {STYLESHEET} that no static files finder has: {missing}"


def test_no_package_asset_is_shadowed_by_another_of_the_same_name():
    """GOV.UK Frontend's and MOJ Frontend's images are collected into one folder (MOJ
    Frontend gives both one assets path); a name in both would silently lose one."""
    urls = stylesheet_urls(compiled_stylesheet())

    for url in urls:
        sources = finders.find(static_path(url, stylesheet=STYLESHEET), find_all=True)
        assert len(sources) <= 1, f"{url} is found in more than one place: {sources}"


@pytest.fixture(scope="module")
def production_static_root(tmp_path_factory):
    """collectstatic with the production storage, once for this module."""
    root = tmp_path_factory.mktemp("staticfiles")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def test_collectstatic_with_the_production_storage_hashes_the_stylesheet(production_static_root):
    import json

    manifest = json.loads((production_static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"][STYLESHEET]

    assert hashed != STYLESHEET
    assert (production_static_root / hashed).is_file()
    assert (production_static_root / f"{hashed}.gz").is_file()


def test_every_url_in_the_collected_stylesheet_names_a_hashed_collected_file(
    production_static_root,
):
    import json

    manifest = json.loads((production_static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"][STYLESHEET]
    urls = stylesheet_urls((production_static_root / hashed).read_text())

    assert urls
    for url in urls:
        path = static_path(url, stylesheet=hashed)
        assert (production_static_root / path).is_file(), f"{url} in {hashed} was not collected"
        assert path in manifest["paths"].values(), f"{url} in {hashed} is not a hashed name"


def test_our_script_imports_gov_uk_frontend_by_its_hashed_name(production_static_root):
    """The browser fetches GOV.UK Frontend's script through our module's import: by its
    hashed name, which WhiteNoise caches for a year, not the plain name it caches for 60
    seconds (issue 14)."""
    import json

    manifest = json.loads((production_static_root / "staticfiles.json").read_text())
    script = (production_static_root / manifest["paths"]["js/app.mjs"]).read_text()
    hashed = manifest["paths"]["govuk/govuk-frontend.min.js"]
    imports = re.findall(r"""from\s*["']([^"']+)["']""", script)

    assert imports == [f"../{hashed}"]
    assert hashed != "govuk/govuk-frontend.min.js"
    assert (production_static_root / hashed).is_file()


# A GOV.UK Frontend or MOJ Frontend class named in a template or in Python (widgets,
# views): whole, with its element and modifier.
_PACKAGE_CLASS = re.compile(
    r"(?<![\w$-])(?:govuk|moj)-[a-z0-9-]+(?:__[a-z0-9-]+)?(?:--[a-z0-9-]+)?(?![\w-])"
)
_PACKAGE_STYLESHEETS = [
    settings.NODE_MODULES / "govuk-frontend" / "dist" / "govuk" / "govuk-frontend.min.css",
    settings.NODE_MODULES / "@ministryofjustice" / "frontend" / "moj" / "moj-frontend.min.css",
]


def _classes_the_app_names() -> set[str]:
    root = Path(settings.BASE_DIR)
    sources = [*root.glob("templates/**/*.html")]
    for app in ("agencies", "audit", "core", "demo", "frontdoor", "notices", "oversight",
                "referrals", "reporting", "triage"):  # fmt: skip
        sources += root.glob(f"{app}/**/*.py")
    return {name for path in sources for name in _PACKAGE_CLASS.findall(path.read_text())}


def _styled(name: str, css: str) -> bool:
    return re.search(r"\." + re.escape(name) + r"(?![\w-])", css) is not None


def test_the_stylesheet_styles_every_package_class_the_pages_use():
    """app.scss takes only the components the pages use (issue 14: the whole of both
    packages made a 238 KB stylesheet). Every class a template or view names that the
    packages' own full stylesheets style must be styled by ours too, so a component a
    page starts to use cannot be left out of app.scss unnoticed."""
    packages = "".join(path.read_text() for path in _PACKAGE_STYLESHEETS)
    ours = compiled_stylesheet()
    used = _classes_the_app_names()

    styled_by_packages = {name for name in used if _styled(name, packages)}
    assert len(styled_by_packages) > 50, "the class pattern has gone stale"
    missing = sorted(name for name in styled_by_packages if not _styled(name, ours))
    assert missing == [], f"add these components to frontend/scss/app.scss: {missing}"
