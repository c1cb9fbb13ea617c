"""Language and time zone, and the static files: our compiled CSS, GOV.UK and MOJ
Frontend and htmx."""

from __future__ import annotations

from frontdoor.settings_parts.base import BASE_DIR, PRODUCTION, VAR_DIR

# --- Internationalisation -------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files: our compiled CSS and GOV.UK / MOJ Frontend from npm ---------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    BASE_DIR / "static_build",
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
    # htmx, for the few parts of a page that update in place (htmx/htmx.min.js).
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    # MOJ Frontend hands GOV.UK Frontend its own assets path ($moj-assets-path in
    # frontend/scss/app.scss), so the stylesheet asks for both packages' images in one
    # folder: collect both packages' assets into "assets/".
    ("assets", NODE_MODULES / "govuk-frontend" / "dist" / "govuk" / "assets"),
    ("assets", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj" / "assets"),
]
# Only the extensions the pages use (ALLOWED_EXTENSIONS) are found, collected and served:
# not the packages' Sass sources, source maps, READMEs or fixtures.
STATICFILES_FINDERS = [
    "frontdoor.staticfiles.FileSystemFinder",
    "frontdoor.staticfiles.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "frontdoor.storage.StaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
