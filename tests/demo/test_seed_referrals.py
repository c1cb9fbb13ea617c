"""The demo referrals that ``seed_demo`` loads: enough, varied and realistic, and every one
consistent with the rules the real services keep."""

import io
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from agencies.census import SOURCE_OF_REFERRAL, AgencyType
from agencies.models import Role, User
from core.clock import ClockState, decision_due_at, read_clock
from demo.data import (
    DEMO_MARK,
    EXTRA_REFERRERS,
    TARGET_REFERRALS,
    plan_demo_referrals,
)
from referrals.census import (
    CALLER_SOURCE,
    CONCERN_FACTOR_CODES,
    CallerType,
    ConcernCategory,
    Disability,
    Ethnicity,
    Gender,
    Religion,
    factor_codes,
)
from referrals.models import (
    Channel,
    Child,
    HouseholdMember,
    Outcome,
    Referral,
    Status,
    Submission,
)
from referrals.references import last_issued
from referrals.services import _next_reference
from referrals.validation import nhs_number_is_valid, normalise_postcode, validate_postcode
from tests.factories import ReferralFactory
from triage.models import Decision, InformationRequest, QualityRating, ScreeningNote
from triage.services.information import requests_for_partner

# Seeded once for the module (the fixture below): in one pytest-xdist worker, not once in each.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-seed-referrals")]

DEMO_AGENCIES = {
    "Northshire Police",
    "Millbrook Primary School",
    "Castle Hill Academy",
    "Riverside Medical Practice",
    "Northshire Health Visiting Service",
    "Northshire School Nursing Service",
    "Northshire Probation Delivery Unit",
    "Northshire Youth Justice Service",
    "Pathways Drug and Alcohol Service",
}
THRESHOLD_FOR = {
    Outcome.NO_FURTHER_ACTION: {1},
    Outcome.SIGNPOST: {1},
    Outcome.EARLY_HELP: {2},
    Outcome.ASSESSMENT_S17: {3},
    Outcome.STRATEGY_S47: {4},
    Outcome.OPEN_CASE: {3, 4},
}


@pytest.fixture
def now(seeded):
    return timezone.now()


def referrals():
    return Referral.objects.select_related("decision", "agency", "referrer", "recorded_by")


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Referral,
            Decision,
            Submission,
            ScreeningNote,
            QualityRating,
            InformationRequest,
        )
    ) + (InformationRequest.history.count(),)


def test_seed_demo_loads_about_300_referrals_and_a_second_run_adds_none(seeded):
    first = _counts()

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert first[0] == TARGET_REFERRALS == 300
    assert all(first)  # notes, ratings and information requests too
    assert _counts() == first
    assert "Demo referrals: 300 (already there, none added)" in out.getvalue()


def test_a_referral_someone_made_is_not_mistaken_for_demo_data(seeded):
    ReferralFactory()

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert Referral.objects.count() == 301
    assert "Demo referrals: 300 " in out.getvalue()


def test_seed_demo_refuses_in_production_mode_and_adds_no_referrals(seeded, settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="refuses to run in production mode"):
        call_command("seed_demo")
    assert Referral.objects.count() == 300


def test_every_status_is_there_and_only_decided_referrals_have_a_decision(seeded):
    statuses = Counter(Referral.objects.values_list("status", flat=True))

    assert set(statuses) == set(Status.values)
    assert statuses[Status.DECIDED] > 0.85 * 300  # most referrals are decided
    for referral in referrals():
        assert hasattr(referral, "decision") == (referral.status == Status.DECIDED), referral


def test_the_open_queue_has_overdue_due_soon_and_on_time_referrals(seeded, now):
    open_referrals = Referral.objects.exclude(status=Status.DECIDED)
    states = Counter(read_clock(due_at=r.decision_due_at, now=now).state for r in open_referrals)

    assert states[ClockState.OVERDUE] >= 5
    assert states[ClockState.DUE_SOON] >= 3
    assert states[ClockState.ON_TIME] >= 5
    # The queue is recent, apart from a couple left unallocated or "waiting for enquiries".
    assert open_referrals.filter(received_at__lt=now - timedelta(days=3)).count() <= 3
    assert open_referrals.filter(
        status=Status.RECEIVED, received_at__lt=now - timedelta(days=1)
    ).exists()
    assert open_referrals.filter(immediate_risk=True).exists()


def test_every_clock_runs_24_hours_from_received_and_nothing_is_in_the_future(seeded, now):
    for referral in referrals():
        assert referral.decision_due_at == decision_due_at(referral.received_at), referral
        assert referral.received_at <= referral.created_at <= now, referral
        assert referral.submission.created_at <= now
        assert referral.received_at >= now - timedelta(days=550), referral
        if referral.child_date_of_birth:
            assert referral.child_date_of_birth <= referral.received_at.date()
        if referral.child_expected_date_of_birth:
            assert referral.child_date_of_birth is None
            ahead = referral.child_expected_date_of_birth - referral.received_at.date()
            assert timedelta(0) <= ahead <= timedelta(days=310)
        if referral.status == Status.DECIDED:
            assert referral.received_at < referral.decision.decided_at <= now, referral
    assert not Referral.history.filter(history_date__gt=now).exists()
    assert not Decision.history.filter(history_date__gt=now).exists()


def test_every_decided_referral_has_its_decision_and_no_other_has_one(seeded):
    assert Referral.objects.filter(status=Status.DECIDED).count() == Decision.objects.count()
    assert not Referral.objects.filter(status=Status.DECIDED, decision__isnull=True).exists()
    assert (
        not Referral.objects.exclude(status=Status.DECIDED).filter(decision__isnull=False).exists()
    )


def test_decisions_are_the_managers_with_a_threshold_that_fits_the_outcome(seeded):
    decisions = list(Decision.objects.select_related("referral", "decided_by"))

    assert {d.outcome for d in decisions} == set(Outcome.values)
    for decision in decisions:
        assert decision.decided_by.username == "manager"
        assert decision.threshold_level_id in THRESHOLD_FOR[decision.outcome], decision
        assert len(decision.rationale) > 200, decision
        assert "{" not in decision.rationale + decision.feedback  # every placeholder filled
        assert decision.feedback.startswith("Thank you for your referral")
        assert decision.lived_experience_impact
    immediate = [d for d in decisions if d.referral.immediate_risk]
    assert immediate
    assert {d.outcome for d in immediate} == {Outcome.STRATEGY_S47}


def test_late_decisions_say_why_and_are_a_minority(seeded):
    decisions = list(Decision.objects.select_related("referral"))
    late = [d for d in decisions if d.decided_at > d.referral.decision_due_at]

    for decision in decisions:
        assert bool(decision.late_reason) == (decision in late), decision
    assert 0.08 <= len(late) / len(decisions) <= 0.18


def _children(queryset):
    """Referrals grouped by the child as given (name, date of birth and postcode)."""
    groups = defaultdict(list)
    for referral in queryset.prefetch_related("concerns"):
        key = (
            referral.child_first_name,
            referral.child_last_name,
            referral.child_date_of_birth,
            referral.child_postcode,
        )
        groups[key].append(referral)
    return groups


def test_some_children_are_referred_again_and_again(seeded):
    repeats = [group for group in _children(Referral.objects.all()).values() if len(group) > 1]

    assert 15 <= len(repeats) <= 20
    assert all(len(group) <= 5 for group in repeats)


def test_a_child_referred_three_times_in_a_year_for_neglect_is_there(seeded, now):
    last_year = Referral.objects.filter(received_at__gte=now - timedelta(days=365))

    chronic = [
        group
        for group in _children(last_year).values()
        if sum(ConcernCategory.NEGLECT in r.concern_categories for r in group) >= 3
    ]

    assert len(chronic) >= 2


def test_a_child_is_sometimes_given_with_a_typo_or_day_and_month_swapped(seeded):
    assert Referral.objects.filter(child_first_name="Kaydon").exists()
    tylers = Referral.objects.filter(child_first_name="Tyler", child_last_name="Merridew")
    dates = {r.child_date_of_birth for r in tylers}
    assert len(dates) == 2
    a, b = dates
    assert (a.day, a.month) == (b.month, b.day)


def test_screened_referrals_are_allocated_and_recommended_on(seeded, now):
    for referral in referrals():
        if referral.status == Status.RECEIVED:
            assert referral.assigned_to is None and referral.child_id is None, referral
            assert not referral.recommended_outcome
            continue
        assert referral.assigned_to.username == "screener", referral
        assert referral.received_at <= referral.assigned_at <= now
        if referral.status == Status.SCREENING:
            assert not referral.recommended_outcome
            continue
        assert referral.recommended_outcome in Outcome.values, referral
        assert len(referral.recommendation) >= 20
        assert referral.recommended_by.username == "screener"
        assert referral.assigned_at <= referral.recommended_at <= now
        if referral.status == Status.DECIDED:
            assert referral.recommended_at <= referral.decision.decided_at
    decided = list(Decision.objects.select_related("referral"))
    overruled = [d for d in decided if d.outcome != d.referral.recommended_outcome]
    assert 0 < len(overruled) < 0.3 * len(decided)  # the manager's own judgement shows


def test_screened_referrals_are_linked_to_one_record_per_child(seeded, now):
    linked = Referral.objects.exclude(child=None)

    assert not Referral.objects.filter(
        status__in=[Status.AWAITING_DECISION, Status.DECIDED], child=None
    ).exists()
    assert 200 < Child.objects.count() < linked.count()
    kayden = Child.objects.get(first_name="Kayden", last_name="Fallowmere")
    assert set(kayden.referrals.values_list("child_first_name", flat=True)) == {
        "Kayden",
        "Kaydon",
    }
    year = linked.filter(received_at__gte=now - timedelta(days=365))
    neglect_by_child = Counter(
        year.filter(concerns__category=ConcernCategory.NEGLECT).values_list("child", flat=True)
    )
    assert sum(n >= 3 for n in neglect_by_child.values()) >= 2  # chronic neglect shows
    nhs = [n for n in Child.objects.values_list("nhs_number", flat=True) if n]
    assert len(nhs) == len(set(nhs))
    assert Child.history.filter(history_change_reason=DEMO_MARK).count() == Child.objects.count()


def test_siblings_referred_together_share_one_submission(seeded):
    sibling_groups = [
        list(submission.referrals.all())
        for submission in Submission.objects.prefetch_related("referrals")
        if submission.referrals.count() > 1
    ]

    assert len(sibling_groups) >= 10
    for group in sibling_groups:
        assert len({r.child_first_name for r in group}) == len(group)
        # One household, one time received (a surname may be misspelt as given).
        assert len({(r.child_address, r.child_postcode, r.received_at) for r in group}) == 1
        assert len({r.reference for r in group}) == len(group)


def test_nhs_numbers_are_valid_test_numbers_and_postcodes_are_invented(seeded):
    nhs_numbers = [n for n in Referral.objects.values_list("child_nhs_number", flat=True) if n]
    postcodes = set(Referral.objects.values_list("child_postcode", flat=True))

    assert len(nhs_numbers) > 50
    for number in nhs_numbers:
        assert nhs_number_is_valid(number), number
        assert number.startswith("999"), number
    for postcode in postcodes:
        validate_postcode(postcode)
        assert postcode == normalise_postcode(postcode)
        assert postcode.startswith("NS"), postcode


def test_census_codes_are_valid(seeded):
    for referral in referrals().prefetch_related("concerns"):
        assert referral.source_of_referral in SOURCE_OF_REFERRAL, referral
        if referral.agency:
            assert referral.source_of_referral == referral.agency.source_of_referral
        else:
            assert referral.source_of_referral == CALLER_SOURCE[referral.caller_type]
        assert referral.concern_categories, referral
        assert set(referral.concern_categories) <= set(ConcernCategory.values)
        assert set(factor_codes(referral.concern_categories)) <= {
            code for codes in CONCERN_FACTOR_CODES.values() for code in codes
        }
        assert referral.child_gender in Gender.values
        assert referral.child_ethnicity in Ethnicity.values
        assert referral.child_religion in Religion.values
        assert set(referral.child_disabilities) <= set(Disability.values)


def test_referrers_are_demo_users_or_a_synthetic_referrer_of_the_same_agency(seeded):
    extra = {username for username, *_ in EXTRA_REFERRERS}
    made_by_referrers = referrals().exclude(referrer=None)

    assert set(made_by_referrers.values_list("agency__name", flat=True)) == DEMO_AGENCIES
    for referral in made_by_referrers:
        assert referral.referrer.agency_id == referral.agency_id, referral
        assert referral.referrer.role in (Role.REFERRER, Role.AGENCY_LEAD)
        assert referral.submission.submitted_by_id == referral.referrer_id
        assert referral.recorded_by_id is None
        assert referral.channel in (Channel.WEB, Channel.API)
        assert referral.referrer_name == referral.referrer.display_name
    assert set(made_by_referrers.values_list("referrer__username", flat=True)) >= extra | {
        "referrer.police",
        "referrer.school",
        "referrer.health",
        "lead.school",
    }


def test_phone_referrals_are_recorded_by_the_screener_for_callers(seeded):
    calls = referrals().filter(channel=Channel.PHONE)

    assert 5 <= calls.count() <= 15
    assert {c.caller_type for c in calls} >= {
        CallerType.FAMILY,
        CallerType.ACQUAINTANCE,
        CallerType.ANONYMOUS,
    }
    for call in calls:
        assert call.referrer is None and call.agency is None
        assert call.recorded_by.username == "screener"
        assert call.submission.submitted_by.username == "screener"
        assert call.source_of_referral == CALLER_SOURCE[call.caller_type]
        if call.caller_type == CallerType.ANONYMOUS:
            assert not call.referrer_name and not call.referrer_phone


def test_concerns_are_a_realistic_mix_with_neglect_the_most_common(seeded):
    counts = Counter(
        Referral.objects.values_list("concerns__category", flat=True).exclude(
            concerns__category=None
        )
    )

    assert counts.most_common(1)[0][0] == ConcernCategory.NEGLECT
    assert set(counts) >= {
        ConcernCategory.NEGLECT,
        ConcernCategory.DOMESTIC_ABUSE,
        ConcernCategory.PARENTAL_MENTAL_HEALTH,
        ConcernCategory.PARENTAL_ALCOHOL_MISUSE,
        ConcernCategory.PARENTAL_DRUG_MISUSE,
        ConcernCategory.PHYSICAL_ABUSE,
        ConcernCategory.EMOTIONAL_ABUSE,
        ConcernCategory.CHILD_SEXUAL_EXPLOITATION,
        ConcernCategory.CHILD_CRIMINAL_EXPLOITATION,
        ConcernCategory.GOING_MISSING,
        ConcernCategory.SELF_HARM,
        ConcernCategory.FEMALE_GENITAL_MUTILATION,
        ConcernCategory.RADICALISATION,
        ConcernCategory.FAITH_OR_BELIEF,
    }
    assert 3 <= Referral.objects.filter(immediate_risk=True).count() <= 20


def test_the_narratives_are_child_focused_and_vary(seeded):
    worries = list(Referral.objects.values_list("worry", "lived_experience", "child_voice"))

    for worry, lived, voice in worries:
        assert worry and lived and voice
        assert "{" not in worry + lived + voice  # every placeholder was filled
    assert len({w for w, _, _ in worries}) > 150
    assert len({v for _, _, v in worries}) > 150


def test_household_members_are_on_most_referrals_some_with_a_known_risk(seeded):
    with_household = Referral.objects.filter(household__isnull=False).distinct().count()
    risky = HouseholdMember.objects.exclude(known_risk="")

    assert with_household > 0.7 * 300
    assert risky.count() >= 5
    assert risky.filter(known_risk__contains="non-molestation order").exists()
    assert set(HouseholdMember.objects.values_list("relationship", flat=True)) >= {
        "Mother",
        "Father",
        "Brother",
        "Sister",
    }


def test_history_is_recorded_for_every_row_and_marked_as_demo_data(seeded):
    created = Referral.history.filter(history_type="+", history_change_reason=DEMO_MARK)
    decided = Referral.history.filter(status=Status.DECIDED, history_type="~")

    assert set(created.values_list("id", flat=True)) == set(
        Referral.objects.values_list("id", flat=True)
    )
    assert decided.count() == Decision.objects.count()
    assert set(decided.values_list("history_user__username", flat=True)) == {"manager"}
    assert Decision.history.filter(history_change_reason=DEMO_MARK).count() == 277
    assert HouseholdMember.history.filter(history_change_reason=DEMO_MARK).exists()


def test_references_run_in_date_order_and_continue_for_the_next_real_referral(seeded, now):
    by_year = defaultdict(list)
    for referral in Referral.objects.order_by("received_at", "pk"):
        year = timezone.localtime(referral.received_at).year
        assert referral.reference.startswith(f"FD-{year}-")
        by_year[year].append(int(referral.reference.rsplit("-", 1)[1]))

    for numbers in by_year.values():
        assert numbers == list(range(1, len(numbers) + 1))
    this_year = timezone.localtime(now).year
    assert last_issued(this_year) == len(by_year[this_year])
    with transaction.atomic():
        assert _next_reference(this_year) == f"FD-{this_year}-{len(by_year[this_year]) + 1:06d}"


def test_the_plan_is_deterministic():
    moment = timezone.now()

    first = plan_demo_referrals(now=moment)

    assert plan_demo_referrals(now=moment) == first
    assert sum(len(p.referrals) for p in first) == TARGET_REFERRALS


# --- What screening left behind ---------------------------------------------------------


def test_open_referrals_wait_on_information_requests_a_couple_overdue(seeded, now):
    waiting = InformationRequest.objects.filter(answered_at=None).select_related("referral")
    overdue = [r for r in waiting if r.is_overdue(now)]

    assert waiting.count() >= 4
    assert all(r.referral.status != Status.DECIDED for r in waiting)  # none left behind
    assert len(overdue) == 2
    assert len({r.referral_id for r in overdue}) == 2
    # The oldest open referral has waited days on police checks.
    oldest = Referral.objects.exclude(status=Status.DECIDED).exclude(assigned_to=None)
    oldest = oldest.order_by("received_at").first()
    assert oldest.information_requests.filter(answered_at=None, due_at__lte=now).exists()
    assert any(not r.is_overdue(now) for r in waiting)
    asked = set(
        InformationRequest.objects.filter(
            referral__status__in=[Status.SCREENING, Status.AWAITING_DECISION]
        ).values_list("agency__type", flat=True)
    )
    assert asked >= {
        AgencyType.HEALTH_VISITING,
        AgencyType.POLICE,
        AgencyType.SCHOOL_NURSING,
        AgencyType.GP,
    }
    assert not InformationRequest.objects.filter(referral__status=Status.RECEIVED).exists()


def test_health_visiting_answers_through_partner_health_and_no_one_else_answers(seeded, now):
    answered = InformationRequest.objects.exclude(answered_at=None).select_related(
        "agency", "answered_by", "referral"
    )

    assert answered.filter(referral__status=Status.AWAITING_DECISION).exists()
    assert answered.filter(referral__status=Status.DECIDED).count() >= 5  # in chronologies
    for request in answered:
        assert request.agency.type == AgencyType.HEALTH_VISITING, request
        assert request.answered_by.username == "partner.health"
        assert request.requested_at < request.answered_at <= min(request.due_at, now)
        assert len(request.answer) > 60 and "{" not in request.answer
        if request.referral.status == Status.DECIDED:
            assert request.answered_at <= request.referral.recommended_at
    partner = User.objects.get(username="partner.health")
    assert requests_for_partner(partner).filter(answered_at=None).exists()  # work waiting


def test_information_requests_keep_the_services_rules(seeded, now):
    for request in InformationRequest.objects.select_related("referral", "requested_by", "agency"):
        referral = request.referral
        assert request.agency.type != AgencyType.CHILDRENS_SOCIAL_CARE
        assert request.agency_id != referral.agency_id  # not asked what they told us
        assert referral.assigned_at <= request.requested_at < request.due_at
        assert request.requested_at <= now
        assert request.requested_by.username in ("screener", "manager")
        assert "{" not in request.question and len(request.question) > 40
    sent = InformationRequest.history.filter(history_type="+", history_change_reason=DEMO_MARK)
    answers = InformationRequest.history.filter(history_type="~", history_change_reason=DEMO_MARK)
    assert sent.count() == InformationRequest.objects.count()
    assert answers.count() == InformationRequest.objects.exclude(answered_at=None).count()
    assert set(answers.values_list("history_user__username", flat=True)) == {"partner.health"}


def test_screening_notes_are_written_while_screening(seeded, now):
    notes = ScreeningNote.objects.select_related("referral", "referral__decision", "author")
    open_screened = Referral.objects.filter(status__in=[Status.SCREENING, Status.AWAITING_DECISION])

    assert notes.count() > 100
    assert (
        open_screened.filter(notes__isnull=False).distinct().count() >= 0.8 * open_screened.count()
    )
    assert notes.filter(author__username="manager").exists()  # the supervisory footprint
    for note in notes:
        referral = note.referral
        assert referral.status != Status.RECEIVED
        assert referral.assigned_at <= note.created_at <= now, note
        if referral.status == Status.DECIDED:
            assert note.created_at <= referral.decision.decided_at
        assert note.author.username in ("screener", "manager")
        assert note.text and "{" not in note.text
    assert len({n.text for n in notes}) > 50
    assert (
        ScreeningNote.history.filter(history_type="+", history_change_reason=DEMO_MARK).count()
        == notes.count()
    )


def test_most_screened_referrals_are_rated_with_a_realistic_spread(seeded, now):
    ratings = list(QualityRating.objects.select_related("referral", "referral__agency"))
    screened = Referral.objects.exclude(status=Status.RECEIVED)

    assert len(ratings) >= 0.75 * screened.count()
    assert not QualityRating.objects.filter(referral__status=Status.RECEIVED).exists()
    scores = Counter(r.score for r in ratings)
    assert len(scores) >= 5 and scores[6] < 0.4 * len(ratings)
    by_agency = defaultdict(list)
    for rating in ratings:
        referral = rating.referral
        assert rating.rated_by.username == "screener"
        assert referral.assigned_at <= rating.rated_at <= now
        if referral.recommended_at:
            assert rating.rated_at <= referral.recommended_at
        if rating.score <= 3:
            assert rating.comment, rating  # a low score says what was missing
        assert "{" not in rating.comment
        by_agency[referral.agency.type if referral.agency else "caller"].append(rating.score)
    mean = {kind: sum(s) / len(s) for kind, s in by_agency.items()}
    # Police notifications are incident-led; schools know the child's day.
    assert mean[AgencyType.POLICE] < mean[AgencyType.SCHOOL] - 0.5
    assert QualityRating.history.filter(
        history_type="+", history_change_reason=DEMO_MARK
    ).count() == len(ratings)
    assert not QualityRating.history.filter(history_date__gt=now).exists()
    assert not ScreeningNote.history.filter(history_date__gt=now).exists()
    assert not InformationRequest.history.filter(history_date__gt=now).exists()
