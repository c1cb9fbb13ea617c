"""Security keys and passkeys (WebAuthn / FIDO2) as a second step to sign in, beside the
authenticator app (agencies.twostep): registering one, checking its answer at sign-in,
removing one. The cryptography is py_webauthn's (the `webauthn` package); this module
keeps the ceremonies' state, decides who may use which key, and tells and logs as the
authenticator app's changes do.

Each ceremony is one challenge, made by the server, kept in the session and taken out
of it before the answer is checked, so an answer is checked at most once: a replayed
answer finds no challenge, or the wrong one. The answer must come from one of the
expected origins (settings.WEBAUTHN_ORIGINS, or outside production the page's own origin
at the relying party's domain) for the relying party's domain (WEBAUTHN_RP_ID).

At sign-in the browser may offer only the user's own keys; an answer naming a key that
is not theirs is refused before any key is checked. A refused answer counts towards the
key's growing wait (django-otp's throttling, as a wrong code does), and a key's
signature counter that has not gone up is refused as a possible copy of the key.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from agencies.changes import SignInChange, tell_owner
from agencies.models import SecurityKey, User
from core import security_log

REGISTRATION_STATE = "fd_security_key_registration"
AUTHENTICATION_STATE = "fd_security_key_authentication"
NAME_MAX_LENGTH = SecurityKey._meta.get_field("name").max_length


class KeyRefused(Exception):
    """A key's answer that is not accepted, with what to tell the person."""

    def __init__(self, message: str, *, throttled: bool = False):
        super().__init__(message)
        self.message = message
        self.throttled = throttled


def keys_of(user: User):
    return SecurityKey.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def has_key(user: User) -> bool:
    return keys_of(user).exists()


def _expected_origins(request) -> list[str]:
    """The origins a key's answer may name: those configured; otherwise (outside
    production, where none is configured) the page's own, when its host is the relying
    party's domain or under it."""
    if settings.WEBAUTHN_ORIGINS:
        return [origin.rstrip("/") for origin in settings.WEBAUTHN_ORIGINS]
    own = f"{request.scheme}://{request.get_host()}"
    host = urlsplit(own).hostname or ""
    rp_id = settings.WEBAUTHN_RP_ID
    if host == rp_id or host.endswith(f".{rp_id}"):
        return [own]
    return []


def _user_handle(user: User) -> bytes:
    # The account's id, never its name: the handle is kept on the key.
    return str(user.pk).encode()


def _descriptor(key: SecurityKey) -> PublicKeyCredentialDescriptor:
    transports = []
    for value in key.transports or []:
        try:
            transports.append(AuthenticatorTransport(value))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(
        id=_b64decode(key.credential_id), transports=transports or None
    )


def _b64decode(value: str) -> bytes:
    return base64url_to_bytes(value)


def _take_state(session, name: str) -> dict | None:
    """The ceremony's state, taken out of the session (and the session saved at once) so
    that it is used once whatever happens next."""
    state = session.pop(name, None)
    session.save()
    if not isinstance(state, dict) or state.get("expires", 0) < time.time():
        return None
    return state


def _expiry() -> float:
    return time.time() + settings.WEBAUTHN_TIMEOUT_MS / 1000 + 60


# --- Registering a key ----------------------------------------------------------------


def begin_registration(request, *, name: str) -> dict:
    """The options for the browser's navigator.credentials.create() (in their JSON form),
    and the challenge and the key's name kept in the session until the key answers."""
    user = request.user
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=_user_handle(user),
        user_name=user.get_username(),
        user_display_name=user.get_username(),
        timeout=settings.WEBAUTHN_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        # The same key twice would be one key with two names.
        exclude_credentials=[_descriptor(key) for key in keys_of(user)],
    )
    request.session[REGISTRATION_STATE] = {
        "challenge": bytes_to_base64url(options.challenge),
        "name": name,
        "expires": _expiry(),
    }
    return json.loads(options_to_json(options))


def discard_registration(request) -> None:
    _take_state(request.session, REGISTRATION_STATE)


def finish_registration(request, *, credential: str) -> SecurityKey:
    """Check the new key's answer (the challenge, the origin, the relying party, the
    attestation's form) and keep the key. KeyRefused otherwise."""
    user = request.user
    state = _take_state(request.session, REGISTRATION_STATE)
    if state is None:
        raise KeyRefused("Adding the key took too long or was already finished. Start again.")
    origins = _expected_origins(request)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=_b64decode(state["challenge"]),
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=origins,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        security_log.security_key(user_id=user.pk, event="add-refused")
        raise KeyRefused("Your security key's answer could not be checked. Try again.") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    transports = _transports(credential)
    with transaction.atomic():
        if SecurityKey.objects.filter(credential_id=credential_id).exists():
            security_log.security_key(user_id=user.pk, event="add-refused")
            raise KeyRefused("That security key is already registered.")
        key = SecurityKey.objects.create(
            user=user,
            name=state["name"][:NAME_MAX_LENGTH],
            confirmed=True,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
        )
        security_log.security_key(user_id=user.pk, event="added", key_id=key.pk)
        tell_owner(user=user, change=SignInChange.SECURITY_KEY_ADDED, key=f"security-key:{key.pk}")
    return key


def _transports(credential: str) -> list[str]:
    try:
        values = json.loads(credential).get("response", {}).get("transports") or []
    except (ValueError, AttributeError):
        return []
    # A list, or nothing: py_webauthn passes over anything else (a number, an object),
    # which then reached here after the key was verified (a number: a server error).
    if not isinstance(values, list):
        return []
    known = {t.value for t in AuthenticatorTransport}
    return [v for v in values if isinstance(v, str) and v in known][:8]


# --- Removing a key -------------------------------------------------------------------


def remove_key(*, key: SecurityKey, by: User) -> None:
    """Remove a key (its owner on the account page, or an administrator): logged, and
    its owner told, in the same transaction (a removal that fails tells nobody)."""
    with transaction.atomic():
        owner = key.user
        key_id = key.pk
        key.delete()
        security_log.security_key(
            user_id=owner.pk,
            event="removed",
            key_id=key_id,
            by=by.pk if by.pk != owner.pk else None,
        )
        tell_owner(
            user=owner,
            change=SignInChange.SECURITY_KEY_REMOVED,
            key=f"security-key-removed:{key_id}",
        )


# --- Signing in with a key --------------------------------------------------------------


def begin_authentication(request) -> dict:
    """The options for navigator.credentials.get(): a new challenge, and the user's own
    keys as the only ones the browser may offer."""
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        timeout=settings.WEBAUTHN_TIMEOUT_MS,
        allow_credentials=[_descriptor(key) for key in keys_of(request.user)],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[AUTHENTICATION_STATE] = {
        "challenge": bytes_to_base64url(options.challenge),
        "expires": _expiry(),
    }
    return json.loads(options_to_json(options))


def _credential_id_of(credential: str) -> str | None:
    """The id of the key that answered, as stored; None when the answer cannot be read."""
    try:
        parsed = parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return None
    return bytes_to_base64url(parsed.raw_id)


def verify_assertion(request, *, credential: str) -> SecurityKey:
    """Check the answer of one of the user's keys to the challenge in their session.
    KeyRefused otherwise (SecurityKey.DoesNotExist when they have none)."""
    user = request.user
    state = _take_state(request.session, AUTHENTICATION_STATE)
    keys = list(keys_of(user))
    if not keys:
        raise SecurityKey.DoesNotExist
    credential_id = _credential_id_of(credential)
    with transaction.atomic():
        if credential_id not in {k.credential_id for k in keys}:
            # Not one of theirs (another person's key, or none at all): counted against
            # every key of theirs, so that guessing is slowed as a wrong code is.
            locked = list(
                SecurityKey.objects.select_for_update().filter(pk__in=[k.pk for k in keys])
            )
            throttled = any(not k.verify_is_allowed()[0] for k in locked)
            for each in locked:
                each.throttle_increment()
            security_log.security_key(
                user_id=user.pk, event="throttled" if throttled else "unknown-key"
            )
            refused = KeyRefused(
                "That is not a security key registered to your account. Use one of yours."
            )
        else:
            key = SecurityKey.objects.select_for_update().get(credential_id=credential_id)
            refused = _check(request, key=key, state=state, credential=credential)
    if refused is not None:
        raise refused
    return key


def _check(request, *, key: SecurityKey, state: dict | None, credential: str) -> KeyRefused | None:
    """Check one key's answer (the key locked by the caller); the refusal is returned, not
    raised, so that the transaction keeps the count of refused answers."""
    allowed, _ = key.verify_is_allowed()
    if not allowed:
        security_log.security_key(user_id=key.user_id, event="throttled", key_id=key.pk)
        return KeyRefused(
            "Too many answers were refused. Wait a minute, then use your security key again.",
            throttled=True,
        )
    if state is None:
        key.throttle_increment()
        security_log.security_key(user_id=key.user_id, event="failed", key_id=key.pk)
        return KeyRefused("Using your security key took too long, or the page was old. Try again.")
    try:
        # The counter is checked below, once the signature is known to be the key's:
        # given 0 here, py_webauthn checks everything else.
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=_b64decode(state["challenge"]),
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=_expected_origins(request),
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=0,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        key.throttle_increment()
        security_log.security_key(user_id=key.user_id, event="failed", key_id=key.pk)
        return KeyRefused("Your security key's answer could not be checked. Try again.")
    new_count = verified.new_sign_count
    if (new_count > 0 or key.sign_count > 0) and new_count <= key.sign_count:
        # Signed by the key, but its counter has not gone up: another authenticator with a
        # copy of the key may have used it since. Refused and logged; its owner and an
        # administrator decide whether to remove it.
        key.throttle_increment()
        security_log.security_key(user_id=key.user_id, event="sign-count-regressed", key_id=key.pk)
        return KeyRefused(
            "Your security key could not be trusted this time. Ask your Front Door "
            "administrator to check it, or use your authenticator app."
        )
    key.sign_count = new_count
    key.last_used_at = timezone.now()
    key.throttling_failure_timestamp = None
    key.throttling_failure_count = 0
    key.save(
        update_fields=[
            "sign_count",
            "last_used_at",
            "throttling_failure_timestamp",
            "throttling_failure_count",
        ]
    )
    security_log.security_key(user_id=key.user_id, event="verified", key_id=key.pk)
    return None
