"""Children-in-need census codes for referrals: concern categories and the assessment
factor codes they map to, ethnicity, gender and disability. This is the one table.

Source: the DfE CIN census guidance as encoded by the data-to-insight CIN validator
(csc-validator-be-cin) and the standard safeguarding data model; check against the
census guide for the year before relying on it.
"""

from __future__ import annotations

from django.db import models


class ConcernCategory(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    PARENTAL_ALCOHOL_MISUSE = "parental_alcohol_misuse", "Parental alcohol misuse"
    PARENTAL_DRUG_MISUSE = "parental_drug_misuse", "Parental drug misuse"
    PARENTAL_MENTAL_HEALTH = "parental_mental_health", "Parental mental health"
    CHILD_SEXUAL_EXPLOITATION = "child_sexual_exploitation", "Child sexual exploitation"
    CHILD_CRIMINAL_EXPLOITATION = "child_criminal_exploitation", "Child criminal exploitation"
    GOING_MISSING = "going_missing", "Going missing"
    SELF_HARM = "self_harm", "Self-harm"
    FEMALE_GENITAL_MUTILATION = "female_genital_mutilation", "Female genital mutilation"
    FAITH_OR_BELIEF = "faith_or_belief", "Abuse linked to faith or belief"
    RADICALISATION = "radicalisation", "Radicalisation"
    OTHER = "other", "Other"


# Each category's bit in ``Referral.concern_mask``, the referral's categories as one
# number, so that the queue's concern filter reads the open referrals' partial index
# alone instead of probing their concerns one referral at a time (issue 14). Stored:
# never renumber; a new category takes the next free bit (31 fit the column).
CONCERN_BITS: dict[str, int] = {
    ConcernCategory.NEGLECT: 1 << 0,
    ConcernCategory.PHYSICAL_ABUSE: 1 << 1,
    ConcernCategory.SEXUAL_ABUSE: 1 << 2,
    ConcernCategory.EMOTIONAL_ABUSE: 1 << 3,
    ConcernCategory.DOMESTIC_ABUSE: 1 << 4,
    ConcernCategory.PARENTAL_ALCOHOL_MISUSE: 1 << 5,
    ConcernCategory.PARENTAL_DRUG_MISUSE: 1 << 6,
    ConcernCategory.PARENTAL_MENTAL_HEALTH: 1 << 7,
    ConcernCategory.CHILD_SEXUAL_EXPLOITATION: 1 << 8,
    ConcernCategory.CHILD_CRIMINAL_EXPLOITATION: 1 << 9,
    ConcernCategory.GOING_MISSING: 1 << 10,
    ConcernCategory.SELF_HARM: 1 << 11,
    ConcernCategory.FEMALE_GENITAL_MUTILATION: 1 << 12,
    ConcernCategory.FAITH_OR_BELIEF: 1 << 13,
    ConcernCategory.RADICALISATION: 1 << 14,
    ConcernCategory.OTHER: 1 << 15,
}


def concern_mask(categories) -> int:
    """The categories' bits (``CONCERN_BITS``) together; each category counted once."""
    mask = 0
    for category in categories:
        mask |= CONCERN_BITS[category]
    return mask


def concern_mask_sql(column: str) -> str:
    """SQL for one concern row's bit, from its category column (for sums over a
    referral's concern rows, which hold each category at most once)."""
    cases = " ".join(
        f"WHEN '{ConcernCategory(c).value}' THEN {bit}" for c, bit in CONCERN_BITS.items()
    )
    return f"(CASE {column} {cases} ELSE 0 END)"


# Concern category -> CIN census "factors identified at the end of assessment" codes.
# Where a factor has variants, A is about the child, B a parent or carer, C another
# person in the household; physical and sexual abuse are B by a child, C by an adult.
CONCERN_FACTOR_CODES: dict[str, tuple[str, ...]] = {
    ConcernCategory.NEGLECT: ("16A",),
    ConcernCategory.EMOTIONAL_ABUSE: ("17A",),
    ConcernCategory.PHYSICAL_ABUSE: ("18B", "18C"),
    ConcernCategory.SEXUAL_ABUSE: ("19B", "19C"),
    ConcernCategory.DOMESTIC_ABUSE: ("3A", "3B", "3C"),
    ConcernCategory.PARENTAL_ALCOHOL_MISUSE: ("1B",),
    ConcernCategory.PARENTAL_DRUG_MISUSE: ("2B",),
    ConcernCategory.PARENTAL_MENTAL_HEALTH: ("4B",),
    ConcernCategory.CHILD_SEXUAL_EXPLOITATION: ("11A",),
    ConcernCategory.CHILD_CRIMINAL_EXPLOITATION: ("24A",),
    ConcernCategory.GOING_MISSING: ("10A",),
    ConcernCategory.SELF_HARM: ("15A",),
    ConcernCategory.FEMALE_GENITAL_MUTILATION: ("22A",),
    ConcernCategory.FAITH_OR_BELIEF: ("23A",),
    # Radicalisation has no factor of its own and counts as "other".
    ConcernCategory.RADICALISATION: ("20",),
    ConcernCategory.OTHER: ("20",),
}


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White: British"
    WIRI = "WIRI", "White: Irish"
    WIRT = "WIRT", "White: Traveller of Irish heritage"
    WROM = "WROM", "White: Gypsy or Roma"
    WOTH = "WOTH", "White: any other White background"
    MWBC = "MWBC", "Mixed: White and Black Caribbean"
    MWBA = "MWBA", "Mixed: White and Black African"
    MWAS = "MWAS", "Mixed: White and Asian"
    MOTH = "MOTH", "Mixed: any other mixed background"
    AIND = "AIND", "Asian or Asian British: Indian"
    APKN = "APKN", "Asian or Asian British: Pakistani"
    ABAN = "ABAN", "Asian or Asian British: Bangladeshi"
    AOTH = "AOTH", "Asian or Asian British: any other Asian background"
    BCRB = "BCRB", "Black or Black British: Caribbean"
    BAFR = "BAFR", "Black or Black British: African"
    BOTH = "BOTH", "Black or Black British: any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    # The census's two answers for an ethnicity not recorded: the referrer chooses one.
    REFU = "REFU", "Declined (the child or family did not want to say)"
    NOBT = "NOBT", "Not known (information not yet obtained)"


class Gender(models.TextChoices):
    """CIN census gender codes: 1 male, 2 female, 9 indeterminate, 0 not known."""

    MALE = "1", "Male"
    FEMALE = "2", "Female"
    INDETERMINATE = "9", "Indeterminate"
    NOT_KNOWN = "0", "Not known"


class Disability(models.TextChoices):
    """CIN census disability codes."""

    NONE = "NONE", "No disability"
    MOB = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PC = "PC", "Personal care"
    INC = "INC", "Incontinence"
    COMM = "COMM", "Communication"
    LD = "LD", "Learning"
    HE = "HE", "Hearing"
    VIS = "VIS", "Vision"
    BEH = "BEH", "Behaviour"
    CON = "CON", "Consciousness"
    AUT = "AUT", "Autism or Asperger syndrome"
    DDA = "DDA", "Other disability"


class Religion(models.TextChoices):
    NONE = "none", "No religion"
    BUDDHIST = "buddhist", "Buddhist"
    CHRISTIAN = "christian", "Christian"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Other religion"
    NOT_KNOWN = "not_known", "Not known"
    DECLINED = "declined", "Declined (prefers not to say)"


class CallerType(models.TextChoices):
    """Who made a referral by phone or email, and their census source of referral."""

    PROFESSIONAL = "professional", "A professional (from a partner agency)"
    FAMILY = "family", "Family member, relative or carer"
    ACQUAINTANCE = "acquaintance", "Acquaintance (for example a neighbour or child minder)"
    SELF = "self", "The child themselves"
    OTHER_INDIVIDUAL = "other_individual", "Another member of the public"
    ANONYMOUS = "anonymous", "Anonymous"


CALLER_SOURCE: dict[str, str] = {
    CallerType.FAMILY: "1A",
    CallerType.ACQUAINTANCE: "1B",
    CallerType.SELF: "1C",
    CallerType.OTHER_INDIVIDUAL: "1D",
    CallerType.ANONYMOUS: "9",
}


def factor_codes(categories) -> list[str]:
    codes: list[str] = []
    for category in categories:
        for code in CONCERN_FACTOR_CODES[ConcernCategory(category)]:
            if code not in codes:
                codes.append(code)
    return codes
