"""The values a referral's fields may take: its choices (the census codes are in
referrals.census) and the limits on what a referrer types."""

from django.db import models

# Limits on free text: generous for what a referrer writes, small enough that no one
# pastes a whole case file into a box.
NARRATIVE_MAX = 6000
SHORT_TEXT_MAX = 200
HOUSE_MAX = 2000


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    SCREENING = "screening", "Screening"
    AWAITING_DECISION = "awaiting_decision", "Awaiting decision"
    DECIDED = "decided", "Decided"


class Outcome(models.TextChoices):
    """What a manager decides for a referral (triage.Decision records it)."""

    NO_FURTHER_ACTION = "nfa", "No further action"
    SIGNPOST = "signpost", "Signpost to universal services"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT_S17 = "s17", "Child and family assessment (section 17)"
    STRATEGY_S47 = "s47", "Strategy discussion (section 47)"
    OPEN_CASE = "open_case", "Already an open case"


class Channel(models.TextChoices):
    WEB = "web", "Web form"
    API = "api", "API"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"


class PatternAnswer(models.TextChoices):
    """Is this new, or part of a pattern? The referrer answers for every child; a
    referral sent through the API without the answer says it was not asked."""

    NEW = "new", "New"
    PATTERN = "pattern", "Part of a pattern"
    DONT_KNOW = "dont_know", "Don't know"
    NOT_ASKED = "not_asked", "Not asked (sent without an answer)"


class ParentalConsent(models.TextChoices):
    CONSENTED = "consented", "Parents know and agreed to the referral"
    AWARE_NOT_CONSENTED = "aware_not_consented", "Parents know but did not agree"
    NOT_AWARE = "not_aware", "Parents do not know about the referral"
    NOT_SOUGHT = "not_sought", "Consent was not sought"
