"""Celery tasks for accounts: thin, each calling one function."""

from importlib import import_module

from celery import shared_task
from django.conf import settings

from agencies import known_browsers


@shared_task(name="agencies.clear_sessions", acks_late=True)
def clear_sessions() -> None:
    """Hourly from beat, as Django's ``clearsessions``: delete the sessions past their
    expiry, then the BrowserSession rows of sessions that have ended
    (agencies.session_store); and the known browsers not seen for longer than their
    cookie lasts (agencies.known_browsers)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    known_browsers.forget_stale()
