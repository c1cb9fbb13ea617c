"""The session engine (SESSION_ENGINE): Django's cached database sessions, with each
signed-in session's BrowserSession row (agencies.browser_sessions) following its key.

Every signed-in page reads its session: from the shared cache (Redis in production,
CACHE_SHARED), and from the database only when the cache does not hold it. Every write
goes to both (the database first), and so does every end of a session, in any process:
the database stays the record (the account page lists the sessions from it; the
cleanup deletes the expired ones there, and the cache lets each go at its expiry).
Where the cache is each process's own memory (the embedded mode's gunicorn workers),
a session ended in one process would live on in another's: there every read is from
the database.

Django gives a session a new key at sign-in, at the second step and at a password change
(cycle_key); the row moves to the new key. When a session is deleted (sign-out, timed
out, ended from the account page or the admin) its row goes with it; the cleanup
(clearsessions, agencies.tasks.clear_sessions) deletes the expired sessions and then the
rows left without one."""

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db


class SessionStore(cached_db.SessionStore):
    _moving_key = False

    def load(self):
        if settings.CACHE_SHARED:
            return super().load()
        return db.SessionStore.load(self)

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
