from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS as KNOX
from knox.settings import knox_settings
from simple_history.models import HistoricalRecords

from agencies import otp_keys
from agencies.census import SOURCE_OF_REFERRAL, AgencyType, source_of_referral_code


class Agency(models.Model):
    """A partner organisation, or the front door's own children's social care."""

    name = models.CharField(max_length=200, unique=True)
    type = models.CharField(max_length=40, choices=AgencyType.choices)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            # The type gives the census source-of-referral code of the agency's referrals.
            models.CheckConstraint(
                name="agency_type_is_known", condition=models.Q(type__in=AgencyType.values)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def source_of_referral(self) -> str:
        """The DfE CIN census source-of-referral code for referrals from this agency."""
        return source_of_referral_code(self.type)

    @property
    def source_of_referral_label(self) -> str:
        return SOURCE_OF_REFERRAL[self.source_of_referral]


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    AGENCY_LEAD = "agency_lead", "Agency lead"
    SCREENER = "screener", "Screener"
    MANAGER = "manager", "Manager"
    PARTNER = "partner", "Partner"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


# Roles whose work is tied to one agency: they cannot be saved without it.
ROLES_NEEDING_AGENCY = (Role.AGENCY_LEAD, Role.PARTNER, Role.REFERRER)


class User(AbstractUser):
    """A person who signs in to Front Door: one agency, one role."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Set when an administrator sets this person's password (the admin's password form,
    # or a new account made there with one): until they choose their own on the password
    # page, which clears it, that page and signing out are all they can reach, and the
    # API refuses them (agencies.recovery, frontdoor.middleware.NewPasswordMiddleware).
    must_change_password = models.BooleanField(
        default=False,
        help_text="They must choose a new password at their next sign-in: set when an "
        "administrator sets their password.",
    )

    # Who changed a user's role or agency, and when, is kept; their password is not.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_role_is_known",
                condition=models.Q(role__in=[choice.value for choice in Role]),
            ),
            models.CheckConstraint(
                name="user_in_agency_role_has_agency",
                condition=~models.Q(role__in=[r.value for r in ROLES_NEEDING_AGENCY])
                | models.Q(agency__isnull=False),
            ),
        ]
        indexes = [
            # Active users by role, in name order (policy.users_with): the queue's
            # "Allocated to" list on every page, and whom a notice goes to, without
            # reading every referrer's account (12,000 users at national scale).
            models.Index(
                fields=["role", "first_name", "last_name"],
                condition=models.Q(is_active=True),
                name="user_active_role_idx",
            ),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox's model, KNOX_TOKEN_MODEL): only its SHA-512 digest
    and its first characters (for the lookup) are kept, never the token itself; it has an
    expiry, and ends at sign-out, at a password change or when revoked.

    The digest is knox's primary key; here it is a unique field instead, so that a token
    is named by a plain id on the account page, in the API and in the admin (a digest in
    an address would be long, and is better kept to the database).
    """

    digest = models.CharField(max_length=KNOX.DIGEST_LENGTH, unique=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"
        indexes = [models.Index(fields=["user", "expiry"])]

    def __str__(self) -> str:
        return f"API token {self.pk} of user {self.user_id}"

    @property
    def latest_expiry(self) -> datetime | None:
        """When it ends however much it is used (FRONTDOOR_API_TOKEN_HOURS after it was
        issued); ``expiry`` is when it ends if unused from now, moved forward as it is
        used (knox's AUTO_REFRESH), never past this."""
        max_ttl = knox_settings.AUTO_REFRESH_MAX_TTL
        if max_ttl is None or self.created is None:
            return self.expiry
        return self.created + max_ttl


class Authenticator(TOTPDevice):
    """An authenticator app set up for two-step verification: django-otp's TOTP device
    (its table, its checks of a code, its throttling), whose key is kept encrypted
    (agencies.otp_keys). Every device Front Door makes or checks is one of these.

    django-otp's own TOTPDevice class, reading the same row, cannot use the encrypted key
    (it is not hex): it fails rather than checking a code against the wrong key.
    """

    class Meta:
        proxy = True
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        """The key, decrypted; core.encryption.Undecryptable when no configured key
        decrypts it or it was changed in the database."""
        return otp_keys.decrypt(self.key, user_id=self.user_id)

    def save(self, *args, **kwargs):
        # A key given in plain hex (django-otp's random default, or one set on purpose,
        # as seed_demo's published key) is encrypted before it reaches the database.
        if not otp_keys.is_encrypted(self.key):
            self.key = otp_keys.encrypt(bytes.fromhex(self.key), user_id=self.user_id)
        super().save(*args, **kwargs)


class SecurityKey(TimestampMixin, ThrottlingMixin, Device):
    """A security key or passkey (WebAuthn / FIDO2) registered as a second step to sign in
    (agencies.security_keys): the credential's id and public key, never a secret. A
    django-otp device, so that a session signed in with it is verified as one signed in
    with an authenticator app is, and with django-otp's growing wait after each refused
    answer (OTP_TOTP_THROTTLE_FACTOR, the same as the app's codes). ``name`` is what its
    owner called it ("Blue key"); it is shown to them and never logged."""

    # The credential's id as the key gave it (at most 1,023 bytes), base64url.
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField()
    # The key's signature counter: an answer whose counter has not gone up (when the key
    # keeps one) may come from a copy of the key, and is refused.
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "security key"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Security key {self.pk} of user {self.user_id}"

    def get_throttle_factor(self) -> int:
        return settings.OTP_TOTP_THROTTLE_FACTOR

    def verify_token(self, token) -> bool:
        # A key answers a challenge in the browser (agencies.security_keys), never a
        # typed code.
        return False


class BrowserSession(models.Model):
    """A signed-in browser session, so that its owner can see it and end it from another
    (the account page) and an administrator can end all of a person's (the admin).

    Keyed to Django's session key, which is kept current when the key changes at the
    second step and at a password change (agencies.session_store). The session itself,
    its last-seen time with it, stays in Django's session table; this row adds only who
    it is and a coarse description of the browser ("Chrome on Windows"): never the user
    agent string, never an address. It goes when the session ends (sign-out, timed out,
    ended here) and with the session cleanup (agencies.tasks.clear_sessions).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    # The session key is the cookie's secret: never shown, never in an address.
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField()
    device = models.CharField(max_length=60)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Browser session {self.pk} of user {self.user_id}"


class KnownBrowser(models.Model):
    """A browser that has signed in to this account before (ASVS 2.2.3): a sign-in from
    one that is not known tells the account's owner (agencies.known_browsers).

    The browser keeps a random id in a long-lived signed cookie; this row keeps only a
    SHA-256 digest of the account's id and that id, so the table can neither give the
    cookie back nor show that two accounts share a browser. No user agent string, no
    address. At most ``known_browsers.PER_USER`` rows per account (the least recently
    seen go first), and none older than the cookie's own lifetime.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_browsers")
    digest = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="known_browser_once_per_user")
        ]
        indexes = [models.Index(fields=["last_seen_at"])]

    def __str__(self) -> str:
        return f"Known browser {self.pk} of user {self.user_id}"
