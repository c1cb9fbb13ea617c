import copy

from django import forms
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AuthenticationForm,
    PasswordChangeForm,
)
from django.db import transaction
from django.urls import reverse

from agencies import recovery
from agencies.changes import SignInChange, mark_password_change
from core.form_messages import name_field_errors


def _save_and_tell(form, save, change: SignInChange, *, commit: bool):
    """Save a new password, its owner told (agencies.signals) as ``change``, in one
    transaction: a password that fails to save tells nobody."""
    if not commit:
        return save(commit=False)
    with transaction.atomic():
        mark_password_change(form.user, change)
        return save(commit=True)


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": (
            "Enter a correct username and password. Both are case-sensitive. After "
            "%(limit)s failed attempts the account is locked for a while."
        ),
        "inactive": "This account is not active. Ask your administrator.",
    }

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "invalid_login": self.error_messages["invalid_login"].replace(
                "%(limit)s", str(settings.AXES_FAILURE_LIMIT)
            ),
        }
        self.fields["username"].widget.attrs.update(
            {
                "class": "govuk-input govuk-!-width-one-half",
                "autocomplete": "username",
                "spellcheck": "false",
            }
        )
        self.fields["password"].widget.attrs.update(
            {**PASSWORD_INPUT, "autocomplete": "current-password"}
        )


# GOV.UK Frontend's password input: _components/field.html adds its Show button, so
# that people can check what they typed (ASVS 2.1.12); without JavaScript it is a plain
# password field.
PASSWORD_INPUT = {
    "class": "govuk-input govuk-password-input__input govuk-js-password-input-input "
    "govuk-!-width-one-half",
    "spellcheck": "false",
    "autocapitalize": "none",
}


class CodeForm(forms.Form):
    """The code from an authenticator app."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 digits your app shows for Front Door now.",
        max_length=10,
        error_messages={"required": "Enter the code from your authenticator app."},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-10",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )


class ChangePasswordForm(PasswordChangeForm):
    """Django's form (old password, then the new one twice, checked by every validator in
    AUTH_PASSWORD_VALIDATORS), with GOV.UK styling and plain messages."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again.",
        "password_mismatch": "The two new passwords are not the same. Enter them again.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "old_password": "Current password",
            "new_password1": "New password",
            "new_password2": "New password again",
        }
        for name, field in self.fields.items():
            field.label = labels[name]
            field.widget.attrs.update(PASSWORD_INPUT)
        # "This field is required." three times over says nothing: each names its field.
        name_field_errors(self.fields.values())
        # The strength meter (accounts/_password_strength.html): asked with only this
        # field and the CSRF token, never the current password.
        self.fields["new_password1"].widget.attrs.update(
            {
                "hx-post": reverse("password-strength"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#new-password-strength",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "hx-params": "csrfmiddlewaretoken,new_password1",
            }
        )
        self.fields["new_password1"].help_text = (
            "At least 12 characters and hard to guess: not built on your name, username, "
            "agency, the council or Front Door. Three or four unrelated words work well."
        )

    def save(self, commit=True):
        # Their own password now: no longer one an administrator set (agencies.recovery).
        was_marked = self.user.must_change_password
        self.user.must_change_password = False
        if not commit:
            return super().save(commit=False)
        with transaction.atomic():
            user = _save_and_tell(self, super().save, SignInChange.PASSWORD_CHANGED, commit=True)
            if was_marked:
                recovery.chosen_by_owner(user=user)
        return user


class AdministratorPasswordForm(AdminPasswordChangeForm):
    """The Django admin's "change password" form (a new password, or password sign-in
    turned off); the account's owner is told that an administrator changed it, and must
    choose their own before anything else (agencies.recovery). An administrator setting
    their own password here is not made to change it again."""

    def save(self, commit=True):
        by = recovery.acting_administrator()
        own = by is not None and by.pk == self.user.pk
        marking = bool(self.cleaned_data.get("set_usable_password", True)) and not own
        if marking:
            self.user.must_change_password = True
        elif own:
            self.user.must_change_password = False
        if not commit:
            return super().save(commit=False)
        with transaction.atomic():
            user = _save_and_tell(
                self, super().save, SignInChange.PASSWORD_CHANGED_BY_ADMINISTRATOR, commit=True
            )
            if marking:
                recovery.set_by_administrator(user=user, by=by)
        return user


class PasswordAgainForm(forms.Form):
    """The signed-in person's password, given again before ending their other sessions
    (ASVS 3.3.4: "having re-entered login credentials"). Checked by authenticate(), so a
    wrong one counts towards the sign-in lockout (django-axes) and is logged as a failed
    sign-in, as at the sign-in page."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        error_messages={"required": "Enter your password."},
        widget=forms.PasswordInput(attrs={**PASSWORD_INPUT, "autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        name_field_errors(self.fields.values())

    def clean_password(self) -> str:
        from django.contrib.auth import authenticate

        password = self.cleaned_data["password"]
        user = self.request.user
        checked = authenticate(self.request, username=user.get_username(), password=password)
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError("Your password is not right. Enter it again.")
        return password


class SecurityKeyForm(PasswordAgainForm):
    """Adding a security key: what to call it, and the person's password again (a
    sensitive change to how they sign in, as ending a session is)."""

    name = forms.CharField(
        label="Name for this key",
        help_text="So you can tell your keys apart, for example “Blue key” or “Laptop”.",
        max_length=64,
        error_messages={
            "required": "Enter a name for this key.",
            "max_length": "Enter a name of 64 characters or fewer.",
        },
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-20", "autocomplete": "off"}
        ),
    )

    field_order = ["name", "password"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter a name for this key.")
        return name


class KeyAnswerForm(forms.Form):
    """What the browser's security key answered (filled in by the page's script)."""

    credential = forms.CharField(
        max_length=20_000,
        error_messages={
            "required": "Your security key did not answer. Use your security key again.",
            "max_length": "Your security key's answer is too long. Use your key again.",
        },
        widget=forms.HiddenInput,
    )


class ConfirmItIsYouForm(PasswordAgainForm):
    """ "Confirm it is you" (agencies.reauth): the password again and, when the account
    has an authenticator app, its code (checked by the view once the password is right,
    so a wrong password uses up no code)."""

    def __init__(self, *args, with_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if with_code:
            self.fields["code"] = copy.deepcopy(CodeForm.base_fields["code"])
            name_field_errors([self.fields["code"]])
