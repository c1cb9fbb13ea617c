"""What the database itself refuses in the referrals tables, whatever code writes to
them."""

import pytest

from tests.database import refused
from tests.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def change(row, **fields):
    return lambda: type(row).objects.filter(pk=row.pk).update(**fields)


@pytest.mark.parametrize(
    ("field", "known", "unknown"),
    [
        ("channel", "phone", "fax"),
        ("caller_type", "", "neighbour"),
        ("parental_consent", "not_aware", "maybe"),
        ("parental_consent", "not_aware", ""),
        ("child_gender", "2", "X"),
        ("child_ethnicity", "WBRI", "BRIT"),
        ("child_religion", "none", "jedi"),
    ],
)
def test_a_referral_holds_only_known_codes(field, known, unknown):
    referral = ReferralFactory()

    assert refused(change(referral, **{field: unknown}))
    assert not refused(change(referral, **{field: known}))


@pytest.mark.parametrize(
    ("field", "known", "unknown"),
    [("gender", "1", "X"), ("ethnicity", "ABAN", "ASIA"), ("religion", "muslim", "other faith")],
)
def test_a_child_record_holds_only_census_codes(field, known, unknown):
    child = ChildFactory()

    assert refused(change(child, **{field: unknown}))
    assert not refused(change(child, **{field: known}))


def test_a_concern_is_one_of_the_categories():
    concern = ReferralFactory().concerns.get()

    assert refused(change(concern, category="worry"))
    assert not refused(change(concern, category="domestic_abuse"))
