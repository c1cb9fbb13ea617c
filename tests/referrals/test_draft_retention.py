"""Referral drafts are kept no longer than needed (ASVS 8.3.8): emptied once the referral
is sent, with nothing the referrer or the front door needs lost; deleted when left unsent
for FRONTDOOR_DRAFT_RETENTION_DAYS."""

import importlib
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.db import connection, connections, transaction
from django.http import Http404

from frontdoor.celery import app as celery_app
from referrals import drafts, tasks
from referrals.models import CoachingPrompt, Referral, ReferralDraft, Submission
from tests.factories import ReferralDraftFactory
from tests.frontdoor.test_settings import run_django
from tests.referrals.helpers import CONCERNS, fill_referral

pytestmark = pytest.mark.django_db

NOW = "2026-05-20 10:00:00+00:00"
POOR_WORRY = {**CONCERNS, "worry": "DV at address, kids present"}


def send(client, draft):
    response = client.post(f"/referrals/new/{draft.pk}/check/")
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


# --- On sending: the draft is emptied, the referral holds what was sent ------------------


def test_sending_a_draft_empties_it_and_the_referral_holds_what_was_typed(referrer_client):
    draft = fill_referral(referrer_client)

    response = send(referrer_client, draft)

    draft.refresh_from_db()
    referral = Referral.objects.get()
    assert draft.data == {}
    assert draft.submission_id == referral.submission_id
    assert (referral.child_first_name, referral.worry) == ("Ava", CONCERNS["worry"])
    confirmation = referrer_client.get(response["Location"]).content.decode()
    assert referral.reference in confirmation


def test_sending_an_emptied_draft_again_leads_to_the_same_submission(referrer_client, referrer):
    draft = fill_referral(referrer_client)
    first = send(referrer_client, draft)

    again, problems = drafts.submit_draft(draft_id=draft.pk, by=referrer)
    second = referrer_client.post(f"/referrals/new/{draft.pk}/check/")
    back = referrer_client.get(f"/referrals/new/{draft.pk}/check/")

    assert problems == []
    assert again.pk == Referral.objects.get().submission_id
    assert second["Location"] == back["Location"] == first["Location"]
    assert Referral.objects.count() == 1
    assert Submission.objects.count() == 1


def test_a_page_saved_in_another_tab_after_sending_is_not_kept(referrer_client):
    draft = fill_referral(referrer_client)
    other_tab = ReferralDraft.objects.get(pk=draft.pk)  # read before it was sent
    send(referrer_client, draft)

    with pytest.raises(Http404):
        drafts.save_section(other_tab, "concerns", {"worry": ["Typed after sending"]})
    posted = referrer_client.post(f"/referrals/new/{draft.pk}/concerns/", CONCERNS)

    assert posted.status_code == 404
    assert ReferralDraft.objects.get(pk=draft.pk).data == {}


def test_the_coaching_shown_is_still_recorded_for_an_emptied_draft(referrer_client):
    draft = fill_referral(referrer_client, concerns=POOR_WORRY)
    referrer_client.get(f"/referrals/new/{draft.pk}/check/")  # shows every prompt

    send(referrer_client, draft)

    referral = Referral.objects.get(submission__draft=draft)
    assert CoachingPrompt.objects.filter(referral=referral, field="worry").exists()
    assert ReferralDraft.objects.get(pk=draft.pk).data == {}


def test_my_referrals_and_the_referral_page_read_the_referral_not_the_draft(referrer_client):
    draft = fill_referral(referrer_client)
    send(referrer_client, draft)
    referral = Referral.objects.get()

    mine = referrer_client.get("/referrals/mine/").content.decode()
    page = referrer_client.get(f"/referrals/{referral.pk}/").content.decode()

    assert referral.reference in mine
    assert "not yet sent" not in mine
    assert "Came to school with no coat in the rain" in page


def test_drafts_are_not_history_tracked_so_nothing_typed_outlives_them():
    # A history table is append-only on PostgreSQL (oversight triggers): tracking drafts
    # would keep every keystroke saved, with children's names, beyond any purge.
    assert not hasattr(ReferralDraft, "history")
    assert "historicalreferraldraft" not in {m._meta.model_name for m in apps.get_models()}


# --- Unsent drafts are deleted once old enough ------------------------------------------


def draft_saved(days_ago: float, *, owner=None, **kwargs) -> ReferralDraft:
    with time_machine.travel(NOW, tick=False) as now:
        now.shift(-timedelta(days=days_ago))
        return ReferralDraftFactory(**({"owner": owner} if owner else {}), **kwargs)


def remaining() -> set[int]:
    return set(ReferralDraft.objects.values_list("pk", flat=True))


def test_unsent_drafts_not_saved_for_30_days_are_deleted_and_younger_ones_kept():
    old = draft_saved(30 + 1 / 24)
    just_kept = draft_saved(30 - 1 / 24)
    recent = draft_saved(2)

    with time_machine.travel(NOW, tick=False):
        deleted = drafts.purge_unsent_drafts()

    assert deleted == 1
    assert remaining() == {just_kept.pk, recent.pk}
    assert old.pk not in remaining()


def test_age_is_counted_from_the_last_save_not_the_start(referrer):
    draft = draft_saved(40, owner=referrer)
    with time_machine.travel(NOW, tick=False) as now:
        now.shift(-timedelta(days=1))
        drafts.save_section(draft, "concerns", {"worry": ["Still writing this"]})

    with time_machine.travel(NOW, tick=False):
        drafts.purge_unsent_drafts()

    assert remaining() == {draft.pk}


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Activity is read once a transaction unless the snapshot is cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres(reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_a_draft_saved_while_the_purge_waits_for_it_is_kept(referrer):
    draft = draft_saved(40, owner=referrer)
    purged = []

    def purge():
        try:
            purged.append(drafts.purge_unsent_drafts())
        finally:
            connections.close_all()

    with time_machine.travel(NOW, tick=False):
        thread = threading.Thread(target=purge)
        with transaction.atomic():
            ReferralDraft.objects.select_for_update().get(pk=draft.pk)  # a save under way
            thread.start()
            deadline = time.monotonic() + 10
            while not waiting_for_a_lock() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert waiting_for_a_lock(), "the purge never reached the draft's row"
            drafts.save_section(draft, "concerns", {"worry": ["Saved just in time"]})
        thread.join(timeout=30)

    assert purged == [0]
    assert remaining() == {draft.pk}


def test_a_sent_draft_is_kept_however_old_so_a_late_resend_finds_its_submission(
    referrer_client, referrer
):
    with time_machine.travel(NOW, tick=False) as now:
        now.shift(-timedelta(days=90))
        draft = fill_referral(referrer_client)
        send(referrer_client, draft)

    with time_machine.travel(NOW, tick=False):
        drafts.purge_unsent_drafts()
        again, _ = drafts.submit_draft(draft_id=draft.pk, by=referrer)

    assert remaining() == {draft.pk}
    assert again.pk == Referral.objects.get().submission_id


def test_the_retention_period_is_a_setting(settings):
    settings.DRAFT_RETENTION_DAYS = 7
    old = draft_saved(8)
    kept = draft_saved(6)

    with time_machine.travel(NOW, tick=False):
        drafts.purge_unsent_drafts()

    assert remaining() == {kept.pk}
    assert old.pk not in remaining()


def test_the_retention_defaults_to_30_days_and_is_read_from_the_environment(tmp_path):
    code = "from django.conf import settings as s; print(s.DRAFT_RETENTION_DAYS)"

    default = run_django(code, tmp_path, DJANGO_DEBUG="true")
    chosen = run_django(code, tmp_path, DJANGO_DEBUG="true", FRONTDOOR_DRAFT_RETENTION_DAYS="14")
    refused = run_django(code, tmp_path, DJANGO_DEBUG="true", FRONTDOOR_DRAFT_RETENTION_DAYS="0")

    assert default.stdout.split() == ["30"], default.stderr
    assert chosen.stdout.split() == ["14"], chosen.stderr
    assert refused.returncode != 0
    assert "FRONTDOOR_DRAFT_RETENTION_DAYS must be at least 1" in refused.stderr


def test_beat_purges_old_drafts_every_night():
    entry = celery_app.conf.beat_schedule["purge-old-drafts"]

    assert entry["task"] == "referrals.purge_old_drafts"
    assert entry["schedule"].hour == {3}
    assert entry["schedule"].minute == {15}
    assert "referrals.purge_old_drafts" in celery_app.tasks


def test_the_task_deletes_old_drafts_and_a_second_run_finds_none():
    draft_saved(31)
    kept = draft_saved(1)

    with time_machine.travel(NOW, tick=False):
        first = tasks.purge_old_drafts.delay().get()
        second = tasks.purge_old_drafts()

    assert (first, second) == (1, 0)
    assert remaining() == {kept.pk}


# --- The referrer is told ----------------------------------------------------------------


def test_the_drafts_page_says_how_long_an_unsent_draft_is_kept(referrer_client, referrer):
    with time_machine.travel("2026-05-20 09:30:00+00:00", tick=False):
        ReferralDraftFactory(owner=referrer)
        page = referrer_client.get("/referrals/new/").content.decode()

    assert "A referral you have not sent is kept for 30 days after you last save it" in page
    # 10:30 London time (BST) on 20 May, plus 30 days.
    assert "deleted after 19 June 2026 at 10:30 unless you save it again" in page


def test_the_drafts_page_follows_the_setting(referrer_client, settings):
    settings.DRAFT_RETENTION_DAYS = 1

    page = referrer_client.get("/referrals/new/").content.decode()

    assert "kept for 1 day after you last save it" in page


def test_my_referrals_says_unsent_drafts_are_deleted(referrer_client, referrer):
    ReferralDraftFactory(owner=referrer)

    page = referrer_client.get("/referrals/mine/").content.decode()

    assert "A referral not sent is deleted 30 days after it was last saved" in page


def test_drafts_sent_before_this_change_are_emptied_by_the_migration(referrer):
    migration = importlib.import_module("referrals.migrations.0004_empty_sent_drafts")
    sent = ReferralDraftFactory(
        owner=referrer, submission=Submission.objects.create(submitted_by=referrer)
    )
    unsent = ReferralDraftFactory(owner=referrer)

    migration.empty_sent_drafts(apps, None)

    sent.refresh_from_db()
    unsent.refresh_from_db()
    assert sent.data == {}
    assert unsent.data["children"] == [
        {"child_first_name": ["Drafted"], "child_last_name": ["Child"]}
    ]


def test_the_last_page_before_sending_links_to_the_councils_privacy_notice(
    referrer_client, settings
):
    settings.PRIVACY_NOTICE_URL = "https://www.example.gov.uk/privacy/front-door"
    draft = fill_referral(referrer_client)

    html = referrer_client.get(f"/referrals/new/{draft.pk}/check/").content.decode()

    assert (
        '<a class="govuk-link" href="https://www.example.gov.uk/privacy/front-door" '
        'rel="noopener">the council\'s privacy notice</a>' in html
    )
