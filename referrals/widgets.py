"""Form fields and widgets in the GOV.UK Design System's shapes."""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class DateInputWidget(forms.MultiWidget):
    """GOV.UK date input: day, month and year boxes."""

    template_name = "_components/widgets/date_input.html"

    def __init__(self, attrs=None):
        widgets = {
            "day": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            "month": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            "year": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-4",
                }
            ),
        }
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base_id = (attrs or {}).get("id") or self.attrs.get("id")
        if base_id:
            for suffix, subwidget in zip(
                ("day", "month", "year"), context["widget"]["subwidgets"], strict=True
            ):
                subwidget["attrs"]["id"] = f"{base_id}_{suffix}"
        return context

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [parsed.day, parsed.month, parsed.year]
        return [None, None, None]


class DateField(forms.MultiValueField):
    widget = DateInputWidget

    def __init__(self, *, label_for_errors: str, **kwargs):
        self.label_for_errors = label_for_errors
        fields = (
            forms.CharField(max_length=2),
            forms.CharField(max_length=2),
            forms.CharField(max_length=4),
        )
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, **kwargs)

    def clean(self, value):
        label = self.label_for_errors[0].upper() + self.label_for_errors[1:]
        not_real = ValidationError(f"{label} must be a real date", code="invalid")
        parts = [str(v or "").strip() for v in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter {self.label_for_errors}", code="required")
            return None
        names = ("a day", "a month", "a year")
        missing = [names[i] for i, part in enumerate(parts) if not part]
        if missing:
            raise ValidationError(
                f"{label} must include {' and '.join(missing)}", code="incomplete"
            )
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise not_real
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except (ValueError, OverflowError):  # a day or month of 30 digits overflows
            raise not_real from None

    def compress(self, data_list):  # clean() does the work
        return data_list


def parse_time(value: str) -> time | None:
    value = (value or "").strip().lower().replace(".", ":")
    for fmt in ("%H:%M", "%H%M", "%I:%M%p", "%I%p", "%I:%M %p", "%I %p"):
        try:
            return datetime.strptime(value, fmt).time()
        except ValueError:
            continue
    return None


def local_datetime(form: forms.Form, *, date_field: str, time_field: str) -> datetime | None:
    """The moment a date field and a typed time field name together, in UK local time
    and aware (stored in UTC). None while either is missing; an unreadable time is put
    beside the time field."""
    day, moment = form.cleaned_data.get(date_field), form.cleaned_data.get(time_field)
    if not (day and moment):
        return None
    parsed = parse_time(moment)
    if parsed is None:
        form.add_error(time_field, "Enter the time as hours and minutes, like 14:05")
        return None
    return timezone.make_aware(datetime.combine(day, parsed))


class LongSelect(forms.Select):
    """A GOV.UK select for a long list (the performance pages' 600 agencies): the same
    markup as ``forms.Select``, with the options written here rather than through a
    template each, which costs about 0.2 s a page at that length. Flat choices only."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "govuk-select", **(attrs or {})}, choices)

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    "" if option is None else option,
                    mark_safe(" selected") if str(option or "") in chosen else "",
                    label,
                )
                for option, label in self.choices
            ),
        )
        final = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)
