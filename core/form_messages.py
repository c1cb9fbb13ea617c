"""Messages that name their field, in place of Django's own that do not ("This field is
required.", "Ensure this value has at most 6000 characters (it has 6001).", "Null
characters are not allowed."): in an error summary listing several, a message has to say
which answer it is about.

Pure (no Django): it reads a form field's ``label``, ``error_messages`` and class. The
forms of the referral form and the screening page ask for it (``name_errors`` on
``referrals.form_mixins.GovukFormMixin``), the change-password and "Confirm it is you"
forms call ``name_field_errors`` themselves. A message a field was given on purpose is
kept.
"""

from __future__ import annotations

OPTIONAL = " (optional)"


def _label(field, name: str = "") -> str:
    return str(field.label or name or "This answer").removesuffix(OPTIONAL)


def _is_default(field, code: str) -> bool:
    """Whether the field's message for ``code`` is its class's own (or it has none)."""
    message = field.error_messages.get(code)
    if message is None:
        return True
    return any(
        getattr(kind, "default_error_messages", {}).get(code) == message
        for kind in type(field).__mro__
    )


def named_messages(label: str) -> dict[str, str]:
    lowered = label[:1].lower() + label[1:]
    return {
        "required": f"Enter the {lowered}" if not label.endswith("?") else f"Answer: {label}",
        # Formatted by Django with the validator's limit and the length sent.
        "max_length": f"{label}: %(limit_value)d characters at most (you entered %(show_value)d)",
        "min_length": f"{label}: %(limit_value)d characters at least (you entered %(show_value)d)",
        "null_characters_not_allowed": f"{label}: a null character cannot be used here",
        "invalid_choice": f"{label}: choose one of the options given",
    }


def name_field_errors(fields) -> None:
    """Give each field a message naming it for every code it has no message of its own
    for."""
    for field in fields:
        for code, message in named_messages(_label(field)).items():
            if _is_default(field, code):
                field.error_messages[code] = message
