"""The compiled stylesheet's url()s point at files collectstatic collects, and collectstatic
with the production storage succeeds (the Dockerfile runs it; without it every page in
production is a 500, "Missing staticfiles manifest entry"). It collects, and WhiteNoise
serves, only the extensions the pages use, and every file a page asks for."""

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


# --- Only what the pages use is collected and served (ASVS V12.5.1) --------------------

# The extensions a page asks for. Stated here, not read from frontdoor/staticfiles.py, so
# that widening the allow list is a decision this test is changed for.
PAGE_EXTENSIONS = {".css", ".js", ".mjs", ".svg", ".png"}
# What the packages ship beside them: sources, maps, fixtures, docs, declarations, archives.
NOT_FOR_PAGES = {".map", ".scss", ".njk", ".md", ".json", ".ts", ".gz", ".txt", ".html"}
_STATIC_TAG = re.compile(r"""{%\s*static\s+(['"])(.+?)\1""")
# A /static/ address in a page: an attribute's value, or a string in an inline script.
_STATIC_IN_PAGE = re.compile(r"""["'](/static/[^"'?#\s]+)""")


def _extension(name: str) -> str:
    return posixpath.splitext(name)[1].lower()


def _source_files() -> list[str]:
    """Every file under the static folders (STATICFILES_DIRS), as a finder would name it,
    whatever its extension."""
    names = []
    for entry in settings.STATICFILES_DIRS:
        prefix, root = entry if isinstance(entry, tuple) else ("", entry)
        for path in Path(root).rglob("*"):
            if path.is_file():
                names.append(posixpath.join(prefix, path.relative_to(root).as_posix()))
    return names


def test_collectstatic_collects_only_the_extensions_pages_use(production_static_root):
    sources = _source_files()
    shipped = {_extension(name) for name in sources}
    assert {".map", ".scss", ".njk", ".md", ".json", ".ts"} <= shipped, "the packages changed"

    collected = [
        path.relative_to(production_static_root).as_posix()
        for path in production_static_root.rglob("*")
        if path.is_file()
    ]
    # The storage's own files: its manifest (read from disk, never served) and the
    # compressed copies WhiteNoise serves in place of the files they copy.
    originals = [
        name.removesuffix(".gz").removesuffix(".br")
        for name in collected
        if name != "staticfiles.json"
    ]
    stray = sorted(name for name in originals if _extension(name) not in PAGE_EXTENSIONS)
    assert stray == []
    assert not any(_extension(name) in NOT_FOR_PAGES for name in originals)
    assert "govuk/govuk-frontend.min.js" in originals
    assert "govuk/govuk-frontend.min.js.map" in sources
    assert "govuk/govuk-frontend.min.js.map" not in originals


def test_the_browsable_apis_files_are_found_only_with_debug_on(settings, production_static_root):
    """DRF's browsable API (Bootstrap 3, jQuery, web fonts) is a DEBUG-only page."""
    name = "rest_framework/css/bootstrap.min.css"

    settings.DEBUG = False
    assert finders.find(name) is None
    assert not (production_static_root / "rest_framework").exists()
    settings.DEBUG = True
    assert finders.find(name) is not None


def test_every_static_file_a_template_names_is_collected(production_static_root):
    """Every `{% static %}` in the project's and the installed apps' templates (but the
    DEBUG-only apps') names a collected file: with the production storage a missing one
    is a 500 ("Missing staticfiles manifest entry")."""
    import json

    from django.apps import apps

    from frontdoor.staticfiles import DEBUG_ONLY_APPS

    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    folders += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if config.name not in DEBUG_ONLY_APPS
    ]
    named = {
        match.group(2)
        for folder in folders
        for path in folder.rglob("*.html")
        for match in _STATIC_TAG.finditer(path.read_text())
    }
    manifest = json.loads((production_static_root / "staticfiles.json").read_text())

    assert {"css/app.css", "js/app.mjs", "admin/css/base.css"} <= named
    missing = sorted(name for name in named if name not in manifest["paths"])
    assert missing == []


@pytest.mark.django_db
def test_every_static_file_the_pages_ask_for_is_served(
    production_static_root, settings, client, sysadmin_client
):
    """The sign-in page, the admin and the API's documentation, rendered and served as in
    production (hashed names from the collected manifest, WhiteNoise serving
    STATIC_ROOT alone): every static file they ask for answers 200."""
    settings.STATIC_ROOT = production_static_root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    settings.WHITENOISE_USE_FINDERS = False
    pages = [
        (client, "/accounts/login/"),
        (sysadmin_client, "/admin/"),
        (sysadmin_client, "/admin/agencies/agency/add/"),
        (sysadmin_client, "/api/docs/"),
    ]

    asked = set()
    for page_client, url in pages:
        response = page_client.get(url)
        assert response.status_code == 200, url
        asked |= set(_STATIC_IN_PAGE.findall(response.content.decode()))

    kinds = {_extension(url) for url in asked}
    assert {".css", ".js", ".mjs", ".svg", ".png"} <= kinds, "the pages ask for less: stale?"
    refused = sorted(url for url in asked if client.get(url).status_code != 200)
    assert refused == []


@pytest.mark.parametrize("autorefresh", [False, True], ids=["indexed", "autorefresh"])
def test_the_web_tier_serves_no_other_extension_even_from_static_root(
    autorefresh, tmp_path, settings, client
):
    """WhiteNoise serves every file in STATIC_ROOT it indexes at start-up (or, with
    autorefresh, as DEBUG has it, finds on each request); ours only the allowed
    extensions, whatever else is put there (the storage's manifest, a file copied in by
    hand)."""
    files = [
        "css/site.css",
        "css/site.css.map",
        "css/site.scss",
        "css/site.css.bak",
        "css/.site.css.swp",
        "README.md",
        "notes.txt",
        "staticfiles.json",
        "archive.zip",
        "index.html",
    ]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("body {}\n")
    settings.STATIC_ROOT = tmp_path
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = autorefresh

    served = {name: client.get(f"/static/{name}").status_code for name in files}

    assert served == {name: 200 if name == "css/site.css" else 404 for name in files}


def test_outside_production_the_finders_serve_no_other_extension_either(client):
    """Without collectstatic (DEBUG, the embedded mode) WhiteNoise serves through the
    finders: a package's source map is there on disk, but not found or served."""
    source_map = "govuk/govuk-frontend.min.js.map"
    assert (settings.NODE_MODULES / "govuk-frontend" / "dist" / source_map).is_file()

    assert finders.find(source_map) is None
    assert client.get(f"/static/{source_map}").status_code == 404
    assert client.get("/static/govuk/govuk-frontend.min.js").status_code == 200
