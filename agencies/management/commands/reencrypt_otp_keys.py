"""Encrypt every authenticator key again under the first of
FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS, or, with a PKCS#11 security module configured, under the
first of FRONTDOOR_PKCS11_OTP_KEY_LABEL inside it (agencies.otp_keys), so that the others
can be retired."""

from django.core.management.base import BaseCommand, CommandError

from agencies.otp_keys import reencrypt_all


class Command(BaseCommand):
    help = (
        "Encrypt every authenticator key again under the first of "
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS, or, with a PKCS#11 security module configured "
        "(FRONTDOOR_PKCS11_*), by the module under the first of "
        "FRONTDOOR_PKCS11_OTP_KEY_LABEL. Run it after putting a new key first; once it "
        "reports nothing left under another key, remove the old keys. Safe to run again, "
        "and while Front Door is running."
    )

    def handle(self, *args, verbosity: int, **options):
        rotation = reencrypt_all()
        if verbosity >= 1:
            self.stdout.write(
                f"Authenticator keys: {rotation.reencrypted} encrypted again under the first "
                f"key, {rotation.current} already under it, {rotation.into_module} moved "
                f"into the security module, {rotation.were_plain} found in plain hex and "
                f"encrypted, {len(rotation.undecryptable)} not decrypted."
            )
        if rotation.undecryptable:
            ids = ", ".join(str(pk) for pk in rotation.undecryptable)
            raise CommandError(
                f"No configured key decrypts the authenticator key of device {ids} (the "
                "admin's two-step devices): put back the key that encrypted it and run this "
                "again, or delete the device so that its owner sets up two-step "
                "verification again. Keep the old keys until then."
            )
