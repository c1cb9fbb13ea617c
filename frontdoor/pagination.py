"""The API's pages: ``?page=N``, a whole number from 1.

DRF's own paginator reads an empty ``page`` as page 1, ``page=last`` as the last page
and anything else that is not a page as 404. Here a ``page`` that is not a whole number
of 1 or more is a 400 naming the field, as for every other bad input, and 404 is kept
for a page past the last one (DRF's answer, documented in the schema).
"""

from __future__ import annotations

import re

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

_WHOLE_NUMBER = re.compile(r"[0-9]+")
_MOST_DIGITS = 9
PAGE_MESSAGE = "Enter one page number: a whole number, 1 or more."


class PageNumberPagination(pagination.PageNumberPagination):
    last_page_strings = ()

    def get_page_number(self, request, paginator):
        values = request.query_params.getlist(self.page_query_param)
        if not values:
            return 1
        value = values[0]
        digits = value.lstrip("0")
        if len(values) > 1 or not _WHOLE_NUMBER.fullmatch(value) or not digits:
            raise ValidationError({self.page_query_param: [PAGE_MESSAGE]})
        if len(digits) > _MOST_DIGITS:
            # Past any last page (and int() of thousands of digits raises ValueError).
            raise NotFound("Invalid page.")
        return int(digits)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number, from 1 (the default). Not a whole number of 1 "
                "or more: 400 naming `page`; past the last page: 404.",
                "schema": {"type": "integer", "minimum": 1},
            }
        ]
