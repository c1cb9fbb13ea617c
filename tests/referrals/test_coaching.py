"""The coaching rules (referrals.coaching), with examples of good and poor referral text."""

from __future__ import annotations

import pytest

from referrals import coaching as c


def rules_for(field, text, *, agency="school", **context):
    return [p.rule for p in c.coach({field: text}, agency_type=agency, fields=(field,), **context)]


@pytest.mark.parametrize(
    "text",
    [
        "n/a",
        "N/A",
        "n/k",
        "NK",
        "none",
        "Unknown",
        "nil",
        "see above",
        "As above.",
        "-",
        "fine",
        "not seen",
        "  no  ",
    ],
)
@pytest.mark.parametrize("field", [c.WORRY, c.LIVED_EXPERIENCE, c.CHILD_VOICE])
def test_placeholders_are_refused_in_every_required_child_focused_field(field, text):
    assert rules_for(field, text) == [c.PLACEHOLDER]


@pytest.mark.parametrize(
    "field, text",
    [
        (c.CHILD_VOICE, "Pre-verbal baby"),
        (c.CHILD_VOICE, "Unborn"),
        (c.CHILD_VOICE, "Asleep when police attended"),
        (c.WORRY, "Bruise on cheek"),
    ],
)
def test_a_short_answer_with_substance_is_not_a_placeholder(field, text):
    assert c.PLACEHOLDER not in rules_for(field, text)


def test_blank_draws_no_prompt_the_form_says_it_is_required():
    assert c.coach({c.WORRY: "", c.CHILD_VOICE: "  "}, agency_type="police") == []


def test_the_placeholder_message_names_the_field_and_quotes_what_was_written():
    [prompt] = c.coach({c.CHILD_VOICE: "n/a"}, fields=(c.CHILD_VOICE,))
    assert prompt.refused
    assert prompt.message.startswith("What the child has said: “n/a”")


@pytest.mark.parametrize(
    "text, expected",
    [
        # Poor: one incident, children a word at the end.
        ("DV at address, kids present", [c.INCIDENT_ONLY, c.NO_CHILD_EXAMPLE]),
        ("DV incident at address, children present", [c.INCIDENT_ONLY, c.NO_CHILD_EXAMPLE]),
        (
            "Police attended last night after mum and her partner had a fight.",
            [c.INCIDENT_ONLY, c.ADULTS_ONLY],
        ),
        ("Mum is depressed and stays in bed all day, seems unable to cope", [c.ADULTS_ONLY]),
        ("Worried about the family's housing situation in general terms", [c.NO_CHILD_EXAMPLE]),
        # Good: the child at the centre, with history.
        (
            "Police attended a domestic incident last night; the third this year. Ava (7) was "
            "hiding under the stairs, crying, and said 'Daddy hurt mummy again'.",
            [],
        ),
        ("Came to school with no coat in the rain and said there was no food at home.", []),
        ("Leo has come to nursery hungry most days for months and seems withdrawn.", []),
    ],
)
def test_worry_prompts(text, expected):
    assert rules_for(c.WORRY, text, agency="police") == expected


def test_an_incident_told_alone_is_fine_when_the_history_says_it_is_a_pattern():
    texts = {c.WORRY: "DV at address, kids present", c.HISTORY: "Police called out many times"}
    rules = [p.rule for p in c.coach(texts, agency_type="police", fields=(c.WORRY,))]
    assert c.INCIDENT_ONLY not in rules


def test_an_incident_told_alone_is_fine_when_the_referrer_says_it_is_part_of_a_pattern():
    assert c.INCIDENT_ONLY not in rules_for(
        c.WORRY, "DV at address, kids present", pattern="pattern"
    )


def test_the_childs_name_makes_it_about_the_child():
    text = "Mum was shouting at Ava when I visited"
    assert c.ADULTS_ONLY in rules_for(c.LIVED_EXPERIENCE, text)
    assert c.ADULTS_ONLY not in rules_for(c.LIVED_EXPERIENCE, text, child_names=("Ava",))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("She is fine at home", [c.NO_CHILD_EXAMPLE]),
        ("Nothing of note was mentioned during the visit", [c.NO_CHILD_EXAMPLE]),
        ("Said: 'Mum stays in bed and I look after Leo.'", []),
        ("She told me she is scared to go home", []),
        ("Could not speak with him: he was asleep when officers attended", []),
        ("Too young to talk; smiled and settled with mum", []),
    ],
)
def test_child_voice_prompts(text, expected):
    assert rules_for(c.CHILD_VOICE, text) == expected


def test_the_three_houses_answer_the_childs_voice():
    assert rules_for(c.CHILD_VOICE, "She is fine at home", voice_houses=("", "My dog", "")) == []


def test_part_of_a_pattern_with_no_history_is_prompted():
    assert rules_for(c.HISTORY, "", pattern="pattern") == [c.PATTERN_WITHOUT_HISTORY]
    assert rules_for(c.HISTORY, "Late most days since September", pattern="pattern") == []
    assert rules_for(c.HISTORY, "", pattern="new") == []


@pytest.mark.parametrize(
    "agency, words",
    [
        ("police", "what did the children see, hear and say"),
        ("gp", "health history"),
        ("health_visiting", "your analysis"),
        ("school", "attendance"),
        ("housing", "Has anything like it happened before"),
        (None, "Has anything like it happened before"),
    ],
)
def test_incident_prompts_are_worded_for_the_agency(agency, words):
    [prompt, *_] = c.coach({c.WORRY: "DV at address, kids present"}, agency_type=agency)
    assert prompt.rule == c.INCIDENT_ONLY
    assert words.lower() in prompt.message.lower()


def test_police_are_asked_how_the_child_presented():
    prompts = c.coach({c.WORRY: "DV at address, kids present"}, agency_type="police")
    assert "how did they present" in prompts[1].message


@pytest.mark.parametrize(
    "key, still, explanation, expected",
    [
        ("worry:incident_only", set(), "", c.ACTED_ON),
        (
            "worry:incident_only",
            {"worry:incident_only"},
            "Attended at 2am; no history held",
            c.EXPLAINED,
        ),
        ("worry:incident_only", {"worry:incident_only"}, "   ", c.IGNORED),
        ("child_voice:no_child_example", {"child_voice:no_child_example"}, "", c.IGNORED),
    ],
)
def test_outcome_of_a_prompt_shown(key, still, explanation, expected):
    field = key.split(":")[0]
    assert c.outcome(key, still_shown=still, explanations={field: explanation}) == expected


POOR = {
    c.WORRY: "DV at address, kids present",
    c.LIVED_EXPERIENCE: "Mum drinks and her partner is violent to her",
    c.CHILD_VOICE: "Did not say anything about home",
    c.HISTORY: "",
}


@pytest.mark.parametrize("agency", ["police", "gp", "school", "housing", None])
def test_a_recorded_prompt_is_shown_again_in_the_words_the_referrer_read(agency):
    prompts = c.coach(POOR, agency_type=agency)
    prompts += c.coach({}, agency_type=agency, pattern="pattern", fields=(c.HISTORY,))
    assert {p.rule for p in prompts} == set(c.RULES) - {c.PLACEHOLDER}
    for prompt in prompts:
        assert c.prompt_wording(prompt.field, prompt.rule, agency) == prompt.message


def test_a_recorded_placeholder_or_unknown_rule_still_reads_as_words():
    assert c.prompt_wording(c.CHILD_VOICE, c.PLACEHOLDER).startswith("What the child has said:")
    assert c.prompt_wording(c.WORRY, "retired_rule") == "retired_rule"
