"""The OpenAPI schema's answers that every API view shares, documented in one place.

drf-spectacular documents what a view declares (its serializers and ``@extend_schema``);
the answers that DRF and the project's settings give around the view are added here,
from the view itself, so that no operation can leave one out:

- **401** when the operation needs a token or a session, and **403** (``code``
  ``password_change_required``) while its caller must first replace a password an
  administrator set (agencies.recovery);
- **429** with ``Retry-After`` (whole seconds) for every throttled view: the API's rate
  per user (FRONTDOOR_API_RATE) or per address for the token endpoint;
- **400** naming ``page``, and **404** past the last page, for every list paged by
  number; **400** naming ``cursor`` for a list paged by position (the referrals, the
  strategy discussions).
- **400** for a body that cannot be parsed, **415** for a media type the view does not
  read, and **413** for a JSON body over the size limit, wherever a body is read;
- a body schema (``Detail``, or field errors) for every error answer that has none.

Schemathesis (tests/test_api_schema_conformance.py) proves that the API gives no answer
the schema does not list.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import pagination, serializers

from core.text import NOT_BLANK_PATTERN
from referrals.parsers import MAX_JSON_BYTES, BoundedJSONParser

RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Whole seconds to wait before asking again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Each field that breaks a rule, with its messages (a list of strings, or "
    "an object of the same shape for a nested field); `non_field_errors` for a rule across "
    "fields; or `detail` alone for a body that cannot be read.",
    "additionalProperties": True,
}
BODY_METHODS = {"POST", "PUT", "PATCH"}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, with the shared answers above, and each input rule stated:
    text that may not be blank says so with a pattern, a validator that knows its JSON
    Schema (``referrals.api_rules``) adds it, and a serializer's ``openapi_rules``
    (rules across its fields) join its component."""

    _direction = "response"

    def _map_basic_serializer(self, serializer, direction):
        outer, self._direction = self._direction, direction
        try:
            schema = super()._map_basic_serializer(serializer, direction)
        finally:
            self._direction = outer
        rules = dict(getattr(serializer, "openapi_rules", None) or {})
        if direction == "request" and rules:
            said = " ".join(rules.pop("x-rules", []))
            schema.update(rules)
            if said:
                schema["description"] = f"{schema.get('description', '')}\n\nRules: {said}".strip()
        return schema

    def _insert_field_validators(self, field, schema):
        if self._direction == "request" and schema.get("type") == "string":
            for validator in field.validators:
                extra = dict(getattr(validator, "openapi", None) or {})
                rule = extra.pop("x-rule", None)
                schema.update(extra)
                if "format" in extra:
                    # The format's rule says more than "not empty".
                    schema.pop("minLength", None)
                if rule:
                    schema["description"] = f"{schema.get('description', '')} Rule: {rule}".strip()
            if (
                isinstance(field, serializers.CharField)
                and not field.allow_blank
                and field.trim_whitespace
                and "pattern" not in schema
                and "format" not in schema
            ):
                # Spaces or invisible characters alone are blank: a 400.
                schema["pattern"] = NOT_BLANK_PATTERN
        super()._insert_field_validators(field, schema)
        # drf-spectacular offers a blank string as one of two choices (``oneOf``). With a
        # format of ours the format's rule says "or blank" itself: a format a validator
        # does not know would let "" match both choices, and schemathesis fills such a
        # choice with text that ignores the format.
        blank = {"type": "string", "maxLength": 0}
        if blank in schema.get("oneOf", []):
            inner = [choice for choice in schema["oneOf"] if choice != blank]
            ours = any("format" in (getattr(v, "openapi", None) or {}) for v in field.validators)
            if self._direction == "request" and ours and len(inner) == 1:
                del schema["oneOf"]
                schema.update(inner[0])
                schema["description"] = f"{schema.get('description', '')} May be blank.".strip()

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        # OpenAPI links a view declares: where an answer's values lead next (the id of
        # what was made, to read it). Schemathesis's stateful tests follow them.
        links = getattr(self.view, "openapi_links", {}).get(self.method, {})
        for code, named in links.items():
            operation["responses"][code]["links"] = named
        return operation

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        # A serializer whose rules ask for at least one field needs a body at all, even
        # where none of its fields is required on its own (a PATCH).
        if body and getattr(self.get_request_serializer(), "openapi_rules", None):
            body["required"] = True
        return body

    def _get_response_bodies(self, direction="response"):
        # Not at the top: DRF's views read this class from the settings as they load.
        from agencies.api import DETAIL, PASSWORD_CHANGE_REQUIRED

        responses = super()._get_response_bodies(direction)
        if self._needs_credentials():
            self._add(
                responses,
                "401",
                DETAIL,
                "No valid token or session: none was sent, or it "
                "has expired, been revoked or ended.",
            )
            if not getattr(self.view, "open_to_a_password_to_change", False):
                # agencies.api_auth and frontdoor.middleware.NewPasswordMiddleware; a view
                # that refuses for other reasons already documents its 403.
                self._add(
                    responses,
                    "403",
                    PASSWORD_CHANGE_REQUIRED,
                    "An administrator set the caller's password: they choose a new one on "
                    "the website first (`code` `password_change_required`).",
                )
        if self._is_paginated() and self._pages_by_cursor():
            self._add(
                responses,
                "400",
                FIELD_ERRORS,
                "`cursor` is not one of this list's `next` or `previous` links, unchanged: "
                "the body names `cursor`.",
            )
        elif self._is_paginated():
            self._add(
                responses,
                "400",
                FIELD_ERRORS,
                "`page` is not a whole number of 1 or more: the body names `page`.",
            )
            self._add(responses, "404", DETAIL, "`page` is past the last page.")
        if self.method in BODY_METHODS and self.get_request_serializer() is not None:
            self._add(
                responses,
                "400",
                FIELD_ERRORS,
                "The body breaks a rule: each field is "
                "named with its messages; or `detail` says the body could not be read "
                "(for example malformed JSON).",
            )
            self._add(
                responses,
                "415",
                DETAIL,
                "The body's media type is not one this "
                "operation reads (see the request body's media types).",
            )
            if any(isinstance(parser, BoundedJSONParser) for parser in self.view.get_parsers()):
                self._add(
                    responses, "413", DETAIL, f"The body is over {MAX_JSON_BYTES // 1024} KB."
                )
        if self.view.get_throttles():
            self._add(responses, "429", DETAIL, "Too many requests: wait `Retry-After` seconds.")
            responses["429"].setdefault("headers", {}).update(RETRY_AFTER_HEADER)
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                schema = DETAIL if code != "400" else FIELD_ERRORS
                response["content"] = self._content(code, schema)
        return dict(sorted(responses.items()))

    def _add(self, responses, code, schema, description):
        if code not in responses:
            responses[code] = self._get_response_for_code(
                OpenApiResponse(schema, description=description), code
            )

    def _content(self, code, schema):
        return self._get_response_for_code(OpenApiResponse(schema), code)["content"]

    def _needs_credentials(self) -> bool:
        requirements = self.get_auth()
        return bool(requirements) and {} not in requirements

    def _is_paginated(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _pages_by_cursor(self) -> bool:
        return isinstance(self._get_paginator(), pagination.CursorPagination)
