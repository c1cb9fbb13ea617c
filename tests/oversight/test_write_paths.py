"""No write path on a tracked model bypasses its history (DESIGN.md, "Audit and privacy"):
the application's source has no queryset ``update()``, ``bulk_update()``,
``bulk_create()`` or ``delete()``, and no SQL write, on a model with django-simple-history's
``history`` or on its history table, outside the few places allowed below and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.oversight.write_paths import (
    application_files,
    check_application,
    check_source,
    tracked_from_registry,
)

ROOT = Path(__file__).resolve().parents[2]

# (file, function or <module>): why the write there keeps the history right. Every entry
# must still be needed (test_every_allowance_is_still_needed).
ALLOWED = {
    ("triage/triggers.py", "<module>"): (
        "The database triggers that keep a referral's status and its decision in step. "
        "Recording a decision sets the status in the same statement, and the decide "
        "service then saves the referral itself so that its history shows the change "
        "(tests/triage/test_decided_status.py); nothing in Front Door deletes a decision."
    ),
    ("audit/inserts.py", "insert"): (
        "Past the rows it keeps SQL for, insert() hands them to bulk_create() of whatever "
        "model it is given. Its callers give it untracked models (submissions, audit "
        "events, notifications); a tracked model's rows go through insert_with_history(), "
        "which writes their versions itself (tests/audit/test_inserts.py compares both "
        "with the ORM's)."
    ),
    # Retention erasure (ASVS V8.3.8, oversight/erasure.py): the one place that deletes case records
    # and their history rows, deliberately without versions, since nothing of an erased
    # record may outlive it (simple-history's own delete would keep a last copy).
    ("oversight/erasure.py", "_delete"): (
        "Erasure deletes each table's due rows with _raw_delete(): no signal, so no "
        "history version of the deletion; the history rows go in _erase_history "
        "(tests/oversight/test_retention_erase.py)."
    ),
    ("oversight/erasure.py", "_erase_history"): (
        "Erasure deletes the history rows of everything it erased: an erased record's "
        "versions must not outlive it (tests/oversight/test_retention_erase.py)."
    ),
    ("oversight/erasure.py", "erase_due"): (
        "Erasure deletes the versions of departed staff's accounts that still hold their "
        "details (oversight.retention.departed_versions), and access-log rows and audit "
        "events past their periods (untracked, but reached through a model held in a "
        "name)."
    ),
}


@pytest.fixture(scope="module")
def tracked():
    return tracked_from_registry()


def test_the_tracked_models_come_from_the_app_registry(tracked):
    assert {"Referral", "Child", "Decision", "StrategyDiscussion", "Challenge"} <= tracked.names
    assert {"HistoricalReferral", "ScreeningNote", "Attendee"} <= tracked.names
    assert {"notes", "attendees", "responses", "amendments", "history"} <= tracked.accessors
    assert {"referrals_referral", "triage_historicaldecision"} <= tracked.tables
    assert "Notification" not in tracked.names


BYPASSES = {
    "update": "Referral.objects.filter(pk=1).update(status='decided')",
    "update through a module": "models.Referral.objects.update(worry='')",
    "update through the default manager": "Child._default_manager.all().update(postcode='')",
    "bulk_update": "Decision.objects.bulk_update(rows, ['outcome'])",
    "bulk_create": "ScreeningNote.objects.bulk_create(notes)",
    "queryset delete": "Referral.objects.filter(status='received').delete()",
    "a related manager": "referral.notes.all().delete()",
    "a related manager's update": "discussion.attendees.filter(attended=False).update(name='x')",
    "a sliced queryset": "Challenge.objects.order_by('pk')[:10].update(status='open')",
    "a queryset held in a name": (
        "def f():\n"
        "    open_ = Referral.objects.exclude(status='decided')\n"
        "    late = open_.filter(decision_due_at__lt=now)\n"
        "    late.update(immediate_risk=True)\n"
    ),
    "a parameter annotated as a queryset": (
        "def close(referrals: QuerySet[Referral]) -> None:\n"
        "    referrals.update(status='decided')\n"
    ),
    "history rows": "Referral.history.filter(id=1).update(history_change_reason='x')",
    "history rows of an instance": "referral.history.all().delete()",
    "a history model": "HistoricalReferral.objects.filter(id=1).delete()",
    "SQL update": "cursor.execute('UPDATE referrals_referral SET status = %s', ['decided'])",
    "SQL delete from history": 'cursor.execute("DELETE FROM triage_historicaldecision")',
    "SQL insert": "sql = '''INSERT INTO triage_screeningnote (text) VALUES (%s)'''",
    "SQL truncate": 'cursor.execute("truncate table referrals_child")',
    "a model held in a name": "model._base_manager.filter(pk__in=ids)._raw_delete('default')",
    "a model held in an attribute": "self.model.objects.filter(pk=1).update(status='x')",
    "a history model held in a name": (
        "def f(history):\n"
        "    rows = history._base_manager.filter(id__in=ids)\n"
        "    rows._raw_delete('default')\n"
    ),
    "a raw delete of what a function returns": "departed_versions()._raw_delete('default')",
    "a raw update of a name never given a queryset": "def f(rows):\n    rows._update({})",
}  # fmt: skip


@pytest.mark.parametrize("source", BYPASSES.values(), ids=BYPASSES.keys())
def test_the_checker_finds_a_write_that_bypasses_history(tracked, source):
    findings = check_source(source, tracked)

    assert len(findings) == 1, findings


RECORDED = {
    "saving an instance": "referral.status = 'decided'\nreferral.save(update_fields=['status'])",
    "deleting an instance": "for old in discussion.attendees.all():\n    old.delete()",
    "deleting what get() found": "Referral.objects.get(pk=1).delete()",
    "simple-history's bulk create": "bulk_create_with_history(rows, ScreeningNote)",
    "simple-history's bulk update": "bulk_update_with_history(rows, Decision, ['outcome'])",
    "update_or_create saves": "QualityRating.objects.update_or_create(referral=r, defaults={})",
    "an untracked model": "Notification.objects.filter(pk=1).update(status='sent')",
    "an untracked bulk create": "CoachingPrompt.objects.bulk_create(rows)",
    "a dict": "context.update(information_requests_context())",
    "a parameter of another model's queryset": (
        "def f(rows: QuerySet[Notification]):\n    rows.update(status='sent')"
    ),
    "a name never given a queryset": "def f(notices):\n    notices.update(read_at=now)",
    "reading SQL": "cursor.execute('SELECT status FROM referrals_referral')",
    "SQL on an untracked table": "cursor.execute('UPDATE notices_notification SET status = 1')",
    "a raw delete of an untracked model": "AccessLog.objects.filter(pk__in=ids)._raw_delete('a')",
}  # fmt: skip


@pytest.mark.parametrize("source", RECORDED.values(), ids=RECORDED.keys())
def test_the_checker_passes_writes_that_record_history(tracked, source):
    assert check_source(source, tracked) == []


def test_it_reads_the_application_and_not_the_tests_migrations_or_benchmarks():
    files = {str(p.relative_to(ROOT)) for p in application_files(ROOT)}

    assert "triage/services/decisions.py" in files
    assert "demo/data/seed.py" in files
    assert "oversight/versions.py" in files
    assert not [f for f in files if "/migrations/" in f or f.startswith(("tests/", "bench/"))]


def test_no_write_path_on_a_tracked_model_bypasses_history(tracked):
    findings = check_application(ROOT, tracked)

    bypasses = [f for f in findings if (f.path, f.scope) not in ALLOWED]
    assert bypasses == [], "writes that bypass history:\n" + "\n".join(map(str, bypasses))


def test_every_allowance_is_still_needed(tracked):
    found = {(f.path, f.scope) for f in check_application(ROOT, tracked)}

    assert set(ALLOWED) <= found, f"allowed but no longer found: {set(ALLOWED) - found}"


def test_erasures_deletes_are_found_and_allowed_by_name(tracked):
    """Erasure deletes rows of whatever model it is given, with no history: the checker
    finds each of those deletes (not one is missed because its model is a variable) and
    only the functions allowed above hold them."""
    erasure = [f for f in check_application(ROOT, tracked) if f.path == "oversight/erasure.py"]

    assert {f.scope for f in erasure} == {
        scope for path, scope in ALLOWED if path == "oversight/erasure.py"
    }
    assert all("_raw_delete()" in f.what for f in erasure), erasure


def test_a_direct_delete_like_erasures_elsewhere_would_fail_the_guard(tracked, tmp_path):
    """The same helper as erasure's, in another module or another function of erasure's,
    is not covered by erasure's allowances."""
    helper = (
        "def _delete(model, condition):\n"
        "    model._base_manager.filter(condition)._raw_delete('default')\n"
    )
    for where in ("referrals/cleanup.py", "oversight/erasure.py"):
        (tmp_path / where).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "referrals/cleanup.py").write_text(helper)
    (tmp_path / "oversight/erasure.py").write_text(helper.replace("def _delete", "def _purge"))

    findings = check_application(tmp_path, tracked)
    bypasses = [(f.path, f.scope) for f in findings if (f.path, f.scope) not in ALLOWED]

    assert sorted(bypasses) == [
        ("oversight/erasure.py", "_purge"),
        ("referrals/cleanup.py", "_delete"),
    ]


def test_a_bypass_added_to_an_app_would_fail_the_guard(tracked, tmp_path):
    """The scan itself, on a copy of the layout: a bypass in an app's module is found;
    the same line in a migration, a test or a benchmark is not read."""
    bad = "from triage.models import Decision\n\n\ndef f():\n    Decision.objects.update()\n"
    for where in ("triage/services/bad.py", "triage/migrations/0099_bad.py", "bench/bad.py"):
        (tmp_path / where).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / where).write_text(bad)

    findings = check_application(tmp_path, tracked)

    assert [(f.path, f.scope, f.line) for f in findings] == [("triage/services/bad.py", "f", 5)]
