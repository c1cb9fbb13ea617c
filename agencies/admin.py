from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import browser_sessions, departure, reauth, recovery, security_keys, tokens
from agencies.admin_site import PolicyModelAdmin
from agencies.changes import SignInChange, tell_owner
from agencies.forms import AdministratorPasswordForm
from agencies.models import Agency, ApiToken, SecurityKey, User
from core import security_log


@admin.register(Agency)
class AgencyAdmin(PolicyModelAdmin):
    list_display = ["name", "type", "census_source", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name"]

    @admin.display(description="Census source of referral")
    def census_source(self, agency: Agency) -> str:
        return f"{agency.source_of_referral} ({agency.source_of_referral_label})"


# Every change to a person's account (its role, groups, permissions, whether active, its
# password, signing it out everywhere), resetting an authenticator, removing a security
# key, revoking a token and lifting a lockout need the administrator to have confirmed it
# is them within FRONTDOOR_REAUTH_MINUTES (agencies.reauth.ConfirmBeforeChanges).


@admin.register(User)
class UserAdmin(reauth.ConfirmBeforeChanges, PolicyModelAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    # No search box: the admin's search sends what is typed (a person's name or email)
    # in the URL's query string, which web servers and proxies log. Filter by role,
    # agency and whether active, or sort by a column, instead.
    search_fields = ()
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "job_title", "phone")}),
        ("Front Door", {"fields": ("agency", "role", "is_active", "must_change_password")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "agency", "role", "password1", "password2"),
            },
        ),
    )
    # The mark is set by setting a password here and taken off by its owner choosing
    # their own (agencies.recovery), never by ticking a box.
    readonly_fields = ["last_login", "date_joined", "must_change_password"]
    # Its owner is told when an administrator changes their password (agencies.changes),
    # and must choose their own before anything else (agencies.recovery).
    change_password_form = AdministratorPasswordForm

    def user_change_password(self, request, id, form_url=""):
        # A recent "Confirm it is you" first (agencies.reauth); then one transaction, so
        # that the password, its mark, the notice and the audit event are kept or lost
        # together; the form learns who the administrator is.
        if self._unconfirmed(request, allowed=self.has_change_permission(request)):
            return reauth.to_confirm(request)
        with transaction.atomic(), recovery.administrator_acting(request.user):
            return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        # A new account made here with a password: the administrator knows it, so its
        # owner chooses their own at their first sign-in (in the add page's transaction).
        marking = not change and obj.has_usable_password()
        if marking:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
        if marking:
            recovery.set_by_administrator(user=obj, by=request.user, new_account=True)

    actions = ["sign_out_everywhere", "anonymise_departed"]

    @admin.action(description="Anonymise departed staff (inactive accounts only)")
    def anonymise_departed(self, request, queryset):
        """ASVS 8.3.2: a member of staff who has left has what identifies them removed;
        the account stays, as case records name it by id (agencies.departure). It cannot
        be undone, and an inactive account may be someone away for a while, so the
        accounts chosen are shown first, each with what will happen to it, as Django's
        own delete action does; only the page's "Yes, anonymise" applies it."""
        if request.POST.get("anonymise") != "yes":
            accounts = [
                (user, departure.refusal(user=user, by=request.user))
                for user in queryset.select_related("agency").order_by("pk")
            ]
            return TemplateResponse(
                request,
                "admin/agencies/user/anonymise_departed.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Anonymise these accounts?",
                    "opts": self.model._meta,
                    "accounts": accounts,
                    "to_anonymise": sum(1 for _, refused in accounts if not refused),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "back": request.get_full_path(),
                },
            )
        done = []
        for user in queryset.order_by("pk"):
            try:
                departure.anonymise(user=user, by=request.user)
            except departure.NotAnonymised as refusal:
                self.message_user(request, str(refusal), messages.WARNING)
            else:
                done.append(str(user.pk))
        if done:
            self.message_user(
                request,
                f"Anonymised account(s) {', '.join(done)}: name, email address and username "
                "replaced; sessions, tokens, authenticators and security keys removed.",
                messages.SUCCESS,
            )

    @admin.action(description="Sign out everywhere: end their browser sessions and API tokens")
    def sign_out_everywhere(self, request, queryset):
        """Every browser session of each person chosen ends at once (their next request
        goes to the sign-in page), and so does every API token (ASVS 3.3.4)."""
        sessions = ended_tokens = 0
        for user in queryset:
            sessions += browser_sessions.end_all_sessions(user=user, by=request.user)
            ended_tokens += tokens.end_all_tokens(user=user, reason="signed out by administrator")
        self.message_user(
            request,
            f"Signed out everywhere: {sessions} browser session(s) and {ended_tokens} API "
            "token(s) ended.",
            messages.SUCCESS,
        )

    def has_delete_permission(self, request, obj=None):
        # An account is made inactive, never deleted: the history and the logs name who
        # did what, and the database refuses to blank a kept version's user
        # (oversight/triggers.py).
        return False


class ListAndDeleteOnly(PolicyModelAdmin):
    """Listed and deleted by the administrator; never made or changed here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(reauth.ConfirmBeforeChanges, ListAndDeleteOnly):
    """Every API token that has not been revoked, by user; deleting one revokes it. The
    token itself was never kept (only its digest, which is not shown)."""

    list_display = ["id", "user", "created", "expiry", "live"]
    list_filter = ["user__role"]
    # No search box: what is typed would travel in the URL (see UserAdmin).
    fields = ["id", "user", "created", "expiry"]
    readonly_fields = fields

    @admin.display(boolean=True, description="Works now")
    def live(self, token: ApiToken) -> bool:
        return token.expiry is None or token.expiry > timezone.now()

    def delete_model(self, request, obj):
        security_log.token(
            user_id=obj.user_id, event="revoked", token_id=obj.pk, by=request.user.pk
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            security_log.token(
                user_id=token.user_id, event="revoked", token_id=token.pk, by=request.user.pk
            )
        super().delete_queryset(request, queryset)


# django-otp's own admin shows and edits keys and asks Django's permissions; this one
# follows the policy, lists who has set up two-step verification, and deletes a device to
# reset it (its owner sets it up again at the next sign-in).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TwoStepDeviceAdmin(reauth.ConfirmBeforeChanges, ListAndDeleteOnly):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    # No search box: what is typed would travel in the URL (see UserAdmin).
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def delete_model(self, request, obj):
        _reset(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            _reset(device)
        super().delete_queryset(request, queryset)


def _reset(device: TOTPDevice) -> None:
    """A device deleted by the administrator: logged, and its owner told (in the admin's
    delete transaction: a delete that fails tells nobody). An unconfirmed device, one
    never finished setting up, was never a way to sign in: deleting it changes nothing."""
    security_log.second_factor(user_id=device.user_id, outcome="reset")
    if device.confirmed:
        tell_owner(
            user=device.user, change=SignInChange.TWO_STEP_RESET, key=f"two-step-reset:{device.pk}"
        )


@admin.register(SecurityKey)
class SecurityKeyAdmin(reauth.ConfirmBeforeChanges, ListAndDeleteOnly):
    """Who has which security keys; deleting one removes a lost key (its owner is told,
    and the security log names the administrator)."""

    list_display = ["id", "user", "created_at", "last_used_at"]
    # No search box: what is typed would travel in the URL (see UserAdmin). The key's
    # name is its owner's; the credential and public key are not shown.
    fields = ["id", "user", "name", "created_at", "last_used_at"]
    readonly_fields = fields

    def delete_model(self, request, obj):
        security_keys.remove_key(key=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for key in queryset.select_related("user"):
            security_keys.remove_key(key=key, by=request.user)


# django-axes's own admin asks Django's permissions, so the administrator could not open
# it; this one follows the policy (the page the lockout alert links to): which username
# is locked from which address and since when. Deleting an attempt lifts that lockout
# before its cool-off ends (once the administrator has checked with the person), and is
# logged. No search box: what is typed would travel in the URL (see UserAdmin).
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(reauth.ConfirmBeforeChanges, ListAndDeleteOnly):
    list_display = ["attempt_time", "username", "ip_address", "failures_since_start"]
    ordering = ["-attempt_time"]
    fields = ["attempt_time", "username", "ip_address", "failures_since_start", "path_info"]
    readonly_fields = fields

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        security_log.lockout_lifted(by=request.user.pk, attempts=1)

    def delete_queryset(self, request, queryset):
        count = queryset.count()
        super().delete_queryset(request, queryset)
        security_log.lockout_lifted(by=request.user.pk, attempts=count)
