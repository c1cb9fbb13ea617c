from django.contrib.auth import views as auth_views

from agencies.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign-out is a POST (a link cannot sign someone out), as Django requires."""
