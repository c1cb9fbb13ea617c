"""What matching compares: the details as given, normalised once, and a candidate's row.

Blocking reads the query to find candidates; scoring weighs each candidate's row
against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from referrals.matching.names import UNBORN, normalise_name
from referrals.validation import nhs_number_is_valid, normalise_nhs_number, normalise_postcode


@dataclass(frozen=True)
class Query:
    first_name: str  # as given, for the reasons
    last_name: str
    first: str  # normalised, for comparing
    last: str
    date_of_birth: date | None
    postcode: str
    nhs_number: str

    @classmethod
    def of(cls, *, first_name, last_name, date_of_birth, postcode, nhs_number) -> Query:
        first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
        first = normalise_name(first_name)
        if first == UNBORN:
            first_name, first = "", ""
        return cls(
            first_name=first_name,
            last_name=last_name,
            first=first,
            last=normalise_name(last_name),
            date_of_birth=date_of_birth,
            postcode=normalise_postcode(postcode),
            # A mistyped NHS number matches no one and should count against no one.
            nhs_number=nhs if nhs_number_is_valid(nhs := normalise_nhs_number(nhs_number)) else "",
        )

    def is_empty(self) -> bool:
        return not (
            self.first or self.last or self.date_of_birth or self.postcode or self.nhs_number
        )


class Row(NamedTuple):
    """The columns of a candidate Child that scoring reads; full Child rows are fetched
    only for the matches returned. A tuple: a few hundred are made a search, straight
    from the database's rows."""

    pk: int
    first_name: str
    last_name: str
    other_names: str
    date_of_birth: date | None
    postcode: str
    nhs_number: str


ROW_FIELDS = Row._fields
