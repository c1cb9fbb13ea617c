"""The stories in the demo: calls from members of the public, the families referred again
and again (the chronic-neglect pattern among them) and the open queue."""

from __future__ import annotations

from dataclasses import dataclass, field

from demo.data.cast import (
    CASTLE_HILL,
    GP,
    HV,
    MILLBROOK,
    NURSING,
    PATHWAYS,
    POLICE,
    PROBATION,
    YJS,
)
from referrals.census import CallerType, Ethnicity, Gender, Religion
from referrals.census import ConcernCategory as C
from referrals.models import Outcome as O
from referrals.models import Status

# --- Calls from members of the public, recorded by the screener -------------------------


@dataclass(frozen=True)
class PhoneCall:
    caller_type: str
    caller_role: str
    scenario: str
    concerns: tuple[str, ...]
    ages: tuple[int, int]
    worry: str
    voice: str
    consent: str
    reason: str = ""


PHONE_CALLS = (
    PhoneCall(
        CallerType.FAMILY,
        "Maternal grandmother",
        "parental_alcohol",
        (C.PARENTAL_ALCOHOL_MISUSE, C.NEGLECT),
        (4, 12),
        "Caller is {name}'s maternal grandmother. She says {mother} has been drinking heavily "
        "since splitting from her partner. When she called round yesterday at teatime {name} "
        "had not eaten and {mother} was asleep on the sofa with an empty bottle beside her. "
        "She is worried that nobody is looking after {name} properly.",
        "{name} told {their} grandmother 'mum's always tired now' and asked to stay at hers.",
        "aware_not_consented",
    ),
    PhoneCall(
        CallerType.ACQUAINTANCE,
        "Neighbour",
        "domestic_abuse",
        (C.DOMESTIC_ABUSE,),
        (2, 12),
        "Caller lives in the flat below. She hears shouting, banging and a child crying most "
        "nights; last night she heard a man shout 'I'll kill you' and a woman screaming. She "
        "has seen {name} on the landing late at night in pyjamas.",
        "Caller has not spoken to {name}; she says {they} looks frightened and hides behind "
        "{their} mother on the stairs.",
        "not_sought",
        "Member of the public: consent is not theirs to give. The family will be "
        "told when we contact them, unless that would put {name} at risk.",
    ),
    PhoneCall(
        CallerType.ANONYMOUS,
        "",
        "neglect",
        (C.NEGLECT,),
        (3, 9),
        "Anonymous caller says the children at the address are left alone in the evenings; she "
        "has seen {name}, who looks about {age}, at the window crying for over an hour with no "
        "adult there. She would not give her name because she fears the family will find out.",
        "Not known: the caller has not spoken to {name}.",
        "not_sought",
        "Anonymous caller; the family will be told when we visit.",
    ),
    PhoneCall(
        CallerType.SELF,
        "The child",
        "emotional_abuse",
        (C.EMOTIONAL_ABUSE, C.DOMESTIC_ABUSE),
        (12, 16),
        "{name}, aged {age}, phoned from a friend's house. {name} does not want to go home "
        "because {their} stepdad shouts at {them}, broke {their} phone and pushed {their} mum "
        "last night. {name} is scared to go home tonight.",
        "{name} said: 'I can't go back there tonight. Mum just says keep your head down.'",
        "not_aware",
    ),
    PhoneCall(
        CallerType.OTHER_INDIVIDUAL,
        "Shop assistant",
        "physical_abuse",
        (C.PHYSICAL_ABUSE,),
        (6, 10),
        "Caller works in a shop on the high street. She saw a man slap {name} hard round the "
        "head and drag {them} out by the arm; she knows the family by name from the estate. "
        "{name} was crying and holding {their} ear.",
        "Caller heard {name} say 'I'm sorry, I'm sorry' as {they} was taken out.",
        "not_sought",
        "Member of the public: consent is not theirs to give.",
    ),
    PhoneCall(
        CallerType.FAMILY,
        "Father, not living with the child",
        "physical_abuse",
        (C.PHYSICAL_ABUSE, C.DOMESTIC_ABUSE),
        (4, 11),
        "Caller is {name}'s father, who does not live with {them}. After weekend contact he "
        "noticed bruises on {name}'s back; {name} said mum's new partner pushed {them} into a "
        "door. He is worried about sending {name} home tonight.",
        "{name} told {their} father 'he gets cross and pushes me'.",
        "aware_not_consented",
    ),
    PhoneCall(
        CallerType.ACQUAINTANCE,
        "Childminder",
        "parental_drugs",
        (C.PARENTAL_DRUG_MISUSE, C.NEGLECT),
        (1, 4),
        "Caller is {name}'s childminder. {mother} arrived to collect {name} slurring, with "
        "pinpoint pupils, and dropped her keys twice; the caller did not want to hand {name} "
        "over. It is the third time this month.",
        "{name} is too young to say; the caller says {name} is clingy at pick-up and does not "
        "want to go.",
        "aware_not_consented",
    ),
)

# --- The repeat families: hand-written histories ----------------------------------------


@dataclass(frozen=True)
class Episode:
    """One submission about a repeat family: ``when`` is months ago, or ``hours`` ago for
    the open queue (with ``status``)."""

    scenario: str
    agency: str | None
    who: tuple[int, ...]
    outcome: str | None = None
    months: float = 0.0
    hours: float | None = None
    status: str = Status.DECIDED
    late: bool = False
    immediate: bool = False
    extra: tuple[str, ...] = ()
    as_given: dict[int, dict] = field(default_factory=dict)
    phone: int | None = None  # index into PHONE_CALLS


@dataclass(frozen=True)
class FamilySpec:
    surname: str
    town: str
    mother: str
    adult: str
    adult_relationship: str
    adult_risk: str
    ethnicity: str
    religion: str
    # first name, gender, age in years now (fractions allowed), disabilities
    children: tuple[tuple[str, str, float, tuple[str, ...]], ...]
    episodes: tuple[Episode, ...]


M, F = Gender.MALE, Gender.FEMALE
REPEAT_FAMILIES: tuple[FamilySpec, ...] = (
    # Chronic neglect: three children, each referral treated as a new incident.
    FamilySpec(
        "Fallowmere",
        "Millbrook",
        "Chantelle",
        "Dean Brackwell",
        "Mother's partner",
        "",
        Ethnicity.WBRI,
        Religion.NONE,
        (("Kayden", M, 9.4, ()), ("Lacey", F, 6.7, ()), ("Ellis", M, 2.1, ())),
        (
            Episode("neglect", HV, (2,), O.EARLY_HELP, months=16),
            Episode("neglect", MILLBROOK, (0, 1), O.EARLY_HELP, months=10),
            Episode(
                "neglect",
                POLICE,
                (0, 1, 2),
                O.ASSESSMENT_S17,
                months=6,
                extra=(C.PARENTAL_ALCOHOL_MISUSE,),
            ),
            Episode(
                "neglect",
                MILLBROOK,
                (0, 1),
                O.OPEN_CASE,
                months=2.5,
                late=True,
                as_given={0: {"child_first_name": "Kaydon"}},
            ),
            Episode("neglect", MILLBROOK, (0, 1), hours=13, status=Status.AWAITING_DECISION),
        ),
    ),
    FamilySpec(
        "Merridew",
        "Castle Hill",
        "Leanne",
        "Gary Merridew",
        "Father",
        "",
        Ethnicity.WBRI,
        Religion.NOT_KNOWN,
        (("Tyler", M, 13.2, ("LD",)),),
        (
            Episode("neglect", NURSING, (0,), O.SIGNPOST, months=14),
            Episode("neglect", CASTLE_HILL, (0,), O.EARLY_HELP, months=9),
            Episode("neglect", GP, (0,), O.EARLY_HELP, months=5, as_given={0: {"swap_dob": True}}),
            Episode(
                "neglect", CASTLE_HILL, (0,), O.ASSESSMENT_S17, months=1, extra=(C.GOING_MISSING,)
            ),
            Episode("neglect", NURSING, (0,), hours=44, status=Status.SCREENING),
        ),
    ),
    FamilySpec(
        "Nettlefold",
        "Riverside",
        "Sophie",
        "Ryan Dunmere",
        "Father",
        "",
        Ethnicity.MWBC,
        Religion.NONE,
        (("Maisie", F, 4.3, ()), ("Alfie", M, 1.2, ())),
        (
            Episode(
                "neglect", HV, (0, 1), O.EARLY_HELP, months=11, extra=(C.PARENTAL_MENTAL_HEALTH,)
            ),
            Episode("neglect", GP, (1,), O.SIGNPOST, months=7),
            Episode("neglect", HV, (0, 1), O.ASSESSMENT_S17, months=3),
            Episode(
                "neglect",
                POLICE,
                (0, 1),
                hours=25.5,
                status=Status.AWAITING_DECISION,
                extra=(C.DOMESTIC_ABUSE,),
            ),
        ),
    ),
    FamilySpec(
        "Rookhurst",
        "Millbrook",
        "Kerry",
        "Lee Rookhurst",
        "Father",
        "On licence to Northshire Probation for supplying class A drugs.",
        Ethnicity.WBRI,
        Religion.NOT_KNOWN,
        (("Jayden", M, 7.5, ()),),
        (
            Episode("parental_drugs", PATHWAYS, (0,), O.EARLY_HELP, months=17),
            Episode("neglect", MILLBROOK, (0,), O.EARLY_HELP, months=8),
            Episode(
                "neglect",
                POLICE,
                (0,),
                O.STRATEGY_S47,
                months=4,
                immediate=True,
                extra=(C.PARENTAL_DRUG_MISUSE,),
            ),
        ),
    ),
    # Domestic abuse notifications that kept coming until one went to a strategy discussion.
    FamilySpec(
        "Saltmere",
        "Riverside",
        "Gemma",
        "Craig Saltmere",
        "Father",
        "Subject to a non-molestation order protecting Gemma Saltmere (Northshire Family "
        "Court); it bars him from the address.",
        Ethnicity.WBRI,
        Religion.CHRISTIAN,
        (("Ruby", F, 8.1, ()), ("Oscar", M, 5.6, ())),
        (
            Episode("domestic_abuse", POLICE, (0, 1), O.SIGNPOST, months=15),
            Episode("domestic_abuse", POLICE, (0, 1), O.EARLY_HELP, months=11),
            Episode(
                "domestic_abuse",
                PROBATION,
                (0, 1),
                O.ASSESSMENT_S17,
                months=4,
                as_given={0: {"child_last_name": "Saltmear"}},
            ),
            Episode("domestic_abuse", POLICE, (0, 1), O.STRATEGY_S47, months=0.7, immediate=True),
        ),
    ),
    FamilySpec(
        "Thistlecombe",
        "Castle Hill",
        "Rachel",
        "Mark Ellery",
        "Stepfather",
        "",
        Ethnicity.WBRI,
        Religion.NONE,
        (("Ava", F, 15.3, ()),),
        (
            Episode("self_harm", NURSING, (0,), O.SIGNPOST, months=9),
            Episode("self_harm", GP, (0,), O.ASSESSMENT_S17, months=2, extra=(C.EMOTIONAL_ABUSE,)),
        ),
    ),
    # Missing episodes that turned out to be criminal exploitation.
    FamilySpec(
        "Kestrelby",
        "Northfield",
        "Donna",
        "",
        "",
        "",
        Ethnicity.MWBC,
        Religion.NOT_KNOWN,
        (("Mason", M, 15.6, ()),),
        (
            Episode("missing", POLICE, (0,), O.EARLY_HELP, months=13),
            Episode(
                "missing",
                POLICE,
                (0,),
                O.STRATEGY_S47,
                months=7,
                extra=(C.CHILD_CRIMINAL_EXPLOITATION,),
            ),
            Episode(
                "cce",
                YJS,
                (0,),
                O.OPEN_CASE,
                months=5,
                as_given={0: {"child_last_name": "Kestrelbey"}},
            ),
            Episode("missing", POLICE, (0,), O.OPEN_CASE, months=1.4),
            Episode(
                "cce", POLICE, (0,), hours=21, status=Status.SCREENING, extra=(C.GOING_MISSING,)
            ),
        ),
    ),
    FamilySpec(
        "Underbrook",
        "Riverside",
        "Nicola",
        "",
        "",
        "",
        Ethnicity.WOTH,
        Religion.CHRISTIAN,
        (("Skye", F, 14.5, ()),),
        (
            Episode("cse", CASTLE_HILL, (0,), O.STRATEGY_S47, months=8, extra=(C.GOING_MISSING,)),
            Episode("missing", POLICE, (0,), O.OPEN_CASE, months=3),
        ),
    ),
    FamilySpec(
        "Wrenhollow",
        "Millbrook",
        "Hannah",
        "Tom Ashby",
        "Father",
        "",
        Ethnicity.WBRI,
        Religion.NONE,
        (("Isla", F, 1.0, ()),),
        (
            Episode("parental_mental_health", HV, (0,), O.EARLY_HELP, months=10),
            Episode(
                "parental_mental_health", GP, (0,), O.ASSESSMENT_S17, months=1, extra=(C.NEGLECT,)
            ),
        ),
    ),
    FamilySpec(
        "Pennywell",
        "Northfield",
        "Claire",
        "Steve Pennywell",
        "Father",
        "Alcohol dependent; has turned down treatment from Pathways twice.",
        Ethnicity.WBRI,
        Religion.NOT_KNOWN,
        (("Harvey", M, 11.2, ()), ("Poppy", F, 9.4, ())),
        (
            Episode("parental_alcohol", PATHWAYS, (0, 1), O.EARLY_HELP, months=14),
            Episode("parental_alcohol", None, (0, 1), O.ASSESSMENT_S17, months=6, phone=0),
        ),
    ),
    FamilySpec(
        "Oakmere",
        "Millbrook",
        "Jade",
        "Connor Hebden",
        "Mother's partner",
        "Known to police for violence towards a previous partner.",
        Ethnicity.MWAS,
        Religion.NOT_KNOWN,
        (("Leo", M, 6.4, ()),),
        (
            Episode("physical_abuse", MILLBROOK, (0,), O.ASSESSMENT_S17, months=7),
            Episode("physical_abuse", MILLBROOK, (0,), O.STRATEGY_S47, months=2, immediate=True),
        ),
    ),
    FamilySpec(
        "Quillbeck",
        "Castle Hill",
        "Joanne",
        "",
        "",
        "",
        Ethnicity.WBRI,
        Religion.NONE,
        (("Ellie", F, 12.6, ()),),
        (
            Episode("parental_mental_health", CASTLE_HILL, (0,), O.SIGNPOST, months=12.5),
            Episode("emotional_abuse", NURSING, (0,), O.EARLY_HELP, months=4),
        ),
    ),
)

# The rest of the open queue: (hours ago, status, decided after hours or None, scenario).
QUEUE = (
    (0.3, Status.RECEIVED, None, None),
    (1.2, Status.RECEIVED, None, "immediate"),
    (2.5, Status.RECEIVED, None, None),
    (4.0, Status.SCREENING, None, None),
    (7.0, Status.SCREENING, None, None),
    (8.0, Status.DECIDED, 2.0, "immediate"),
    (10.0, Status.AWAITING_DECISION, None, None),
    (16.5, Status.SCREENING, None, None),
    (20.4, Status.AWAITING_DECISION, None, None),
    (22.2, Status.RECEIVED, None, None),
    (23.3, Status.AWAITING_DECISION, None, None),
    (27.0, Status.SCREENING, None, None),
    (28.0, Status.DECIDED, 6.0, None),
    (30.0, Status.RECEIVED, None, "phone"),
    (33.0, Status.DECIDED, 20.0, None),
    (34.0, Status.AWAITING_DECISION, None, None),
    (40.0, Status.DECIDED, 23.0, None),
    (47.0, Status.DECIDED, 26.5, None),
    (50.0, Status.RECEIVED, None, None),
    (100.0, Status.RECEIVED, None, None),
    (150.0, Status.SCREENING, None, None),
)
