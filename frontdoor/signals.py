import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from frontdoor.middleware import AUTH_AT, LAST_SEEN


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    """The 12-hour limit counts from sign-in; the idle limit from the last request."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[AUTH_AT] = now
        request.session[LAST_SEEN] = now
