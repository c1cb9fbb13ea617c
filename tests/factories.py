"""One factory per model. Every value is synthetic."""

import factory
from django.contrib.auth.hashers import make_password

from agencies.census import AgencyType
from agencies.models import Agency, ApiToken, Authenticator, Role, SecurityKey, User
from triage.models import (
    AgencyContribution,
    Attendee,
    AttendeeRole,
    DiscussionAction,
    DiscussionDecision,
    DiscussionFormat,
    DiscussionKind,
    StrategyDiscussion,
)

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test Agency {n}")
    type = AgencyType.SCHOOL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    role = Role.REFERRER
    agency = factory.Maybe(
        factory.LazyAttribute(
            lambda u: (
                u.role
                in {Role.REFERRER, Role.AGENCY_LEAD, Role.PARTNER, Role.SCREENER, Role.MANAGER}
            )
        ),
        yes_declaration=factory.SubFactory(AgencyFactory),
        no_declaration=None,
    )
    password = factory.LazyFunction(lambda: make_password(PASSWORD))


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """An API token as the token endpoint issues one; the token itself (shown only when
    issued, never stored) is on the instance as ``raw``."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token, raw = model_class.objects.create(**kwargs)
        token.raw = raw
        return token


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """An authenticator app set up for two-step verification (its key kept encrypted)."""

    class Meta:
        model = Authenticator

    user = factory.SubFactory(UserFactory, role=Role.MANAGER)
    name = "Authenticator app"
    confirmed = True


class SecurityKeyFactory(factory.django.DjangoModelFactory):
    """A security key registered for two-step verification (a made-up credential and an
    unusable public key: for pages that list or remove keys; tests/soft_authenticator.py
    makes keys that answer)."""

    class Meta:
        model = SecurityKey

    user = factory.SubFactory(UserFactory, role=Role.MANAGER)
    name = factory.Sequence(lambda n: f"Key {n}")
    confirmed = True
    credential_id = factory.Sequence(lambda n: f"test-credential-{n}")
    public_key = b"not-a-key"


def current_code(device) -> str:
    """The code the device's authenticator app shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


# --- Referrals ------------------------------------------------------------------------

from datetime import date, timedelta  # noqa: E402

from django.utils import timezone  # noqa: E402

from referrals.census import ConcernCategory, concern_mask  # noqa: E402
from referrals.models import (  # noqa: E402
    Channel,
    Outcome,
    ParentalConsent,
    Referral,
    ReferralConcern,
    Status,
    Submission,
)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    submitted_by = factory.SubFactory(UserFactory)


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral made by a referrer through the web form, received just now.

    ``ReferralFactory(in_screening=True)`` is allocated to a screener, and
    ``ReferralFactory(awaiting_decision=True)`` is recommended on too: the database
    refuses a status that does not match what screening has done."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    class Params:
        in_screening = factory.Trait(
            status=Status.SCREENING,
            assigned_to=factory.SubFactory(UserFactory, role=Role.SCREENER),
            assigned_at=factory.LazyAttribute(lambda r: r.received_at + timedelta(hours=1)),
        )
        awaiting_decision = factory.Trait(
            in_screening=True,
            status=Status.AWAITING_DECISION,
            recommended_outcome=Outcome.EARLY_HELP,
            recommendation="Emerging needs: the school's family worker can support the family.",
            recommended_by=factory.SelfAttribute("assigned_to"),
            recommended_at=factory.LazyAttribute(lambda r: r.received_at + timedelta(hours=2)),
        )

    reference = factory.Sequence(lambda n: f"FD-2026-{900000 + n:06d}")
    referrer = factory.SubFactory(UserFactory, role=Role.REFERRER)
    agency = factory.LazyAttribute(lambda r: r.referrer.agency if r.referrer else None)
    submission = factory.SubFactory(
        SubmissionFactory, submitted_by=factory.SelfAttribute("..referrer")
    )
    status = Status.RECEIVED
    channel = Channel.WEB
    source_of_referral = factory.LazyAttribute(
        lambda r: r.agency.source_of_referral if r.agency else "10"
    )
    received_at = factory.LazyFunction(timezone.now)
    decision_due_at = factory.LazyAttribute(lambda r: r.received_at + timedelta(hours=24))
    child_first_name = factory.Sequence(lambda n: f"Kid{n}")
    child_last_name = "Testchild"
    child_date_of_birth = date(2018, 5, 17)
    worry = "Came to school hungry four days this week and has a bruise on the arm."
    lived_experience = "Gets self and younger brother ready; no breakfast; often late."
    child_voice = "Said 'mum sleeps a lot and there is no food in the house'."
    parental_consent = ParentalConsent.CONSENTED

    @factory.post_generation
    def concerns(self, create, extracted, **kwargs):
        if not create:
            return
        categories = extracted or [ConcernCategory.NEGLECT]
        for category in categories:
            ReferralConcern.objects.create(referral=self, category=category)
        # As referrals.services sets it with the concerns (the queue's concern filter).
        self.concern_mask = concern_mask(categories)
        Referral.objects.filter(pk=self.pk).update(concern_mask=self.concern_mask)


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    """Someone in the child's household, as the referrer named them."""

    class Meta:
        model = "referrals.HouseholdMember"

    referral = factory.SubFactory(ReferralFactory)
    name = factory.Sequence(lambda n: f"Adult{n} Testchild")
    relationship = "Mother"
    date_of_birth = date(1990, 3, 14)


# --- Information requests --------------------------------------------------------------

from triage.models import InformationRequest  # noqa: E402


class InformationRequestFactory(factory.django.DjangoModelFactory):
    """A screener's unanswered question to a health visiting service, due in four hours."""

    class Meta:
        model = InformationRequest

    referral = factory.SubFactory(ReferralFactory)
    agency = factory.SubFactory(
        AgencyFactory, name="Test Health Visiting", type=AgencyType.HEALTH_VISITING
    )
    question = "What do you know about the child and household?"
    requested_by = factory.SubFactory(UserFactory, role=Role.SCREENER)
    requested_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda r: r.requested_at + timedelta(hours=4))


# --- Children -------------------------------------------------------------------------

from referrals.models import Child  # noqa: E402


class ChildFactory(factory.django.DjangoModelFactory):
    """An existing child record: synthetic names, no NHS number or postcode unless given."""

    class Meta:
        model = Child

    first_name = factory.Sequence(lambda n: f"Recorded{n}")
    last_name = "Recordchild"
    date_of_birth = date(2016, 9, 21)


# --- Decisions ------------------------------------------------------------------------

from referrals.models import Outcome  # noqa: E402
from triage.models import Decision  # noqa: E402


class DecisionFactory(factory.django.DjangoModelFactory):
    """A manager's decision. The database marks its referral decided (triage/triggers.py):
    pass an undecided referral, as the decide service would find it."""

    class Meta:
        model = Decision
        skip_postgeneration_save = True

    referral = factory.SubFactory(ReferralFactory)
    outcome = Outcome.EARLY_HELP
    threshold_level_id = 2  # the level's number
    rationale = "Emerging needs; the family agree to support from the school's family worker."
    lived_experience_impact = "Mornings are chaotic but the children are fed at school."
    feedback = "Decision: Early help."
    decided_by = factory.SubFactory(UserFactory, role=Role.MANAGER)
    decided_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def referral_is_decided(self, create, extracted, **kwargs):
        if create:
            self.referral.refresh_from_db(fields=["status"])


# --- Screening ------------------------------------------------------------------------

from triage.models import QualityRating, ScreeningNote  # noqa: E402


class ScreeningNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningNote

    referral = factory.SubFactory(ReferralFactory)
    author = factory.SubFactory(UserFactory, role=Role.SCREENER)
    text = "Checked the chronology: two earlier referrals from the school."


class QualityRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityRating

    referral = factory.SubFactory(ReferralFactory)
    specific_worry = True
    child_voice = False
    lived_experience = True
    history_considered = False
    consent_addressed = True
    referrer_analysis = False
    rated_by = factory.SubFactory(UserFactory, role=Role.SCREENER)


# --- Drafts and notices ----------------------------------------------------------------

from notices.models import NoticeEvent, NoticeKind, Notification  # noqa: E402
from referrals.models import CoachingOutcome, CoachingPrompt, ReferralDraft  # noqa: E402


class CoachingPromptFactory(factory.django.DjangoModelFactory):
    """A coaching prompt shown while the referral was written, acted on by default;
    ``outcome=CoachingOutcome.EXPLAINED`` needs an ``explanation``."""

    class Meta:
        model = CoachingPrompt

    referral = factory.SubFactory(ReferralFactory)
    field = "worry"
    rule = "no_child_example"
    agency_type = factory.LazyAttribute(
        lambda p: p.referral.agency.type if p.referral.agency else ""
    )
    shown_at = factory.LazyAttribute(lambda p: p.referral.received_at - timedelta(minutes=10))
    outcome = CoachingOutcome.ACTED_ON
    explanation = ""


class ReferralDraftFactory(factory.django.DjangoModelFactory):
    """A referral being written: one child named, no section answered yet (so it cannot
    be sent). A screener's or manager's draft records a call on someone's behalf."""

    class Meta:
        model = ReferralDraft

    owner = factory.SubFactory(UserFactory, role=Role.REFERRER)
    data = factory.LazyAttribute(
        lambda d: {
            "on_behalf": d.owner.role in (Role.SCREENER, Role.MANAGER),
            "sections": {},
            "children": [{"child_first_name": ["Drafted"], "child_last_name": ["Child"]}],
        }
    )


class NoticeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoticeEvent

    key = factory.Sequence(lambda n: f"test:{n}")
    kind = NoticeKind.ACKNOWLEDGEMENT
    referral_id = factory.LazyFunction(lambda: ReferralFactory().pk)


class NotificationFactory(factory.django.DjangoModelFactory):
    """An in-app notice, as the outbox writes it: a reference and a link, no case details."""

    class Meta:
        model = Notification

    event = factory.SubFactory(NoticeEventFactory)
    kind = factory.SelfAttribute("event.kind")
    recipient = factory.SubFactory(UserFactory)
    channel = Notification.Channel.INBOX
    status = Notification.Status.SENT
    sent_at = factory.LazyFunction(timezone.now)
    subject = "Notice about a referral"
    body = "Sign in to Front Door to read it."
    link = "/"


# --- Challenges -----------------------------------------------------------------------

from triage.models import (  # noqa: E402
    Challenge,
    ChallengeResponse,
    DecisionAmendment,
    EscalationStage,
    StageOwner,
)


class DecisionAmendmentFactory(factory.django.DjangoModelFactory):
    """A correction to a decision, beside the original."""

    class Meta:
        model = DecisionAmendment

    decision = factory.SubFactory(DecisionFactory)
    outcome = Outcome.ASSESSMENT_S17
    threshold_level_id = 3
    rationale = "New information from the school shows a pattern of neglect over months."
    reason = "Changed on challenge: the school's new information."
    feedback = "Decision: Child and family assessment (section 17)."
    amended_by = factory.SubFactory(UserFactory, role=Role.MANAGER)
    amended_at = factory.LazyFunction(timezone.now)


class EscalationStageFactory(factory.django.DjangoModelFactory):
    """A stage after the three defaults the migration makes."""

    class Meta:
        model = EscalationStage
        django_get_or_create = ["order"]

    order = factory.Sequence(lambda n: 10 + n)
    name = factory.LazyAttribute(lambda s: f"Stage {s.order}")
    owner = StageOwner.MANAGERS
    timescale_working_days = 3


class ChallengeFactory(factory.django.DjangoModelFactory):
    """An open challenge at the first default stage, on a decided referral, raised by its
    referrer."""

    class Meta:
        model = Challenge

    decision = factory.SubFactory(DecisionFactory)
    referral = factory.SelfAttribute("decision.referral")
    raised_by = factory.LazyAttribute(lambda c: c.referral.referrer)
    raised_at = factory.LazyFunction(timezone.now)
    reason = "The child told the teacher again today that there is no food at home."
    stage = factory.LazyFunction(lambda: EscalationStage.objects.get(order=1))
    stage_started_at = factory.SelfAttribute("raised_at")
    stage_due_at = factory.LazyAttribute(lambda c: c.raised_at + timedelta(days=2))
    owner = factory.SelfAttribute("decision.decided_by")


class ChallengeResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChallengeResponse

    challenge = factory.SubFactory(ChallengeFactory)
    stage = factory.SelfAttribute("challenge.stage")
    by = factory.SubFactory(UserFactory, role=Role.MANAGER)
    at = factory.LazyFunction(timezone.now)
    text = "We have looked again at the school's information and spoken to the family."


class StrategyDiscussionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyDiscussion

    # The referral it is about was received before it was held, whenever that was: an hour
    # before (a discussion "held two days ago" was about a referral received just now).
    referral = factory.SubFactory(
        ReferralFactory,
        received_at=factory.LazyAttribute(lambda r: r.factory_parent.held_at - timedelta(hours=1)),
    )
    kind = DiscussionKind.STRATEGY_DISCUSSION
    held_at = factory.LazyFunction(timezone.now)
    format = DiscussionFormat.VIDEO
    convened_by = factory.SubFactory(UserFactory, role=Role.MANAGER)
    minutes_due_at = factory.LazyAttribute(lambda d: d.held_at + timedelta(days=1))


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendee

    discussion = factory.SubFactory(StrategyDiscussionFactory)
    agency = factory.SubFactory(AgencyFactory, type=AgencyType.POLICE)
    role = AttendeeRole.POLICE_OFFICER
    name = factory.Sequence(lambda n: f"Attendee {n}")
    attended = True


class AgencyContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyContribution

    discussion = factory.SubFactory(StrategyDiscussionFactory)
    agency = factory.SubFactory(AgencyFactory, type=AgencyType.POLICE)
    information = "Two call-outs to the address this year; no arrests."


class DiscussionDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscussionDecision

    discussion = factory.SubFactory(StrategyDiscussionFactory)
    decision = "Joint visit by police and social care today."
    rationale = "The injury is unexplained and the child is under two."
    recorded_by = factory.SubFactory(UserFactory, role=Role.MANAGER)


class DiscussionActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscussionAction

    discussion = factory.SubFactory(StrategyDiscussionFactory)
    description = "Share the health visitor's records with the allocated social worker."
    owner = "Health visitor on duty"
    agency = factory.SubFactory(AgencyFactory, type=AgencyType.HEALTH_VISITING)
    due_at = factory.LazyAttribute(lambda a: a.discussion.held_at + timedelta(days=2))
