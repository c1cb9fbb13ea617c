"""The Django project: what belongs to the whole site. Loading the Celery app here makes
every ``shared_task`` use it."""

from .celery import app as celery_app

__all__ = ("celery_app",)
