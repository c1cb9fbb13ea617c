"""Coaching while a referral is written: the rules and their wording, in one place.

Pure Python (no Django), so the rules are easy to read, to test with tables of real-looking
referral text, and to run on every keystroke pause.

For each child-focused narrative field the rules find:

- a **placeholder** ("n/a", "n/k", "none", "see above", or fewer than ``MIN_WORDS``
  words): *refused*, with a message naming the field. A referral cannot be sent with one;
- an **incident-only** account: incident words ("DV", "attended", "last night") and no
  word of history or pattern ("before", "again", "for months"), while nothing elsewhere
  in the referral speaks of a pattern;
- text that speaks **only of adults** (mum, stepdad, partner...) and never of the child;
- **no example of the child**: nothing the child said, nor how they seem or presented;
- for "is this new or part of a pattern?" answered "part of a pattern", **no history**
  written.

All but placeholders are *prompts*: the referrer may answer them (change the text so the
prompt clears) or explain why they cannot, and go on. They never stop a referral being
sent, least of all an urgent one. Prompts are worded for the referrer's agency type: a
police officer is asked what the children saw, heard and said and how they presented; a
health professional for their analysis and the health history; a school for attendance,
presentation and what the child said.

The word lists are deliberately plain: a prompt that fires wrongly costs the referrer a
glance, and one that never fires costs the child. Change the lists here, and add the
case that made you change them to tests/referrals/test_coaching.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Fields coached, in the order they appear in the form.
WORRY = "worry"
LIVED_EXPERIENCE = "lived_experience"
CHILD_VOICE = "child_voice"
HISTORY = "history_and_pattern"
COACHED_FIELDS = (WORRY, LIVED_EXPERIENCE, CHILD_VOICE, HISTORY)
# Required narrative fields, where a placeholder is refused.
REFUSE_PLACEHOLDERS_IN = (WORRY, LIVED_EXPERIENCE, CHILD_VOICE)

FIELD_NAMES = {
    WORRY: "What you are worried about",
    LIVED_EXPERIENCE: "What a day is like for the child",
    CHILD_VOICE: "What the child has said",
    HISTORY: "What has happened before",
}

# Rule codes, stored with each prompt shown (referrals.CoachingPrompt.rule).
PLACEHOLDER = "placeholder"
INCIDENT_ONLY = "incident_only"
ADULTS_ONLY = "adults_only"
NO_CHILD_EXAMPLE = "no_child_example"
PATTERN_WITHOUT_HISTORY = "pattern_without_history"
RULES = (PLACEHOLDER, INCIDENT_ONLY, ADULTS_ONLY, NO_CHILD_EXAMPLE, PATTERN_WITHOUT_HISTORY)
RULE_NAMES = {
    PLACEHOLDER: "Placeholder refused",
    INCIDENT_ONLY: "Incident only, no history",
    ADULTS_ONLY: "Speaks only of adults",
    NO_CHILD_EXAMPLE: "No example of the child",
    PATTERN_WITHOUT_HISTORY: "Pattern with no history",
}

# Fewer words than this is a placeholder, not an answer ("not seen", "fine").
MIN_WORDS = 3

PLACEHOLDERS = {
    "n/a", "na", "n.a", "n/k", "nk", "n.k", "none", "nil", "unknown", "not known",
    "no", "nothing", "nothing known", "none known", "not applicable", "see above",
    "as above", "see below", "tbc", "tba", "to follow", "-", "--", ".", "?", "x", "same",
    "same as above", "no comment", "dk", "don't know", "dont know", "not sure",
}  # fmt: skip

# Why a child's words could not be gathered: a reason, not a placeholder, however short.
VOICE_REASONS = re.compile(
    r"\b(baby|babies|unborn|newborn|infant|pre-?verbal|non-?verbal|too young|"
    r"asleep|not (?:yet )?(?:seen|spoken|present|safe|able)|"
    r"(?:could|can|did|was|were)(?:n't| not) (?:be )?(?:speak|talk|ask|see|seen|safe)|"
    r"wasn't safe|no opportunity|does not speak|doesn't speak|interpreter)\b",
    re.IGNORECASE,
)

# The few words that say why in a word or two ("pre-verbal baby", "unborn").
SHORT_VOICE_REASONS = re.compile(
    r"\b(baby|babies|unborn|newborn|infant|pre-?verbal|non-?verbal|too young|asleep)\b",
    re.IGNORECASE,
)

INCIDENT_WORDS = re.compile(
    r"\b(incident|dv|da|domestic|assault\w*|attend\w*|arrest\w*|police (?:were )?called|"
    r"call(?:ed)? out|fight|fighting|argument|row|hit|punch\w*|slapp?\w*|kick\w*|"
    r"injur\w*|bruis\w*|last night|yesterday|today|tonight|this morning|earlier|"
    r"at (?:the )?address|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"report(?:ed|s)?|occurrence)\b",
    re.IGNORECASE,
)
PATTERN_WORDS = re.compile(
    r"\b(before|previous\w*|prior|again|often|always|usually|repeated\w*|history|"
    r"pattern|ongoing|regular\w*|frequent\w*|every|several|many times|weeks|months|years|"
    r"since|chronic|persist\w*|second|third|fourth|fifth|times|this year|recurr\w*|known to|"
    r"escalat\w*|continu\w*|"
    r"last (?:week|month|year|term)|for some time|over time|increasing\w*)\b",
    re.IGNORECASE,
)
ADULT_WORDS = re.compile(
    r"\b(mum|mother|mam|dad|father|parents?|step-?(?:mum|dad|father|mother)|carers?|"
    r"partner|boyfriend|girlfriend|husband|wife|adults?|uncle|aunt|grand\w+|"
    r"perpetrator|suspect|victim|couple|man|woman)\b",
    re.IGNORECASE,
)
CHILD_WORDS = re.compile(
    r"\b(child|children|child's|children's|kids?|son|daughter|baby|babies|boy|girl|"
    r"toddler|infant|teen\w*|young person|yp|pupil|student|sibling\w*|brother|sister|"
    r"twins?|unborn|newborn|[0-9]+ ?(?:yo|year|yr|month)s?(?:[- ]old)?)\b",
    re.IGNORECASE,
)
# What the child said: a quotation or a telling verb.
SAID_WORDS = re.compile(
    r"(['\"\u2018\u201c].{3,}['\"\u2019\u201d])|"
    r"\b(said|says|saying|told|tells|telling|disclos\w*|replied|"
    r"in (?:his|her|their) (?:own )?words)\b",
    re.IGNORECASE,
)
# How the child seems or presented.
PRESENTATION_WORDS = re.compile(
    r"\b(seem\w*|appear\w*|presented|presenting|presentation|look\w*|quiet|withdrawn|upset|tearful|scared|"
    r"frightened|afraid|anxious|happy|smil\w*|laugh\w*|hungry|tired|exhausted|"
    r"dirty|unkempt|smell\w*|thin|distress\w*|angry|calm|flinch\w*|clingy|cri\w*|cry\w*|"
    r"hiding|hid|wet|soiled|sad|lonely|shy|nervous|wary|settled|unsettled|"
    r"late|absent|attendance|missed)\b",
    re.IGNORECASE,
)
# Where the child is clearly the subject even without a noun for them.
CHILD_SETTING_WORDS = re.compile(
    r"\b(school|nursery|class|classroom|lesson\w*|playground|bedtime|breakfast|lunch|"
    r"uniform|homework|bedroom|cot)\b",
    re.IGNORECASE,
)


def _has_child_example(text: str) -> bool:
    return bool(SAID_WORDS.search(text) or PRESENTATION_WORDS.search(text))


# Agency types (agencies.census.AgencyType values) by how prompts are worded.
POLICE = "police"
HEALTH = "health"
EDUCATION = "education"
OTHER = "other"
AGENCY_GROUPS = {
    "police": POLICE,
    "gp": HEALTH,
    "health_visiting": HEALTH,
    "school_nursing": HEALTH,
    "hospital": HEALTH,
    "camhs": HEALTH,
    "adult_mental_health": HEALTH,
    "dentist": HEALTH,
    "substance_misuse": HEALTH,
    "school": EDUCATION,
    "early_years": EDUCATION,
}


def agency_group(agency_type: str | None) -> str:
    return AGENCY_GROUPS.get(agency_type or "", OTHER)


# The wording: (rule, agency group) -> what the referrer reads. OTHER is the fallback.
WORDING: dict[tuple[str, str], str] = {
    (PLACEHOLDER, OTHER): (
        "{field}: “{text}” is not enough for the front door to act on. Write what you "
        "know in a sentence or two, even if it is that you do not know and why."
    ),
    (INCIDENT_ONLY, POLICE): (
        "This describes the incident. What did the children see, hear and say, and how "
        "did they present? Has the household been known to police before?"
    ),
    (INCIDENT_ONLY, HEALTH): (
        "This describes one event. What is the health history (missed appointments, "
        "injuries, growth, development), and what is your analysis of what it means for "
        "the child?"
    ),
    (INCIDENT_ONLY, EDUCATION): (
        "This describes one event. Is it new, or part of a pattern: attendance, "
        "lateness, how the child has come to school, what they have said before?"
    ),
    (INCIDENT_ONLY, OTHER): (
        "This describes one event. Has anything like it happened before, how often, and "
        "what has been tried? Patterns of neglect are missed when each event is seen alone."
    ),
    (ADULTS_ONLY, POLICE): (
        "This is about the adults. Where were the children, what did they see and hear, "
        "and what did they say?"
    ),
    (ADULTS_ONLY, HEALTH): (
        "This is about the adults. What does it mean for the child's health and care, "
        "and how did the child seem?"
    ),
    (ADULTS_ONLY, EDUCATION): (
        "This is about the adults. What does it mean for the child at school: how they "
        "arrive, how they seem, what they have said?"
    ),
    (ADULTS_ONLY, OTHER): (
        "This is about the adults. What does it mean for the child, day to day?"
    ),
    (NO_CHILD_EXAMPLE, POLICE): (
        "Give an example of the child: what did they say, and how did they present "
        "(for example calm, distressed, hiding, injured)?"
    ),
    (NO_CHILD_EXAMPLE, HEALTH): (
        "Give an example of the child: how they seemed when you saw them, what they or "
        "their parent said, and your own analysis of what it means."
    ),
    (NO_CHILD_EXAMPLE, EDUCATION): (
        "Give an example of the child: what they said (in their words if you can), how "
        "they came to school, and how they seem in class."
    ),
    (NO_CHILD_EXAMPLE, OTHER): (
        "Give an example of the child: what they said, in their own words if you can, "
        "or how they seemed when you saw them."
    ),
    (PATTERN_WITHOUT_HISTORY, OTHER): (
        "You said this is part of a pattern: say what has happened before, how often, "
        "and what has been tried."
    ),
}
# The voice field asks for words or the reason there are none.
VOICE_WORDING = {
    POLICE: (
        "What did the child say, in their own words? If you could not speak with them, "
        "say why (for example asleep, too young, or not safe to ask in front of the adults)."
    ),
    HEALTH: (
        "What did the child say, in their own words? If they could not tell you, say why "
        "(for example pre-verbal), and how they seemed during your contact."
    ),
    EDUCATION: ("What did the child say, in their own words? Quote them if you can."),
    OTHER: ("What did the child say, in their own words? If you could not ask them, say why."),
}


@dataclass(frozen=True)
class Prompt:
    field: str
    rule: str
    message: str

    @property
    def refused(self) -> bool:
        return self.rule == PLACEHOLDER

    @property
    def key(self) -> str:
        return f"{self.field}:{self.rule}"


def words(text: str) -> list[str]:
    return re.findall(r"[\w'’]+", text or "")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().lower()).strip(" .!")


def is_placeholder(text: str, *, field: str = "") -> bool:
    """A stand-in rather than an answer: a known placeholder, or too few words. Blank is
    not a placeholder (the form's 'required' says that). A short reason why the child's
    words could not be gathered ("pre-verbal baby") is an answer."""
    cleaned = _normalise(text)
    if not cleaned:
        return False
    if cleaned in PLACEHOLDERS or (text or "").strip() in PLACEHOLDERS:
        return True
    if field == CHILD_VOICE and SHORT_VOICE_REASONS.search(text):
        return False
    return len(words(cleaned)) < MIN_WORDS


def placeholder_message(field: str, text: str) -> str:
    shown = (text or "").strip()
    if len(shown) > 40:
        shown = shown[:40] + "…"
    return WORDING[(PLACEHOLDER, OTHER)].format(field=FIELD_NAMES[field], text=shown)


def _wording(rule: str, group: str) -> str:
    return WORDING.get((rule, group)) or WORDING[(rule, OTHER)]


def prompt_wording(field: str, rule: str, agency_type: str | None = None) -> str:
    """What the referrer read for ``rule`` on ``field``, worded for ``agency_type``: how
    a recorded prompt (referrals.CoachingPrompt) is shown again to the front door beside
    the referrer's explanation. A placeholder's wording quoted the text, which is not
    kept, so it is given without it; a rule no longer known, by its code."""
    group = agency_group(agency_type)
    if rule == PLACEHOLDER:
        name = FIELD_NAMES.get(field, field)
        return f"{name}: a placeholder is not enough for the front door to act on."
    if field == CHILD_VOICE and rule == NO_CHILD_EXAMPLE:
        return VOICE_WORDING[group]
    if (rule, OTHER) not in WORDING:
        return RULE_NAMES.get(rule, rule)
    return _wording(rule, group)


def _has_pattern(text: str) -> bool:
    return bool(PATTERN_WORDS.search(text or ""))


def _mentions_child(text: str, child_names: tuple[str, ...]) -> bool:
    if CHILD_WORDS.search(text):
        return True
    lowered = {w.lower() for w in words(text)}
    return any(name.lower() in lowered for name in child_names if name)


def coach(
    texts: dict[str, str],
    *,
    agency_type: str | None = None,
    child_names: tuple[str, ...] = (),
    pattern: str = "",
    voice_houses: tuple[str, ...] = (),
    fields: tuple[str, ...] = COACHED_FIELDS,
) -> list[Prompt]:
    """The prompts for ``fields`` of a referral whose narrative is ``texts`` (field ->
    text; other fields give context: a worry told as one incident is fine when the
    history field describes the pattern). ``pattern`` is the answer to "is this new or
    part of a pattern?" ("new", "pattern", "dont_know" or ""); ``voice_houses`` what the
    child said in the three houses. Blank fields get no prompts (the form's own
    "required" speaks for them)."""
    group = agency_group(agency_type)
    prompts: list[Prompt] = []
    history = texts.get(HISTORY, "")
    houses_given = any((h or "").strip() for h in voice_houses)
    for field in fields:
        text = (texts.get(field) or "").strip()
        if field == HISTORY:
            if pattern == "pattern" and not text:
                prompts.append(
                    Prompt(field, PATTERN_WITHOUT_HISTORY, _wording(PATTERN_WITHOUT_HISTORY, group))
                )
            continue
        if not text:
            continue
        if field in REFUSE_PLACEHOLDERS_IN and is_placeholder(text, field=field):
            prompts.append(Prompt(field, PLACEHOLDER, placeholder_message(field, text)))
            continue
        if (
            field == WORRY
            and INCIDENT_WORDS.search(text)
            and not _has_pattern(text)
            and not _has_pattern(history)
            and pattern != "pattern"
        ):
            prompts.append(Prompt(field, INCIDENT_ONLY, _wording(INCIDENT_ONLY, group)))
        if field in (WORRY, LIVED_EXPERIENCE):
            if (
                ADULT_WORDS.search(text)
                and not _mentions_child(text, child_names)
                and not SAID_WORDS.search(text)
                and not CHILD_SETTING_WORDS.search(text)
            ):
                prompts.append(Prompt(field, ADULTS_ONLY, _wording(ADULTS_ONLY, group)))
            elif not _has_child_example(text):
                prompts.append(Prompt(field, NO_CHILD_EXAMPLE, _wording(NO_CHILD_EXAMPLE, group)))
        if (
            field == CHILD_VOICE
            and not houses_given
            and not _has_child_example(text)
            and not VOICE_REASONS.search(text)
        ):
            prompts.append(Prompt(field, NO_CHILD_EXAMPLE, VOICE_WORDING[group]))
    return prompts


# How a prompt ended, once the referral was sent (referrals.CoachingPrompt.outcome).
ACTED_ON = "acted_on"
EXPLAINED = "explained"
IGNORED = "ignored"


def outcome(prompt_key: str, *, still_shown: set[str], explanations: dict[str, str]) -> str:
    """What became of a prompt shown while writing: it no longer fires on the text sent
    (acted on); it still fires but the referrer explained, for that field, why they
    could not say more (explained); or neither (ignored)."""
    if prompt_key not in still_shown:
        return ACTED_ON
    field = prompt_key.split(":", 1)[0]
    if (explanations.get(field) or "").strip():
        return EXPLAINED
    return IGNORED
