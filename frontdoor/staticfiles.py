"""Static files by an allow list of extensions: what the pages use, and nothing else.

The packages the finders read (GOV.UK Frontend, MOJ Frontend, htmx, the installed apps)
ship their Sass and Nunjucks sources, source maps, type declarations, READMEs, licences
and test fixtures beside the files a page asks for. The finders below hand collectstatic
(and, outside production, WhiteNoise and runserver) only files whose extension is in
``ALLOWED_EXTENSIONS``, and the middleware serves nothing else, even a file someone puts
in ``STATIC_ROOT`` by hand or the storage's own manifest (ASVS V12.5.1).
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.contrib.staticfiles import finders
from whitenoise.middleware import WhiteNoiseMiddleware as _WhiteNoiseMiddleware

# What the pages ask for: stylesheets, scripts (our ES modules are .mjs), and images (the
# stylesheet's and the admin's SVGs; Swagger UI's favicon is a PNG). A page that starts
# to use another kind of file needs it added here; tests/frontdoor/test_static_assets.py
# fails until it is.
ALLOWED_EXTENSIONS = frozenset({".css", ".js", ".mjs", ".svg", ".png"})

# Apps whose static files only a DEBUG page uses: DRF's browsable API (its renderer is on
# only with DEBUG, frontdoor/settings.py) and its Bootstrap 3, jQuery and web fonts. With
# DEBUG off they are not found, so not collected: production has no page that asks. (With
# DEBUG on its web fonts are still not served: its few icons show as boxes.)
DEBUG_ONLY_APPS = frozenset({"rest_framework"})


def is_allowed(path: str) -> bool:
    """Whether a static file's path (or URL) ends in an allowed extension."""
    extension = posixpath.splitext(path.replace("\\", "/"))[1]
    return extension.lower() in ALLOWED_EXTENSIONS


class FileSystemFinder(finders.FileSystemFinder):
    """``STATICFILES_DIRS``, allowed extensions only."""

    def list(self, ignore_patterns):
        for path, storage in super().list(ignore_patterns):
            if is_allowed(path):
                yield path, storage

    def find_location(self, root, path, prefix=None):
        return super().find_location(root, path, prefix) if is_allowed(path) else None


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """The installed apps' ``static/`` folders, allowed extensions only, and the
    ``DEBUG_ONLY_APPS``' only with DEBUG on."""

    def _hidden(self, app):
        return app in DEBUG_ONLY_APPS and not settings.DEBUG

    def list(self, ignore_patterns):
        hidden = {id(storage) for app, storage in self.storages.items() if self._hidden(app)}
        for path, storage in super().list(ignore_patterns):
            if is_allowed(path) and id(storage) not in hidden:
                yield path, storage

    def find_in_app(self, app, path):
        if self._hidden(app) or not is_allowed(path):
            return None
        return super().find_in_app(app, path)


class WhiteNoiseMiddleware(_WhiteNoiseMiddleware):
    """WhiteNoise, serving allowed extensions only. In production it indexes every file
    in ``STATIC_ROOT`` at start-up (the compressed copies are served in place of their
    originals, not at addresses of their own); outside production it asks the finders
    above, which allow the same."""

    def add_file_to_dictionary(self, url, path, stat_cache=None):
        if is_allowed(url):
            super().add_file_to_dictionary(url, path, stat_cache=stat_cache)

    def find_file(self, url):
        return super().find_file(url) if is_allowed(url) else None
