"""Passwords hashed with a pepper (ASVS 2.4.5): a secret known only to the application,
kept out of the database, so that a copy of the users table alone cannot be guessed at.

The password is first keyed with HMAC-SHA256 under the pepper, then hashed by Django's
PBKDF2-SHA256 with Django's own iterations and a salt of its own, as before. The stored
hash names which pepper made it by a short fingerprint (an HMAC of a fixed label under
the pepper: it says nothing about the pepper itself), so that:

- a hash under a pepper named in FRONTDOOR_PASSWORD_PEPPER_FALLBACKS still verifies, and
  is made again under the current pepper at that sign-in (``must_update``);
- a hash made before the pepper (``pbkdf2_sha256$...``) still verifies by the hashers
  listed after this one in PASSWORD_HASHERS and, since its algorithm is not the first
  hasher's, Django makes it again with this one at the next sign-in.

Stored as ``pbkdf2_sha256_peppered$<pepper id>$<iterations>$<salt>$<hash>``.

With a PKCS#11 security module configured and FRONTDOOR_PKCS11_PEPPER_KEY_LABEL set
(agencies.security_module, core.hsm; ASVS 6.4.2), the pepper is instead a generic secret
key inside the module that never leaves it: the module computes the HMAC-SHA256
(CKM_SHA256_HMAC), and its id is the module's HMAC of the same fixed label. The first
label makes new hashes; the others, FRONTDOOR_PASSWORD_PEPPER (when still set) and its
fallbacks verify the hashes they made, which are made again under the module's key at
their owner's next sign-in, exactly as with a new pepper.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, mask_hash, must_update_salt
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop as _

from agencies import security_module

logger = logging.getLogger("frontdoor.security")

_PEPPER_ID_LABEL = b"front door password pepper id"


def pepper_id(pepper: str) -> str:
    return hmac.new(pepper.encode(), _PEPPER_ID_LABEL, hashlib.sha256).hexdigest()[:8]


@dataclass(frozen=True)
class Pepper:
    """A pepper: its id in a stored hash, how it keys a password, and its name in
    ``hashes_by_pepper``."""

    id: str
    keyed: Callable[[str], str]
    name: str


def _application_pepper(pepper: str, name: str) -> Pepper:
    return Pepper(pepper_id(pepper), lambda password: _keyed(password, pepper), name)


def _module_pepper(module, label: str, name: str) -> Pepper:
    identifier = module.hmac_sha256(_PEPPER_ID_LABEL, label=label).hex()[:8]
    return Pepper(
        identifier, lambda password: module.hmac_sha256(password.encode(), label=label).hex(), name
    )


def peppers() -> list[Pepper]:
    """The current pepper first, then the retiring ones: the security module's keys (when
    configured), FRONTDOOR_PASSWORD_PEPPER, FRONTDOOR_PASSWORD_PEPPER_FALLBACKS. A module
    that cannot be used raises core.hsm.ModuleUnavailable: no password is checked
    without it."""
    found = []
    module = security_module.get()
    labels = security_module.pepper_key_labels() if module is not None else []
    for position, label in enumerate(labels):
        name = "current" if position == 0 else f"security module key {label}"
        found.append(_module_pepper(module, label, name))
    if settings.PASSWORD_PEPPER:
        name = "application pepper" if found else "current"
        found.append(_application_pepper(settings.PASSWORD_PEPPER, name))
    for number, pepper in enumerate(settings.PASSWORD_PEPPER_FALLBACKS, start=1):
        found.append(_application_pepper(pepper, f"fallback {number}"))
    return found


def _peppers() -> dict[str, Pepper]:
    """Every configured pepper by id (the first listed wins a shared id)."""
    return {pepper.id: pepper for pepper in reversed(peppers())}


def _keyed(password: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), password.encode(), hashlib.sha256).hexdigest()


class PepperedPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 (same digest, same iterations) over HMAC-SHA256(pepper,
    password)."""

    algorithm = "pbkdf2_sha256_peppered"

    def encode(self, password, salt, iterations=None):
        return self._encode(password, salt, iterations, pepper=peppers()[0])

    def _encode(self, password, salt, iterations, *, pepper: Pepper) -> str:
        self._check_encode_args(password, salt)
        inner = super().encode(pepper.keyed(password), salt, iterations)
        # inner is "<algorithm>$<iterations>$<salt>$<hash>": put the pepper's id after
        # the algorithm.
        _, rest = inner.split("$", 1)
        return f"{self.algorithm}${pepper.id}${rest}"

    def decode(self, encoded):
        algorithm, pepper, iterations, salt, hash_ = encoded.split("$", 4)
        assert algorithm == self.algorithm
        return {
            "algorithm": algorithm,
            "pepper": pepper,
            "hash": hash_,
            "iterations": int(iterations),
            "salt": salt,
        }

    def verify(self, password, encoded):
        decoded = self.decode(encoded)
        pepper = _peppers().get(decoded["pepper"])
        if pepper is None:
            # A pepper retired while hashes still used it: nobody with such a hash can
            # sign in until their password is reset. Said in the log (the id only) so
            # that an operator who retired it too early can put it back as a fallback.
            logger.warning("password hash under an unknown pepper: pepper=%s", decoded["pepper"])
            return False
        encoded_2 = self._encode(password, decoded["salt"], decoded["iterations"], pepper=pepper)
        return constant_time_compare(encoded, encoded_2)

    def safe_summary(self, encoded):
        decoded = self.decode(encoded)
        return {
            _("algorithm"): decoded["algorithm"],
            _("pepper"): decoded["pepper"],
            _("iterations"): decoded["iterations"],
            _("salt"): mask_hash(decoded["salt"]),
            _("hash"): mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded):
        decoded = self.decode(encoded)
        return (
            decoded["pepper"] != peppers()[0].id
            or decoded["iterations"] != self.iterations
            or must_update_salt(decoded["salt"], self.salt_entropy)
        )


def hashes_by_pepper() -> dict[str, int]:
    """How many people's password hashes each pepper made, to know when a retiring pepper
    may be removed: ``current``, ``fallback 1`` (the first of the fallbacks), ...,
    ``unknown pepper`` (one no longer configured), ``before the pepper`` (another
    hasher's) and ``no password`` (unusable)."""
    from django.contrib.auth import get_user_model

    names: dict[str, str] = {}
    for pepper in peppers():
        names.setdefault(pepper.id, pepper.name)
    counts = dict.fromkeys(
        [*dict.fromkeys(names.values()), "unknown pepper", "before the pepper", "no password"], 0
    )
    passwords = get_user_model().objects.values_list("password", flat=True)
    for encoded in passwords.iterator(chunk_size=2000):
        algorithm, _, rest = (encoded or "").partition("$")
        if not encoded or encoded.startswith("!"):
            counts["no password"] += 1
        elif algorithm == PepperedPBKDF2PasswordHasher.algorithm:
            counts[names.get(rest.split("$", 1)[0], "unknown pepper")] += 1
        else:
            counts["before the pepper"] += 1
    return counts
