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
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, mask_hash, must_update_salt
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop as _

logger = logging.getLogger("frontdoor.security")

_PEPPER_ID_LABEL = b"front door password pepper id"


def pepper_id(pepper: str) -> str:
    return hmac.new(pepper.encode(), _PEPPER_ID_LABEL, hashlib.sha256).hexdigest()[:8]


def _peppers() -> dict[str, str]:
    """The current pepper and the retiring ones, by id."""
    peppers = [settings.PASSWORD_PEPPER, *settings.PASSWORD_PEPPER_FALLBACKS]
    return {pepper_id(pepper): pepper for pepper in reversed(peppers)}


def _keyed(password: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), password.encode(), hashlib.sha256).hexdigest()


class PepperedPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 (same digest, same iterations) over HMAC-SHA256(pepper,
    password)."""

    algorithm = "pbkdf2_sha256_peppered"

    def encode(self, password, salt, iterations=None):
        return self._encode(password, salt, iterations, pepper=settings.PASSWORD_PEPPER)

    def _encode(self, password, salt, iterations, *, pepper: str) -> str:
        self._check_encode_args(password, salt)
        inner = super().encode(_keyed(password, pepper), salt, iterations)
        # inner is "<algorithm>$<iterations>$<salt>$<hash>": put the pepper's id after
        # the algorithm.
        _, rest = inner.split("$", 1)
        return f"{self.algorithm}${pepper_id(pepper)}${rest}"

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
            decoded["pepper"] != pepper_id(settings.PASSWORD_PEPPER)
            or decoded["iterations"] != self.iterations
            or must_update_salt(decoded["salt"], self.salt_entropy)
        )


def hashes_by_pepper() -> dict[str, int]:
    """How many people's password hashes each pepper made, to know when a retiring pepper
    may be removed: ``current``, ``fallback 1`` (the first of the fallbacks), ...,
    ``unknown pepper`` (one no longer configured), ``before the pepper`` (another
    hasher's) and ``no password`` (unusable)."""
    from django.contrib.auth import get_user_model

    names = {pepper_id(settings.PASSWORD_PEPPER): "current"}
    for number, pepper in enumerate(settings.PASSWORD_PEPPER_FALLBACKS, start=1):
        names.setdefault(pepper_id(pepper), f"fallback {number}")
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
