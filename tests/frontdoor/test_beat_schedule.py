"""Every job beat sends is a task the workers know: a name that matches no registered
task is sent every time and run never (the worker logs "unregistered task" and drops it)."""

from django.conf import settings

from frontdoor.celery import app


def test_every_scheduled_job_names_a_task_the_workers_register():
    # What a worker does at start: import each installed app's tasks module.
    app.loader.import_default_modules()
    registered = set(app.tasks)

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "oversight.check_key_ages" in scheduled
    assert "notices.give_up_expired_emails" in scheduled
    assert scheduled - registered == set()
