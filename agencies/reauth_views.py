"""The "Confirm it is you" pages (agencies.reauth): the password again, and the code or
the security key, before a sensitive change."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from agencies import reauth, security_keys, twostep
from agencies.forms import ConfirmItIsYouForm, KeyAnswerForm
from core import security_log


def _confirm_page(request: HttpRequest, target: str, *, form=None, key_error: str = ""):
    """The confirmation page: the password (and the code), or, once the password is
    right for an account whose second factor is a security key, that key."""
    key_step = form is None
    return render(
        request,
        "accounts/confirm.html",
        {
            "form": form,
            "next": target,
            "key_step": key_step,
            "key_options": security_keys.begin_authentication(request) if key_step else None,
            "key_action": reverse("reauth-key"),
            "key_error": key_error,
            "reauth_minutes": settings.REAUTH_MINUTES,
            # From the administration (an account's form, or the list's actions, such as
            # anonymising departed staff): the page says so, and what to do again.
            "from_admin": target.startswith(reverse("admin:index")),
        },
    )


def _confirmed(request: HttpRequest, target: str) -> HttpResponse:
    reauth.mark(request)
    security_log.reauth(user_id=request.user.pk, outcome="confirmed")
    messages.success(request, "You have confirmed it is you. Now do what you were doing again.")
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def confirm_it_is_you(request: HttpRequest) -> HttpResponse:
    """ "Confirm it is you": the password again, and the code from the authenticator app
    when the account has one (or else, next, its security key). A wrong password counts
    towards the sign-in lockout (authenticate(), django-axes); every refusal is logged."""
    user = request.user
    target = reauth.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    has_app = twostep.has_device(user)
    form = ConfirmItIsYouForm(
        request.POST if request.method == "POST" else None, request=request, with_code=has_app
    )
    if request.method == "POST":
        if form.is_valid():
            if has_app:
                try:
                    twostep.verify_code(user=user, code=form.cleaned_data["code"])
                except twostep.CodeRefused as refused:
                    reauth.refused(request, reason="code")
                    form.add_error("code", refused.message)
                    return _confirm_page(request, target, form=form)
            elif security_keys.has_key(user):
                reauth.mark_password_step(request)
                return _confirm_page(request, target)
            return _confirmed(request, target)
        if "password" in form.errors and form.data.get("password"):
            reauth.refused(request, reason="password")
    return _confirm_page(request, target, form=form)


@login_required
@require_POST
def confirm_it_is_you_key(request: HttpRequest) -> HttpResponse:
    """The security key's answer, after the password was given on the page before (within
    a few minutes, in this session)."""
    user = request.user
    target = reauth.safe_next(request, request.POST.get("next"))
    if twostep.has_device(user) or not security_keys.has_key(user):
        return redirect(reauth.confirm_url(target))
    if not reauth.password_step_recent(request):
        messages.error(request, "Enter your password again first.")
        return redirect(reauth.confirm_url(target))
    answer = KeyAnswerForm(request.POST)
    if not answer.is_valid():
        error = next(iter(answer.errors.get("credential", [])), "Use your security key again.")
        return _confirm_page(request, target, key_error=error)
    try:
        security_keys.verify_assertion(request, credential=answer.cleaned_data["credential"])
    except security_keys.KeyRefused as refused:
        reauth.refused(request, reason="key")
        return _confirm_page(request, target, key_error=refused.message)
    return _confirmed(request, target)
