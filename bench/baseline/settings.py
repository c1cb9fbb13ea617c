"""The benchmark's settings: production's, read from the same environment, with the
baselines' app and URLconf added. Nothing else differs, so the pages and the baselines go
through the same middleware, templates, database settings and logging."""

from frontdoor.settings import *  # noqa: F403 - every production setting, unchanged
from frontdoor.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.baseline.apps.BaselineConfig"]
ROOT_URLCONF = "bench.baseline.urls"
