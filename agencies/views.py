"""Signing in and out, two-step verification, and the account page (browser sessions,
API tokens and the password)."""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from agencies import (
    browser_sessions,
    known_browsers,
    passwords,
    reauth,
    recovery,
    security_keys,
    tokens,
    twostep,
)
from agencies.forms import (
    ChangePasswordForm,
    CodeForm,
    KeyAnswerForm,
    PasswordAgainForm,
    SecurityKeyForm,
    SignInForm,
)
from agencies.models import ApiToken, BrowserSession, SecurityKey
from agencies.policy import may_use_second_factor, needs_second_factor

# The "You have signed out" message carries this tag; templates/base.html marks the page
# that shows it, and static/js/app.mjs then signs this browser's other tabs out of view.
SIGNED_OUT_TAG = "fd-signed-out"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: ``redirect`` takes anything else without a slash ("zzz")
    # for a URL name, and one that names none is a NoReverseMatch, a server error.
    return reauth.local_path(request, target) or reverse("home")


def _with_next(url_name: str, target: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': target})}"


def _session_timeouts() -> dict:
    return {
        "idle_minutes": int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60),
        "absolute_hours": int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600),
    }


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_session_timeouts()}

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        if not needs_second_factor(user):
            known_browsers.signed_in(self.request, response, user)
            if not twostep.has_device(user) and not security_keys.has_key(user):
                # The password is all this account signs in with: this sign-in is as
                # good as confirming it is them (agencies.reauth).
                reauth.mark(self.request)
        return response

    def get_success_url(self) -> str:
        target = super().get_success_url()
        user = self.request.user
        if needs_second_factor(user):
            has_one = twostep.has_device(user) or security_keys.has_key(user)
            return _with_next("two-step-verify" if has_one else "two-step-setup", target)
        return target


class SignOutView(auth_views.LogoutView):
    """Sign-out is a POST (a link cannot sign someone out), as Django requires. It ends the
    person's API tokens too: signing out ends everything signed in as them. The answer
    tells the browser to drop what it kept of Front Door (Clear-Site-Data)."""

    def post(self, request, *args, **kwargs):
        signed_in = request.user.is_authenticated
        if signed_in:
            tokens.end_all_tokens(user=request.user, reason="signed out")
        response = super().post(request, *args, **kwargs)
        if signed_in:
            # The tag marks the page it leads to, whose script tells this browser's other
            # tabs to take Front Door's pages off the screen (static/js/app.mjs).
            messages.success(request, "You have signed out.", extra_tags=SIGNED_OUT_TAG)
        response["Clear-Site-Data"] = browser_sessions.CLEAR_SITE_DATA
        return response


def _verified(request: HttpRequest, device, target: str) -> HttpResponse:
    """Mark the session as past the second step, under a new session key (the session
    now carries more than it did): the sign-in is complete (known_browsers)."""
    django_otp.login(request, device)
    request.session.cycle_key()
    # The password and the second factor, just given: as good as confirming it is them.
    reauth.mark(request)
    response = redirect(target)
    known_browsers.signed_in(request, response, request.user)
    return response


def _verify_page(request: HttpRequest, target: str, *, form=None, key_error: str = ""):
    """The second step: the code from the person's authenticator app (if they have one)
    and "Use your security key" (if they have one), with a new challenge for the key."""
    user = request.user
    has_key = security_keys.has_key(user)
    return render(
        request,
        "accounts/two_step_verify.html",
        {
            "form": form,
            "next": target,
            "has_key": has_key,
            "key_options": security_keys.begin_authentication(request) if has_key else None,
            "key_action": reverse("two-step-key"),
            "key_error": key_error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_step_verify(request: HttpRequest) -> HttpResponse:
    """The step after the password, for managers, auditors and administrators while
    FRONTDOOR_MFA_REQUIRED is on: the code from their authenticator app, or their
    security key (two_step_key)."""
    target = _safe_next(request)
    user = request.user
    if not needs_second_factor(user) or user.is_verified():
        return redirect(target)
    has_app = twostep.has_device(user)
    if not has_app and not security_keys.has_key(user):
        return redirect(_with_next("two-step-setup", target))
    form = CodeForm(request.POST or None) if has_app else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            device = twostep.verify_code(user=user, code=form.cleaned_data["code"])
        except twostep.CodeRefused as refused:
            form.add_error("code", refused.message)
        else:
            return _verified(request, device, target)
    return _verify_page(request, target, form=form)


@login_required
@require_POST
def two_step_key(request: HttpRequest) -> HttpResponse:
    """The second step with a security key: the answer the page's script got from the
    key, checked against the challenge the verification page put in the session."""
    target = _safe_next(request)
    user = request.user
    if not needs_second_factor(user) or user.is_verified():
        return redirect(target)
    code_form = CodeForm() if twostep.has_device(user) else None
    answer = KeyAnswerForm(request.POST)
    if not answer.is_valid():
        error = next(iter(answer.errors.get("credential", [])), "Use your security key again.")
        return _verify_page(request, target, form=code_form, key_error=error)
    try:
        key = security_keys.verify_assertion(request, credential=answer.cleaned_data["credential"])
    except SecurityKey.DoesNotExist:
        return redirect(_with_next("two-step-verify", target))
    except security_keys.KeyRefused as refused:
        return _verify_page(request, target, form=code_form, key_error=refused.message)
    return _verified(request, key, target)


@login_required
@require_http_methods(["GET", "POST"])
def two_step_setup(request: HttpRequest) -> HttpResponse:
    """Setting up an authenticator app: scan the QR code (or type the key), then give the
    first code it shows."""
    user = request.user
    if not may_use_second_factor(user):
        raise PermissionDenied
    target = _safe_next(request)
    if needs_second_factor(user) and not user.is_verified() and security_keys.has_key(user):
        # Someone whose second step is a security key signs in with it before setting up
        # an app: setting one up here would otherwise be a way past the key.
        return redirect(_with_next("two-step-verify", target))
    if twostep.has_device(user):
        return render(request, "accounts/two_step_setup.html", {"set_up": True})
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twostep.confirm_device(user=user, code=form.cleaned_data["code"])
        except twostep.CodeRefused as refused:
            form.add_error("code", refused.message)
        else:
            messages.success(request, "Two-step verification is set up.")
            return _verified(request, device, target)
    enrolment = twostep.enrolment_for(twostep.pending_device(user))
    return render(
        request,
        "accounts/two_step_setup.html",
        {"form": form, "enrolment": enrolment, "next": target, "set_up": False},
    )


@login_required
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own account: two-step verification, the password, their
    browser sessions, and their API tokens, each of which they can revoke."""
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "browser_sessions": browser_sessions.sessions_of(
                user, current_key=request.session.session_key
            ),
            "api_tokens": tokens.live_tokens_of(user),
            "uses_second_factor": may_use_second_factor(user),
            "second_factor_set_up": twostep.has_device(user),
            "security_keys": security_keys.keys_of(user) if may_use_second_factor(user) else [],
            "mfa_required": needs_second_factor(user),
            "token_hours": settings.API_TOKEN_HOURS,
            "token_idle_minutes": settings.API_TOKEN_IDLE_MINUTES,
            **_session_timeouts(),
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the person's API tokens, once they have confirmed it is them
    (agencies.reauth); another's, or one that no longer works, is 404 first."""
    if not tokens.live_tokens_of(request.user).filter(pk=token_id).exists():
        raise Http404
    if not reauth.is_recent(request):
        return reauth.to_confirm(request, reverse("account"))
    try:
        tokens.revoke_token(token_id=token_id, owner=request.user, by=request.user)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, "The API token is revoked: it no longer works.")
    return redirect("account")


def _other_session(request: HttpRequest, session_id: int):
    """One of the person's other sessions that still works, or 404 (another's, this one,
    or one that has ended)."""
    shown = browser_sessions.sessions_of(request.user, current_key=request.session.session_key)
    for session in shown:
        if session.id == session_id and not session.current:
            return session
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def end_session(request: HttpRequest, session_id: int) -> HttpResponse:
    """End one of the person's other browser sessions, after their password again."""
    session = _other_session(request, session_id)
    form = PasswordAgainForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            browser_sessions.end_session(
                owner=request.user, session_id=session.id, current_key=request.session.session_key
            )
        except BrowserSession.DoesNotExist:
            raise Http404 from None
        messages.success(request, f"The session on {session.device} is ended: it is signed out.")
        return redirect("account")
    return render(
        request,
        "accounts/end_sessions.html",
        {
            "form": form,
            "session": session,
            "action": reverse("account-session-end", args=[session.id]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    """End every browser session of the person but this one, after their password again."""
    current = request.session.session_key
    others = [
        s for s in browser_sessions.sessions_of(request.user, current_key=current) if not s.current
    ]
    form = PasswordAgainForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        count = browser_sessions.end_other_sessions(user=request.user, current_key=current)
        messages.success(
            request,
            "Your other sessions are ended: they are signed out."
            if count
            else "You had no other sessions to end.",
        )
        return redirect("account")
    return render(
        request,
        "accounts/end_sessions.html",
        {"form": form, "others": others, "action": reverse("account-sessions-end-others")},
    )


@login_required
@require_POST
def password_strength(request: HttpRequest) -> HttpResponse:
    """The change-password page's strength meter (ASVS 2.1.8): as the person types their
    new password, its strength and whether it would be accepted, with the reasons. Asked
    by the page's script (htmx) with only the new password and the CSRF token; the
    password is neither kept nor logged. Without JavaScript the form says the same when
    it is sent."""
    password = request.POST.get("new_password1", "")
    context = {"strength": passwords.strength(password, request.user) if password else None}
    return render(request, "accounts/_password_strength.html", context)


class ChangePasswordView(auth_views.PasswordChangeView):
    """A new password (checked by every password validator); the person stays signed in
    here, their API tokens end (agencies.signals), and they are emailed that it changed
    (agencies.changes)."""

    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("account")
    http_method_names = ["get", "post"]

    def get_context_data(self, **kwargs):
        # Sent here by NewPasswordMiddleware: the page says why.
        must_change = self.request.user.must_change_password
        return {
            **super().get_context_data(**kwargs),
            "must_change_message": recovery.PAGE_MESSAGE if must_change else "",
        }

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, "Your password is changed. Your API tokens have ended: ask for new ones."
        )
        return response


def _may_use_keys(request: HttpRequest) -> None:
    if not may_use_second_factor(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def add_security_key(request: HttpRequest) -> HttpResponse:
    """Adding a security key, first step: its name and the person's password again. Then
    the page that asks the browser to use the key (its options, with the challenge kept
    in the session); the key's answer goes to add_security_key_finish."""
    _may_use_keys(request)
    form = SecurityKeyForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        options = security_keys.begin_registration(request, name=form.cleaned_data["name"])
        return render(
            request,
            "accounts/security_key_register.html",
            {
                "options": options,
                "name": form.cleaned_data["name"],
                "action": reverse("account-key-add-finish"),
            },
        )
    return render(request, "accounts/security_key_add.html", {"form": form})


@login_required
@require_POST
def add_security_key_finish(request: HttpRequest) -> HttpResponse:
    """Adding a security key, last step: its answer checked, and the key kept."""
    _may_use_keys(request)
    answer = KeyAnswerForm(request.POST)
    if not answer.is_valid():
        security_keys.discard_registration(request)
        error = next(iter(answer.errors["credential"]))
        return _add_again(request, error)
    try:
        key = security_keys.finish_registration(
            request, credential=answer.cleaned_data["credential"]
        )
    except security_keys.KeyRefused as refused:
        return _add_again(request, refused.message)
    messages.success(
        request, f"Your security key “{key.name}” is added. You can use it to sign in."
    )
    return redirect("account")


def _add_again(request: HttpRequest, error: str) -> HttpResponse:
    form = SecurityKeyForm(request=request)
    return render(request, "accounts/security_key_add.html", {"form": form, "key_error": error})


@login_required
@require_http_methods(["GET", "POST"])
def remove_security_key(request: HttpRequest, key_id: int) -> HttpResponse:
    """Removing one of the person's security keys, after their password again; 404 for
    anyone else's."""
    _may_use_keys(request)
    key = security_keys.keys_of(request.user).filter(pk=key_id).first()
    if key is None:
        raise Http404
    form = PasswordAgainForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        name = key.name
        security_keys.remove_key(key=key, by=request.user)
        messages.success(request, f"Your security key “{name}” is removed: it no longer works.")
        return redirect("account")
    return render(request, "accounts/security_key_remove.html", {"form": form, "key": key})
