"""The paths, the mode (production, embedded or development) and Django's secret key:
the first part of frontdoor.settings, whose mode every later part reads."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from frontdoor.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(env_str("FRONTDOOR_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("DJANGO_DEBUG", False)
EMBEDDED = env_bool("FRONTDOOR_EMBEDDED", False)
# Kept apart from DEBUG because the test runner switches DEBUG off for every test.
PRODUCTION = not DEBUG and not EMBEDDED

INSECURE_SECRET_KEY = "insecure-development-key-do-not-use-in-production"


def _generated_secret(filename: str, make: Callable[[], str]) -> str:
    """A secret the embedded mode (and development) generates on first run and keeps under
    var/, readable by its owner only, so that it survives a restart and no two installs
    share one. Written to a temporary file and linked into place, so that processes
    starting at once (web, worker, beat) all read the one that won, never a half-written
    file."""
    path = VAR_DIR / filename
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=VAR_DIR, prefix=f".{filename}.")
        try:
            with os.fdopen(descriptor, "w") as file:  # mkstemp makes it 0600
                file.write(make())
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: theirs is kept
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY",
    _generated_secret("secret_key", lambda: secrets.token_urlsafe(50))
    if EMBEDDED and not DEBUG
    else INSECURE_SECRET_KEY,
)


# Earlier secret keys, comma-separated, while they retire: what they signed (sessions,
# password-reset links) is still accepted, and everything new is signed with
# DJANGO_SECRET_KEY, so the key is replaced without signing everyone out. Remove them
# once the sessions they signed have ended (SESSION_ABSOLUTE_TIMEOUT, 12 hours by default).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", [])


def _weak_secret(value: str, *, minimum: int) -> bool:
    return len(value) < minimum or len(set(value)) < 5


if PRODUCTION and (
    SECRET_KEY == INSECURE_SECRET_KEY
    or _weak_secret(SECRET_KEY, minimum=50)
    or any(_weak_secret(key, minimum=50) for key in SECRET_KEY_FALLBACKS)
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
        "when DJANGO_DEBUG is off (production mode), and so must each of "
        "DJANGO_SECRET_KEY_FALLBACKS."
    )
