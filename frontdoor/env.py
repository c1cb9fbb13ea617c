"""Typed, fail-loud readers for configuration from environment variables.

Each reader raises ImproperlyConfigured naming the variable when its value cannot be
understood, so that a typo in a deployment stops the app at start-up instead of being
silently read as a default.

Any variable NAME may instead be given as NAME_FILE, the path of a file holding the value
(a Docker or Kubernetes secret, a systemd credential, a file a secrets manager's agent
writes), so that secrets need not sit in the environment, which other processes of the
same user and crash reports can read. Surrounding whitespace (a file's last newline) is
dropped. Setting both NAME and NAME_FILE is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    path = (os.environ.get(f"{name}_FILE") or "").strip()
    if path:
        if value is not None and value.strip():
            raise ImproperlyConfigured(f"{name} and {name}_FILE are both set: set only one.")
        try:
            value = Path(path).read_text()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not text"
            raise ImproperlyConfigured(
                f"{name}_FILE names {path}, which cannot be read: {reason}."
            ) from None
    if value is None:
        return None
    value = value.strip()
    return value or None


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None:
        if required or default is None:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of true/false, yes/no, on/off or 1/0, not {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
