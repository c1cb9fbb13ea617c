"""Front Door settings, read from environment variables (see .env.example).

Three modes:

- production (the default): DEBUG off; refuses to start without a secret key, a password
  pepper, the authenticator keys' encryption key and hosts, with SQLite or with the file
  broker, or with PostgreSQL or Redis reached without TLS and a verified certificate, or
  Redis without a password (frontdoor.service_tls; FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=
  loopback lets services on this machine alone go without);
- embedded (FRONTDOOR_EMBEDDED=true, set by `make run`): as safe as production (DEBUG
  off, the project's own error pages, gunicorn and WhiteNoise) but on one machine:
  SQLite and a file-based Celery broker under var/, email written to files under
  var/mail/, and a secret key, a password pepper and a key for the authenticator keys
  generated under var/ on first run and kept (development keeps the last two there too);
- development (DJANGO_DEBUG=true, `make dev` and the tests): Django's debug pages.

The settings are read from the modules of frontdoor/settings_parts/, one concern each, in
the order below, which is the order they are checked in: a part reads what the parts
before it set (the mode from base, the plain-text rule from database), so a missing
secret key is reported before a missing cache, as it always was. Each part imports what
it reads by name; everything in upper case it sets is a setting here. The parts' helpers'
names begin with an underscore, which `import *` does not copy.
"""

# The parts are read in this order, not the alphabet's.
# isort: off
from frontdoor.settings_parts.base import *  # noqa: F403
from frontdoor.settings_parts.keys import *  # noqa: F403
from frontdoor.settings_parts.application import *  # noqa: F403
from frontdoor.settings_parts.database import *  # noqa: F403
from frontdoor.settings_parts.sign_in import *  # noqa: F403
from frontdoor.settings_parts.static import *  # noqa: F403
from frontdoor.settings_parts.mail import *  # noqa: F403
from frontdoor.settings_parts.api import *  # noqa: F403
from frontdoor.settings_parts.logs import *  # noqa: F403
# isort: on
