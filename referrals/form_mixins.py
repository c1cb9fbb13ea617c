"""What every Front Door form shares, whichever app it is in: its input cleaned of control
and invisible characters before any field sees it (core.text), GOV.UK classes on its
widgets, a date and a time read as one moment, and a service's DomainError put on the
form beside its fields."""

from __future__ import annotations

from django import forms
from django.utils.datastructures import MultiValueDict

from core.exceptions import DomainError
from core.form_messages import name_field_errors
from core.text import clean_text
from referrals.widgets import local_datetime


def is_multiline(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def clean_form_data(data, *, multiline: set[str]):
    """A copy of a form's input with every value passed through ``core.text.clean_text``:
    multi-line for the keys in ``multiline``, one-line for the rest (names, numbers,
    choices, the parts of a date). Keeps the shape: a QueryDict or MultiValueDict becomes
    a MultiValueDict, a dict stays a dict."""

    def clean(key, value):
        return clean_text(value, multiline=key in multiline) if isinstance(value, str) else value

    if hasattr(data, "lists"):
        return MultiValueDict(
            {key: [clean(key, value) for value in values] for key, values in data.lists()}
        )
    return {
        key: [clean(key, v) for v in value] if isinstance(value, list) else clean(key, value)
        for key, value in data.items()
    }


class CleanTextFormMixin:
    """Strips control, bidirectional-override and zero-width characters from everything
    a form is given, before any field sees it (core.text): a textarea keeps its line
    breaks and tabs, every other field is one line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = clean_form_data(
                self.data,
                multiline={self.add_prefix(n) for n, f in self.fields.items() if is_multiline(f)},
            )


class GovukFormMixin(CleanTextFormMixin):
    """Adds GOV.UK classes to widgets, by widget type, and puts a service's DomainError
    on the form: each message beside its field, or at the top where no field matches."""

    # service error key -> form field, where they differ
    error_fields: dict[str, str] = {}
    # Django's own messages ("This field is required.", "Select a valid choice. ...")
    # replaced by ones naming the field (core.form_messages), where the field has none
    # of its own: the forms whose error summary lists several fields set this.
    name_errors = False
    # cleaned name -> (date field, time field): a date and a typed time read together as
    # one moment in UK local time (widgets.local_datetime), e.g. {"due_at": ("due_date",
    # "due_time")}; absent from cleaned_data while either is missing or unreadable
    moments: dict[str, tuple[str, str]] = {}

    def clean(self):
        cleaned = super().clean()
        for name, (date_field, time_field) in self.moments.items():
            moment = local_datetime(self, date_field=date_field, time_field=time_field)
            if moment is not None:
                cleaned[name] = moment
        return cleaned

    def add_domain_errors(self, error: DomainError) -> None:
        for key, messages in error.errors.items():
            name = self.error_fields.get(key, key)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.name_errors:
            name_field_errors(self.fields.values())
        for field in self.fields.values():
            widget = field.widget
            css = {
                forms.Textarea: "govuk-textarea",
                forms.Select: "govuk-select",
                forms.TextInput: "govuk-input",
                forms.EmailInput: "govuk-input",
            }
            for kind, klass in css.items():
                if type(widget) is kind:
                    widget.attrs.setdefault("class", klass)
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 6)
