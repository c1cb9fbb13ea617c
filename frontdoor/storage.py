"""Static files in production: hashed names (cached for a year) and compressed copies."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage

# A static `import ... from "./x.js";` or `"../x.js"` in our own ES modules: rewritten to
# the hashed name, as the stylesheet's url()s are. Only our own *.mjs: the packages'
# minified *.js are left as they come.
_MODULE_IMPORT = (
    r"""(?P<matched>import(?s:(?P<import>[\s\{].*?))\s*from\s*['"](?P<url>[./].*?)["']\s*;)""",
    """import%(import)s from "%(url)s";""",
)


def _without_source_maps(patterns):
    """Django's patterns, less those that rewrite a `sourceMappingURL` comment to the map's
    hashed name: the maps are not collected (frontdoor/staticfiles.py), and a comment
    naming a missing file would fail collectstatic. The comment is left as it is; a
    browser's developer tools asking for the map get a 404."""
    kept = []
    for glob, rules in patterns:
        rules = tuple(
            rule
            for rule in rules
            if "sourceMappingURL" not in (rule[0] if isinstance(rule, (tuple, list)) else rule)
        )
        if rules:
            kept.append((glob, rules))
    return tuple(kept)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, with the imports of our ES modules (``static/js/*.mjs``)
    rewritten to hashed names: otherwise the browser fetches GOV.UK Frontend's script by
    its plain name, which WhiteNoise caches for 60 seconds only, and a new release could
    pair a new page with an old script."""

    patterns = (
        *_without_source_maps(CompressedManifestStaticFilesStorage.patterns),
        ("*.mjs", (_MODULE_IMPORT,)),
    )
