"""The front door's workflow: the queue, screening, information requests, decisions and
the chronology."""
