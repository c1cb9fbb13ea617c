"""What the API's serializers build on, here and in triage: fields worked out once per
class (``FieldsBuiltOnce``), and text cleaned and JSON types checked before a body
validates (``CleanTextMixin``). The referrals API's own shapes are in
referrals.serializers."""

from __future__ import annotations

import copy
from collections.abc import Mapping

from rest_framework import serializers

from core.text import clean_text


class FieldsBuiltOnce:
    """A ModelSerializer works its fields (and its validators) out from the model for
    every instance (DRF's ``get_fields``), and deep-copies each field: for a referral's
    forty-odd fields, more than the rest of a POST's validation. Here they are worked
    out once per class; each instance gets its own copy of each field (``_own_copy``):
    binding sets the copy's own name and parent, and validating reads a field's
    settings and changes none of them."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return {name: _own_copy(field) for name, field in built.items()}

    def get_validators(self):
        # The model's unique-together and unique-for-date validators, worked out from
        # its constraints (for every instance, by DRF) once per class as well: they are
        # stateless, and each call is given the serializer it validates.
        cls = type(self)
        made = cls.__dict__.get("_validators_built_once")
        if made is None:
            made = super().get_validators()
            cls._validators_built_once = made
        return list(made)


def _own_copy(field):
    """A field for one serializer instance. A nested serializer as DRF copies it (deep:
    its fields are made afresh and bound to it); any other field shallow, as
    ``copy.copy`` would make it but without its generic machinery, and a list's or a
    dict's inner field copied in turn, its parent the list's copy."""
    if isinstance(field, serializers.BaseSerializer):
        return copy.deepcopy(field)
    own = object.__new__(type(field))
    own.__dict__.update(field.__dict__)
    if isinstance(field, (serializers.ListField, serializers.DictField)):
        own.child = _own_copy(field.child)
        own.child.parent = own  # bound already (its name and source are ""), to the list
    return own


class CleanTextMixin:
    """Strips control, bidirectional-override and zero-width characters (core.text) from
    a serializer's text fields before they validate: multi-line for a model's TextField
    (DRF styles it as a textarea) and the names in ``multiline_fields``, one line for
    every other text field (names, numbers, references). Nested serializers that use
    the mixin clean their own fields."""

    multiline_fields: tuple[str, ...] = ()

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            _refuse_wrong_json_types(self, data)
            data = self._without_unsafe_characters(data)
        return super().to_internal_value(data)

    def _rules(self) -> _FieldRules:
        """What the two checks need of the fields: worked out from them once per class
        when the class builds its fields once (``FieldsBuiltOnce``), for each instance
        otherwise (a plain serializer's fields may differ between instances)."""
        cls = type(self)
        rules = cls.__dict__.get("_rules_once")
        if rules is None:
            rules = _FieldRules(self.fields, multiline=self.multiline_fields)
            if isinstance(self, FieldsBuiltOnce):
                cls._rules_once = rules
        return rules

    def _text_fields(self) -> dict[str, bool]:
        """Field name -> whether it is multi-line, for each writable text field."""
        return self._rules().text

    def _without_unsafe_characters(self, data):
        def clean(value, multiline):
            if isinstance(value, str):
                return clean_text(value, multiline=multiline)
            if isinstance(value, list):
                return [
                    clean_text(v, multiline=multiline) if isinstance(v, str) else v for v in value
                ]
            return value

        fields = self._text_fields()
        if hasattr(data, "getlist"):  # a form-encoded body (QueryDict)
            cleaned = data.copy()
            for name, multiline in fields.items():
                if name in data:
                    cleaned.setlist(name, clean(data.getlist(name), multiline))
            return cleaned
        return {
            key: clean(value, fields[key]) if key in fields else value
            for key, value in data.items()
        }


def _json_type(field) -> tuple[type | tuple[type, ...], str] | None:
    """The JSON type a field's value must have, and how to say it; None for any."""
    if isinstance(field, serializers.BooleanField):
        return bool, "true or false"
    if isinstance(field, serializers.IntegerField):
        return int, "a whole number"
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return int, "an id (a whole number)"
    if isinstance(field, serializers.ChoiceField):
        if all(isinstance(key, str) for key in field.choices):
            return str, "a string"
        return None
    if isinstance(field, (serializers.CharField, serializers.DateField, serializers.DateTimeField)):
        return str, "a string"
    return None


def _has_json_type(value, expected) -> bool:
    # true and false are ints to Python, never numbers to JSON.
    if isinstance(value, bool) and expected is not bool:
        return False
    return isinstance(value, expected)


class _FieldRules:
    """A serializer's writable fields as the checks above read them: the text fields
    (name -> multi-line) and, for each field, the JSON type its value must have."""

    def __init__(self, fields, *, multiline: tuple[str, ...]):
        self.text: dict[str, bool] = {}
        # (name, whether a list, the JSON type and how to say it or None, max_length)
        self.types: list[tuple[str, bool, tuple | None, int | None]] = []
        for name, field in fields.items():
            if field.read_only:
                continue
            if isinstance(field, serializers.CharField) or (
                isinstance(field, serializers.ListField)
                and isinstance(field.child, serializers.CharField)
            ):
                self.text[name] = (
                    name in multiline or field.style.get("base_template") == "textarea.html"
                )
            if isinstance(field, serializers.ListField):
                self.types.append((name, True, _json_type(field.child), None))
            else:
                max_length = field.max_length if isinstance(field, serializers.CharField) else None
                self.types.append((name, False, _json_type(field), max_length))


def _refuse_wrong_json_types(serializer, data: Mapping) -> None:
    """400 naming each field whose JSON value has the wrong type, as the schema says:
    DRF by itself reads 12 as the text "12", "true" as true and "5" as 5, so that a body
    the schema calls invalid would be taken. Text longer than the field's maximum is
    refused as sent, before cleaning could shorten it. A form-encoded body (a QueryDict:
    every value text) is left to the fields."""
    if hasattr(data, "getlist"):
        return
    errors: dict[str, list[str]] = {}
    for name, is_list, expected, max_length in serializer._rules().types:
        value = data.get(name)
        if value is None:
            continue
        if is_list and isinstance(value, list):
            if expected and not all(_has_json_type(item, expected[0]) for item in value):
                errors[name] = [f"Each item must be {expected[1]}."]
            continue
        if is_list:
            expected = None  # not a list: the field says so itself
        if expected and not _has_json_type(value, expected[0]):
            errors[name] = [f"Must be {expected[1]}."]
        elif isinstance(value, str) and max_length is not None and len(value) > max_length:
            # As sent, before the invisible characters go: the schema's maxLength.
            errors[name] = [f"Ensure this field has no more than {max_length} characters."]
    if errors:
        raise serializers.ValidationError(errors)
