"""gunicorn's settings beyond the command line (gunicorn reads ./gunicorn.conf.py from the
directory it starts in: the Dockerfile's /app, the Procfile's checkout). The command lines
(README "Deploying", Dockerfile, Procfile) still give the address and the workers."""

import gc


def post_worker_init(worker):
    """Once a worker has loaded Django (every app, model and setting), move what it holds
    into the collector's permanent generation: the full collections a request can set off
    then walk only what the request made, not the whole framework, which shortens the
    pauses in the tail of a long page (issue 14)."""
    gc.collect()
    gc.freeze()
