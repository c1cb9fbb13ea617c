"""How old each key in use is, and which certificates are near their end (ASVS 1.6.1).

The keys the application holds itself (the secret key, the password pepper, the keys the
authenticator keys are encrypted under, the health token, each with its fallbacks) carry
no date. Front Door records the day it first saw each one (``KeySeen``, by a fingerprint)
and says when it is due for replacement: ``KEY_CRYPTOPERIOD_DAYS`` after that day (365
by default; the council's key-management policy sets it). The day is when Front Door
first saw the key, not when it was made: a key older than this record is older than it
says, and the report marks the keys first seen on the day the record began.

The fingerprint is an HMAC-SHA-256 keyed with the key itself over a fixed label: the
keys are random and at least 32 characters (production refuses shorter ones), so the
fingerprint tells nothing about the key, and it is never shown. Service passwords (the
database's, SMTP's, Redis's) are not fingerprinted: a password may be short enough to be
guessed from a hash kept beside the data, and their rotation is the council's service
account policy. Keys inside a PKCS#11 module never reach the application; the module
keeps its own records.

The certificates the application presents or trusts (the client certificates and the
authorities named in DATABASE_URL, DATABASE_REPLICA_URL, CELERY_BROKER_URL and
FRONTDOOR_CACHE_URL) carry their own end date, read from the files: one with fewer than
``CERTIFICATE_WARN_DAYS`` (7) left is said to be expiring.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from django.conf import settings
from django.db import transaction
from django.db.models import Min

from oversight.models import KeySeen

# A key is "due soon" this long before its replacement date.
DUE_SOON = timedelta(days=30)
_LABEL = b"frontdoor key age fingerprint v1:"

OK = "ok"
DUE_SOON_STATE = "due soon"
OVERDUE = "overdue"
EXPIRING = "expiring"
EXPIRED = "expired"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class KeyInUse:
    kind: str
    # The setting it is given by, and its place there: never the key.
    setting: str
    current: bool
    fingerprint: str


@dataclass(frozen=True)
class KeyAge:
    setting: str
    current: bool
    first_seen: datetime
    # First seen on the day the record began: it may well be older.
    since_record_began: bool
    replace_by: date
    state: str

    def age_days(self, now: datetime) -> int:
        return (now - self.first_seen).days


@dataclass(frozen=True)
class CertificateInUse:
    setting: str
    path: str
    not_after: datetime | None
    state: str

    def days_left(self, now: datetime) -> int | None:
        return None if self.not_after is None else (self.not_after - now).days


def fingerprint(kind: str, key: str | bytes) -> str:
    raw = key.encode() if isinstance(key, str) else key
    return hmac.new(raw, _LABEL + kind.encode(), hashlib.sha256).hexdigest()


def _keys(kind: str, setting: str, current: str | bytes, fallbacks, fallback_setting: str):
    found = []
    if current:
        found.append(KeyInUse(kind, setting, True, fingerprint(kind, current)))
    for index, key in enumerate(fallbacks, start=1):
        if key:
            found.append(
                KeyInUse(kind, f"{fallback_setting} ({index})", False, fingerprint(kind, key))
            )
    return found


def keys_in_use() -> list[KeyInUse]:
    """The keys the application holds, current first, by the setting that gives them."""
    otp_keys = list(getattr(settings, "OTP_KEY_ENCRYPTION_KEYS", []))
    return [
        *_keys(
            "secret_key",
            "DJANGO_SECRET_KEY",
            settings.SECRET_KEY,
            settings.SECRET_KEY_FALLBACKS,
            "DJANGO_SECRET_KEY_FALLBACKS",
        ),
        *_keys(
            "password_pepper",
            "FRONTDOOR_PASSWORD_PEPPER",
            getattr(settings, "PASSWORD_PEPPER", ""),
            getattr(settings, "PASSWORD_PEPPER_FALLBACKS", []),
            "FRONTDOOR_PASSWORD_PEPPER_FALLBACKS",
        ),
        # The first encrypts; the others only decrypt what was encrypted before.
        *_keys(
            "otp_key_encryption_key",
            "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS (1)",
            otp_keys[0] if otp_keys else b"",
            [],
            "",
        ),
        *[
            KeyInUse(
                "otp_key_encryption_key",
                f"FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS ({index})",
                False,
                fingerprint("otp_key_encryption_key", key),
            )
            for index, key in enumerate(otp_keys[1:], start=2)
        ],
        *_keys(
            "health_token",
            "FRONTDOOR_HEALTH_TOKEN",
            getattr(settings, "HEALTH_TOKEN", ""),
            [],
            "",
        ),
    ]


def _state(replace_by: date, today: date) -> str:
    if today >= replace_by:
        return OVERDUE
    if today >= replace_by - DUE_SOON:
        return DUE_SOON_STATE
    return OK


def record(now: datetime) -> list[KeyAge]:
    """Note each key in use as seen now (the day it was first seen is kept), and say how
    old each is and when it is due for replacement."""
    keys = keys_in_use()
    period = timedelta(days=settings.KEY_CRYPTOPERIOD_DAYS)
    with transaction.atomic():
        KeySeen.objects.bulk_create(
            [
                KeySeen(kind=key.kind, fingerprint=key.fingerprint, first_seen=now, last_seen=now)
                for key in keys
            ],
            ignore_conflicts=True,
        )
        for key in keys:
            KeySeen.objects.filter(kind=key.kind, fingerprint=key.fingerprint).update(last_seen=now)
        seen = {
            (row.kind, row.fingerprint): row.first_seen
            for row in KeySeen.objects.filter(fingerprint__in=[key.fingerprint for key in keys])
        }
        record_began = KeySeen.objects.aggregate(began=Min("first_seen"))["began"]
    ages = []
    for key in keys:
        first_seen = seen[(key.kind, key.fingerprint)]
        replace_by = (first_seen + period).date()
        ages.append(
            KeyAge(
                setting=key.setting,
                current=key.current,
                first_seen=first_seen,
                since_record_began=bool(record_began) and first_seen.date() == record_began.date(),
                replace_by=replace_by,
                state=_state(replace_by, now.date()),
            )
        )
    return ages


def _certificate_paths(databases: dict) -> list[tuple[str, str]]:
    """(setting and field, path) of every certificate file the connections name."""
    found: list[tuple[str, str]] = []
    for alias, variable in (("default", "DATABASE_URL"), ("replica", "DATABASE_REPLICA_URL")):
        options = databases.get(alias, {}).get("OPTIONS", {})
        for field in ("sslcert", "sslrootcert"):
            value = str(options.get(field, "") or "")
            if value and value != "system":
                found.append((f"{variable} {field}", value))
    for variable, url in (
        ("CELERY_BROKER_URL", getattr(settings, "CELERY_BROKER_URL", "")),
        ("FRONTDOOR_CACHE_URL", getattr(settings, "CACHE_URL", "")),
    ):
        if not url or not url.startswith("rediss://"):
            continue
        query = parse_qs(urlsplit(url).query)
        for field in ("ssl_certfile", "ssl_ca_certs"):
            value = query.get(field, [""])[-1]
            if value:
                found.append((f"{variable} {field}", value))
    return found


def _not_after(path: str) -> datetime | None:
    """The earliest end date of the certificates in a PEM file (an authority's bundle may
    hold several: the first to end is the one to replace)."""
    try:
        certificates = x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError):
        return None
    return min(certificate.not_valid_after_utc for certificate in certificates)


def certificates(now: datetime, *, databases: dict | None = None) -> list[CertificateInUse]:
    """``databases``: the DATABASES setting's entries (by default, the setting's own)."""
    warn = timedelta(days=settings.CERTIFICATE_WARN_DAYS)
    found = []
    for setting, path in _certificate_paths(settings.DATABASES if databases is None else databases):
        not_after = _not_after(path)
        if not_after is None:
            state = UNREADABLE
        elif not_after <= now:
            state = EXPIRED
        elif not_after - now < warn:
            state = EXPIRING
        else:
            state = OK
        found.append(CertificateInUse(setting, path, not_after, state))
    return found


def problems(ages: list[KeyAge], certs: list[CertificateInUse], now: datetime) -> list[str]:
    """What needs doing now, one line each, naming settings and dates, never a key."""
    found = []
    for age in ages:
        if age.state == OVERDUE:
            found.append(
                f"{age.setting}: in use since {age.first_seen:%Y-%m-%d} "
                f"({age.age_days(now)} days), past its cryptoperiod of "
                f"{settings.KEY_CRYPTOPERIOD_DAYS} days: replace it (docs/SECURITY.md, "
                '"Keys and secrets")'
            )
    for cert in certs:
        if cert.state == EXPIRED:
            found.append(f"{cert.setting}: the certificate in {cert.path} has expired")
        elif cert.state == EXPIRING:
            found.append(
                f"{cert.setting}: the certificate in {cert.path} expires on "
                f"{cert.not_after:%Y-%m-%d %H:%M} UTC, in under "
                f"{settings.CERTIFICATE_WARN_DAYS} days: renew it"
            )
        elif cert.state == UNREADABLE:
            found.append(f"{cert.setting}: {cert.path} is not a certificate this process can read")
    return found
