"""The shapes of what referrers write: a template with the ages it fits, and a scenario (a
kind of concern) with its templates, who refers it and how it tends to end."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    """A template, the ages it fits (-1 is unborn) and any concerns it brings with it."""

    text: str
    lo: int = -1
    hi: int = 17
    concerns: tuple[str, ...] = ()
    by: tuple[str, ...] = ()  # only these agencies write it (any, when empty)


@dataclass(frozen=True)
class Scenario:
    weight: int
    ages: tuple[int, int]
    agencies: dict[str, int]
    concerns: tuple[str, ...]
    summary: str
    gist: str
    worries: tuple[Text, ...]
    lived: tuple[Text, ...]
    voices: tuple[Text, ...]
    next_steps: tuple[str, ...]
    outcomes: dict[str, int]
    extra: dict[str, float] = field(default_factory=dict)
    consent: dict[str, int] = field(
        default_factory=lambda: {
            "consented": 50,
            "aware_not_consented": 25,
            "not_aware": 15,
            "not_sought": 10,
        }
    )
    immediate: float = 0.0
    female: float = 0.5
    needs_adult: bool = False
    siblings: bool = False
    signpost: str = "the Family Hub's drop-in and parenting courses"
