"""seed_demo's coaching prompts: on the demo's web-form referrals only, as the rules would
have drawn them from the text sent, with every outcome, so that the coaching figures and
the referrer's explanations have something to show; written once."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.data.coaching import _final_prompts
from referrals.models import Channel, CoachingOutcome, CoachingPrompt
from reporting import performance as p
from reporting.performance_coaching import coaching_by_agency

# Seeded once for the module (the fixture below): in one pytest-xdist worker, not once in each.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-seed-coaching")]


def prompts():
    return CoachingPrompt.objects.select_related("referral", "referral__agency")


def test_prompts_are_on_web_form_referrals_with_every_outcome(seeded):
    rows = list(prompts())
    assert len(rows) > 50
    assert {row.referral.channel for row in rows} == {Channel.WEB}
    outcomes = Counter(row.outcome for row in rows)
    assert set(outcomes) == set(CoachingOutcome.values)
    assert all(bool(row.explanation) == (row.outcome == CoachingOutcome.EXPLAINED) for row in rows)
    assert all(row.agency_type == row.referral.agency.type for row in rows)
    assert all(row.shown_at < row.referral.received_at for row in rows)


def test_prompts_agree_with_the_rules_on_the_text_sent(seeded):
    by_referral: dict = {}
    for row in prompts():
        by_referral.setdefault(row.referral, []).append(row)
    for referral, rows in by_referral.items():
        still = {(pr.field, pr.rule) for pr in _final_prompts(referral)}
        for row in rows:
            # Explained or ignored: the text sent still draws it; acted on: it does not.
            assert ((row.field, row.rule) in still) == (row.outcome != CoachingOutcome.ACTED_ON)
        # One explanation a field, as the form takes it: a field's prompts go together.
        by_field: dict = {}
        for row in rows:
            if row.outcome != CoachingOutcome.ACTED_ON:
                by_field.setdefault(row.field, set()).add((row.outcome, row.explanation))
        assert all(len(found) == 1 for found in by_field.values())


def test_the_coaching_table_has_content_for_the_default_period(seeded):
    now = timezone.now()
    rows = coaching_by_agency(
        period=p.default_period(timezone.localdate()), scope=p.Scope(), now=now
    )
    assert sum(row["coached"] for row in rows) > 5
    assert sum(row["prompts_explained"] for row in rows) > 0
    assert any(row["average_no_prompt"] is not None for row in rows)


def test_a_second_run_adds_none_and_a_demo_without_prompts_gets_them(seeded):
    count = CoachingPrompt.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert CoachingPrompt.objects.count() == count

    CoachingPrompt.objects.all().delete()  # a demo database seeded before coaching
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert CoachingPrompt.objects.count() == count
    assert f"{count} coaching prompts recorded" in out.getvalue()
