"""One factory per model. Every value is synthetic."""

import factory
from django.contrib.auth.hashers import make_password

from agencies.census import AgencyType
from agencies.models import Agency, Role, User

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test Agency {n}")
    type = AgencyType.SCHOOL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    role = Role.REFERRER
    agency = factory.Maybe(
        factory.LazyAttribute(
            lambda u: (
                u.role
                in {Role.REFERRER, Role.AGENCY_LEAD, Role.PARTNER, Role.SCREENER, Role.MANAGER}
            )
        ),
        yes_declaration=factory.SubFactory(AgencyFactory),
        no_declaration=None,
    )
    password = factory.LazyFunction(lambda: make_password(PASSWORD))
