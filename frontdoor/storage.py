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


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, with the imports of our ES modules (``static/js/*.mjs``)
    rewritten to hashed names: otherwise the browser fetches GOV.UK Frontend's script by
    its plain name, which WhiteNoise caches for 60 seconds only, and a new release could
    pair a new page with an old script."""

    patterns = (*CompressedManifestStaticFilesStorage.patterns, ("*.mjs", (_MODULE_IMPORT,)))
