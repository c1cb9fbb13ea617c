"""gunicorn.conf.py: each worker freezes what it loaded at start (issue 14)."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_a_worker_freezes_what_it_loaded_once_django_is_set_up():
    hooks = runpy.run_path(str(CONF))
    before = gc.get_freeze_count()
    try:
        hooks["post_worker_init"](worker=None)

        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
