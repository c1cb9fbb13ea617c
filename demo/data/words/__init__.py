"""What referrers write: for each kind of concern, the templates a referral's narrative is
composed from, with the ages each fits. ``{name}``, ``{their}``, ``{them}``, ``{they}``,
``{mother}`` and ``{adult}`` are filled in for each child. Everything here is invented.

The scenarios are kept by theme (``at_home``, ``abuse``, ``outside_home``); ``SCENARIOS``
puts them in the one order the demo's random choices are made in, so that the same seed
still gives the same referrals."""

from __future__ import annotations

from demo.data.cast import CASTLE_HILL, GP, MILLBROOK, NURSING, POLICE, PROBATION
from demo.data.words.abuse import ABUSE
from demo.data.words.at_home import AT_HOME
from demo.data.words.outside_home import OUTSIDE_HOME
from demo.data.words.scenario import Scenario, Text

__all__ = [
    "BABY_VOICES",
    "EXTRA_DETAIL",
    "HISTORY_FIRST",
    "KNOWN_RISKS",
    "NOT_SOUGHT_REASONS",
    "SCENARIOS",
    "SIBLING_SCENARIOS",
    "VOICE_NOT_GATHERED",
    "WORKING_WELL",
    "Scenario",
    "Text",
]

_ORDER = (
    "neglect",
    "domestic_abuse",
    "parental_mental_health",
    "parental_alcohol",
    "parental_drugs",
    "physical_abuse",
    "emotional_abuse",
    "cse",
    "cce",
    "missing",
    "self_harm",
    "fgm",
    "radicalisation",
    "faith_or_belief",
    "sexual_abuse",
    "pre_birth",
)
_BY_THEME = {**AT_HOME, **ABUSE, **OUTSIDE_HOME}
if sorted(_BY_THEME) != sorted(_ORDER):
    raise ImportError("A scenario is missing from _ORDER or from its theme's module.")
SCENARIOS: dict[str, Scenario] = {key: _BY_THEME[key] for key in _ORDER}
SIBLING_SCENARIOS = [k for k, s in SCENARIOS.items() if s.siblings]

BABY_VOICES = (
    "{name} is too young to say. On my visit {name} was quiet and watchful, did not babble or "
    "reach for {their} mother, and settled only when held.",
    "{name} is a baby and cannot tell us. {name} was in a heavily soiled nappy and fed hungrily "
    "when a fresh bottle was made up.",
    "{name} is too young to talk. {name} smiled and babbled with {their} mother and made good "
    "eye contact, which was good to see.",
    "{name} is not yet talking. {name} flinched and cried when a door slammed and clung to "
    "{their} mother for the rest of the visit.",
    "{name} is too young to give a view; {name} was asleep throughout and I could not see "
    "{them} awake or undressed.",
)
VOICE_NOT_GATHERED = (
    "{name} has not been asked about this yet because {their} father was present; the "
    "designated safeguarding lead will speak to {name} tomorrow with a familiar adult.",
    "We have not spoken to {name} about this, so as not to lead {them} before a strategy "
    "discussion. {name} seemed quiet and did not want to go out at break.",
)
HISTORY_FIRST = (
    Text("No previous concerns known to us."),
    Text(
        "We have had low-level worries since September (late collections, unwashed uniform), "
        "recorded on our system but not referred before.",
        lo=4,
        by=(MILLBROOK, CASTLE_HILL),
    ),
    Text("{mother} asked for help with housing in the spring; no other involvement known."),
    Text("Police attended a verbal argument at the address last year; no further action."),
    Text(
        "Known to the health visiting service as a universal family; no concerns until recently.",
        hi=4,
    ),
    Text("This is new: until this term {name} was settled and doing well.", lo=4),
    Text("The family moved here from another authority last year; we do not know their history."),
)
WORKING_WELL = (
    "{mother} loves {name} and wants things to be better; she has kept every appointment with "
    "us this term.",
    "{name} goes to school every day and has a good relationship with {their} class teacher.",
    "Maternal grandmother lives nearby, sees {name} most days and is a safe adult {name} trusts.",
    "{name} loves football and the coach is a positive adult in {their} life.",
    "{mother} was open with us about the difficulties and asked for help herself.",
    "On my visit there was food in the cupboards, the heating was on and {name} has {their} "
    "own bed.",
    "{name} has a close group of friends and enjoys art club.",
    "An aunt has offered to have {name} to stay at weekends.",
    "{mother} has seen her GP and started counselling.",
    "Not much is working well at the moment; the family have turned down support twice.",
)
# A sentence a referrer may add to the worry (or not).
EXTRA_DETAIL = (
    Text("This has happened at least three times since Christmas."),
    Text("Other staff have noticed the same thing.", by=(MILLBROOK, CASTLE_HILL, NURSING, GP)),
    Text("{name}'s attendance has fallen to 84%.", lo=5, by=(MILLBROOK, CASTLE_HILL, NURSING)),
    Text(""),
    Text(""),
)
NOT_SOUGHT_REASONS = (
    Text(
        "Speaking to the parents first could put {name} at greater risk before a strategy "
        "discussion."
    ),
    Text(
        "Police notification after an incident: information is shared without consent where "
        "a child may be at risk of harm.",
        by=(POLICE,),
    ),
    Text(
        "{name} asked us not to tell {their} parents yet; we explained that we have to share "
        "this to keep {them} safe.",
        lo=8,
    ),
    Text(
        "Made out of hours and the parents could not be reached; they will be told tomorrow.",
        by=(POLICE, PROBATION),
    ),
)
KNOWN_RISKS = (
    "Subject to a non-molestation order protecting {mother} (Northshire Family Court); it "
    "bars him from the address.",
    "On licence to Northshire Probation after a conviction for assault; licence conditions "
    "include not contacting a previous partner.",
    "Known to police for domestic abuse towards a previous partner.",
    "Bail conditions not to attend the address until the court hearing.",
    "Alcohol dependent; has turned down treatment from Pathways twice.",
)
