"""The session engine (SESSION_ENGINE): Django's database sessions, with each signed-in
session's BrowserSession row (agencies.browser_sessions) following its key.

Django gives a session a new key at sign-in, at the second step and at a password change
(cycle_key); the row moves to the new key. When a session is deleted (sign-out, timed
out, ended from the account page or the admin) its row goes with it; the cleanup
(clearsessions, agencies.tasks.clear_sessions) deletes the expired sessions and then the
rows left without one."""

from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    _moving_key = False

    def cycle_key(self):
        from agencies.models import BrowserSession

        old = self.session_key
        self._moving_key = True
        try:
            super().cycle_key()
        finally:
            self._moving_key = False
        if old and old != self.session_key:
            BrowserSession.objects.filter(session_key=old).update(session_key=self.session_key)

    def delete(self, session_key=None):
        from agencies.models import BrowserSession

        key = session_key if session_key is not None else self.session_key
        super().delete(session_key)
        if key and not self._moving_key:
            BrowserSession.objects.filter(session_key=key).delete()

    @classmethod
    def clear_expired(cls):
        from agencies import browser_sessions

        super().clear_expired()
        browser_sessions.clear_ended()
