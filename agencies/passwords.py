"""A password validator that estimates how many guesses a password would take (zxcvbn),
knowing the words an attacker would try first here: Front Door's and the council's own
(PASSWORD_LOCAL_WORDS), and the person's username, names, email and agency."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's work grows quickly with length; what lies past this adds strength anyway.
ESTIMATE_LENGTH = 72
SEPARATORS = re.compile(r"[\W_]+")


def local_words(user=None) -> list[str]:
    words = [word.lower() for word in settings.PASSWORD_LOCAL_WORDS]
    if user is not None:
        for value in (
            getattr(user, "username", ""),
            getattr(user, "first_name", ""),
            getattr(user, "last_name", ""),
            getattr(user, "email", ""),
        ):
            words.extend(part for part in SEPARATORS.split(str(value or "").lower()) if part)
        agency = getattr(user, "agency", None) if getattr(user, "agency_id", None) else None
        if agency is not None:
            words.extend(part for part in SEPARATORS.split(agency.name.lower()) if part)
    return [word for word in dict.fromkeys(words) if len(word) >= 3]


def _without_local_words(result: dict, text: str) -> str:
    """The text with the parts zxcvbn matched to a local word taken out."""
    keep = [True] * len(text)
    for match in result["sequence"]:
        if match.get("dictionary_name") == "user_inputs":
            for index in range(match["i"], match["j"] + 1):
                keep[index] = False
    return "".join(char for char, kept in zip(text, keep, strict=True) if kept)


def estimate(password: str, user=None) -> dict:
    """zxcvbn's result for the weakest reading of the password: as typed; with its
    separators taken out and in lower case ("Northshire-Front-Door" is three local words
    whatever joins them, where zxcvbn alone counts each hyphen as guesses of its own); and
    with the local words taken out, since an attacker who knows whose account it is tries
    them first (what is left must be hard to guess on its own). ``local_words`` in the
    result says whether it leans on them."""
    words = local_words(user)
    typed = zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=words)
    weakest = typed
    squeezed = SEPARATORS.sub("", password).lower()[:ESTIMATE_LENGTH]
    if squeezed and squeezed != password:
        plain = zxcvbn(squeezed, user_inputs=words)
        if plain["guesses"] < weakest["guesses"]:
            weakest = plain
    else:
        plain = typed
    rest = _without_local_words(plain, squeezed)
    leans = rest != squeezed
    if leans:
        remainder = (
            zxcvbn(rest, user_inputs=words)
            if rest
            else {"score": 0, "guesses": 0, "feedback": {}, "sequence": []}
        )
        if remainder["guesses"] < weakest["guesses"]:
            weakest = remainder
    return {**weakest, "local_words": leans}


class StrengthValidator:
    """Refuses a password zxcvbn scores below ``min_score`` (0 to 4; 3 means at least
    10^8 guesses), saying why in plain words."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        result = estimate(password, user)
        if result["score"] >= self.min_score:
            return
        reasons = ["This password is too easy to guess."]
        if result["local_words"]:
            reasons.append(
                "It is built on words people would try first here: your name, username or "
                "email, your agency, the council or Front Door."
            )
        warning = result["feedback"].get("warning")
        if warning:
            reasons.append(warning)
        reasons.append(
            "Use three or four unrelated words, or a longer mix of words, numbers and symbols."
        )
        raise ValidationError(" ".join(reasons), code="password_too_guessable")

    def get_help_text(self) -> str:
        return (
            "Your password must not be easy to guess: not built on your name, username, "
            "agency, the council or Front Door, and not a common word or pattern. Three or "
            "four unrelated words work well."
        )


class MaximumLengthValidator:
    """Refuses a password longer than ``max_length`` characters (128: ASVS 2.1.2 allows
    64 and more, and no more than 128). Long passphrases are welcome up to there; past it,
    hashing an attacker's megabyte-long "password" is work for nobody's benefit."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: use at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long."


# What the strength meter says for each zxcvbn score (0 to 4).
STRENGTH_LABELS = ("Very weak", "Weak", "Fair", "Strong", "Very strong")


@dataclass(frozen=True)
class Strength:
    """What the password meter on the change-password page shows while a person types:
    zxcvbn's score, and whether the password would be accepted, with every reason it
    would not (all of AUTH_PASSWORD_VALIDATORS, so the meter never says "accepted" for a
    password the form then refuses)."""

    score: int
    label: str
    accepted: bool
    reasons: tuple[str, ...]


def strength(password: str, user=None) -> Strength:
    from django.contrib.auth.password_validation import validate_password

    score = estimate(password, user)["score"] if password else 0
    try:
        validate_password(password, user)
    except ValidationError as error:
        reasons = tuple(dict.fromkeys(error.messages))
    else:
        reasons = ()
    return Strength(score, STRENGTH_LABELS[score], not reasons, reasons)
