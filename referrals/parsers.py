"""A JSON parser with a size limit. DRF reads the request stream itself, so Django's
DATA_UPLOAD_MAX_MEMORY_SIZE never applies to a JSON body."""

from __future__ import annotations

import io
import re

from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

# The largest referral a person can write, with every character escaped as \uXXXX,
# is under 300 KB; anything much bigger is not a referral.
MAX_JSON_BYTES = 512 * 1024


# JSON may escape half of a UTF-16 pair on its own ("\ud800"); Python keeps it in the
# string, but it is not text: no field can store it, and an error message quoting it back
# cannot be encoded as UTF-8 (a server error, not a 400).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Such a half can only arrive escaped (UTF-8 cannot carry one): a body without the escape
# of one (\uD800 to \uDFFF, either case) is not walked, which keeps the walk off the
# common request's path.
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"The request body is larger than {MAX_JSON_BYTES // 1024} KB."
    default_code = "payload_too_large"


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if (
            declared
            and declared.isascii()
            and declared.isdigit()
            and int(declared) > MAX_JSON_BYTES
        ):
            raise PayloadTooLarge()
        # Read one byte past the limit, in case the length header was absent or wrong.
        body = stream.read(MAX_JSON_BYTES + 1)
        if len(body) > MAX_JSON_BYTES:
            raise PayloadTooLarge()
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        if _ESCAPED_SURROGATE.search(body) and _has_lone_surrogate(data):
            raise ParseError(
                "JSON parse error - a string holds a lone surrogate (\\ud800 to \\udfff), "
                "which is not a character."
            )
        return data


def _has_lone_surrogate(data) -> bool:
    """Whether any string in the parsed body, key or value, at any depth, holds one."""
    todo = [data]
    while todo:
        value = todo.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            todo.extend(value.keys())
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return False
