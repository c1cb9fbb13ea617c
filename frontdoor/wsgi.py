import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")

application = get_wsgi_application()


def _refuse_an_unusable_security_module() -> None:
    """gunicorn runs no system checks: a PKCS#11 module configured but unusable (wrong
    PIN, no such token or key) stops the worker as it loads, naming the setting, rather
    than failing at the first sign-in with two-step verification (agencies.checks)."""
    from agencies import security_module
    from core.hsm import ModuleUnavailable

    try:
        security_module.check()
    except ModuleUnavailable as exc:
        raise ImproperlyConfigured(str(exc)) from None


_refuse_an_unusable_security_module()
