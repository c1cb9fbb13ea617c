"""Two-step verification with an authenticator app (TOTP, django-otp): setting it up,
checking a code, and what the set-up page shows (a QR code drawn as inline SVG by segno,
and the key to type in by hand). No external service sees the key."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass

import segno
from django.db import transaction
from django_otp.oath import TOTP, hotp

from agencies.changes import SignInChange, tell_owner
from agencies.models import Authenticator, User
from agencies.otp_keys import Undecryptable
from core import security_log

DEVICE_NAME = "Authenticator app"


class CodeRefused(Exception):
    """A code that is not the current one, or one given too soon after wrong ones."""

    def __init__(self, message: str, *, throttled: bool = False):
        super().__init__(message)
        self.message = message
        self.throttled = throttled


def confirmed_device(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_device(user: User) -> bool:
    return Authenticator.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def pending_device(user: User) -> Authenticator:
    """The unconfirmed device being set up, made on first asking and kept until it is
    confirmed, so that reloading the page shows the same key."""
    device = Authenticator.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is not None and not _decrypts(device):
        # Its key was encrypted under a key no longer configured (FRONTDOOR_OTP_KEY_
        # ENCRYPTION_KEYS changed while it waited): no code can ever be checked against
        # it, and it was never confirmed, so nothing is lost by starting again.
        security_log.second_factor(user_id=user.pk, outcome="set-up-restarted-key-undecryptable")
        device.delete()
        device = None
    if device is None:
        device = Authenticator.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _decrypts(device: Authenticator) -> bool:
    try:
        device.bin_key  # noqa: B018 - decrypting is the check
    except Undecryptable:
        return False
    return True


@dataclass(frozen=True)
class Enrolment:
    qr_svg: str
    manual_key: str


def enrolment_for(device: Authenticator) -> Enrolment:
    """What the set-up page shows: the otpauth:// address as a QR code (inline SVG, no
    request leaves the page) and the same key in groups of four for typing."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(
        scale=5, border=4, title="QR code for your authenticator app", svgclass="fd-qr"
    )
    key = b32encode(device.bin_key).decode().rstrip("=")
    return Enrolment(qr_svg=svg, manual_key=" ".join(key[i : i + 4] for i in range(0, len(key), 4)))


def _attempt(device: Authenticator, code: str) -> CodeRefused | None:
    """Check a code against a device (locked by the caller); a wrong code counts towards
    django-otp's growing wait before the next is checked. Returns the refusal rather than
    raising it, so that the transaction keeps the count of wrong codes."""
    try:
        device.bin_key  # noqa: B018 - decrypting is the check
    except Undecryptable:
        # Changed in the database, or encrypted under a key no longer configured: no code
        # can be checked against it, and none is counted as wrong. An administrator
        # resets it (the admin's two-step devices) and its owner sets it up again.
        security_log.second_factor(user_id=device.user_id, outcome="key-undecryptable")
        return CodeRefused(
            "Your authenticator app cannot be checked. Ask your administrator to reset "
            "your two-step verification, then set it up again."
        )
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        security_log.second_factor(user_id=device.user_id, outcome="throttled")
        return CodeRefused(
            "Too many wrong codes. Wait a minute, then enter the code your app shows now.",
            throttled=True,
        )
    token = "".join(code.split())
    if not device.verify_token(token):
        if _reused(device, token):
            # Refused as any used code is (django-otp never takes a time step twice); but
            # the code was right, so the owner may not be the only one who saw it.
            security_log.second_factor(user_id=device.user_id, outcome="reused")
            tell_owner(
                user=device.user,
                change=SignInChange.TWO_STEP_CODE_REUSED,
                key=f"two-step-reused:{device.pk}:{device.last_t}",
            )
            return CodeRefused(
                "That code has already been used. Wait for your authenticator app to show "
                "a new code, then enter it."
            )
        security_log.second_factor(user_id=device.user_id, outcome="failed")
        return CodeRefused(
            f"Enter the {device.digits}-digit code your authenticator app shows now."
        )
    return None


def _reused(device: Authenticator, token: str) -> bool:
    """Whether ``token`` is the code of the time step last accepted (django-otp's
    ``last_t``), given again while that step is still within the accepted window: a
    second sign-in with a code already used, as someone who watched it being typed, or
    a proxy that relayed it, would try."""
    # ASCII digits only: str.isdigit() is true of "²" too, which int() refuses.
    if device.last_t < 0 or not (token.isascii() and token.isdigit()):
        return False
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    if abs(now - device.last_t) > device.tolerance + 1:
        return False
    return int(token) == hotp(device.bin_key, device.last_t, digits=device.digits)


def confirm_device(*, user: User, code: str) -> Authenticator:
    """Set-up's last step: the first code from the app proves it holds the key."""
    with transaction.atomic():
        device = Authenticator.objects.select_for_update().get(pk=pending_device(user).pk)
        refused = _attempt(device, code)
        if refused is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            Authenticator.objects.filter(user=user, confirmed=False).delete()
            security_log.second_factor(user_id=user.pk, outcome="enrolled")
            tell_owner(user=user, change=SignInChange.TWO_STEP_SET_UP, key=f"two-step:{device.pk}")
    if refused is not None:
        raise refused
    return device


def verify_code(*, user: User, code: str) -> Authenticator:
    """The step after the password: the code from the user's app. CodeRefused otherwise;
    Authenticator.DoesNotExist when nothing is set up."""
    with transaction.atomic():
        device = (
            Authenticator.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise Authenticator.DoesNotExist
        refused = _attempt(device, code)
        if refused is None:
            security_log.second_factor(user_id=user.pk, outcome="verified")
    if refused is not None:
        raise refused
    return device
