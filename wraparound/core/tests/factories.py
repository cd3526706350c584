"""Factories for core objects: agencies and users with roles."""

from __future__ import annotations

import factory
from django.test import Client

from wraparound.core.models import Agency, AgencyKind, Role, User

TEST_PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.SOCIAL_CARE
    is_statutory = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PRACTITIONER

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


def signed_in(user: User) -> Client:
    """A test client signed in as ``user``, without going through the sign-in form.

    The browser tests sign in through the real form; the rest only need a session.
    """
    client = Client()
    client.force_login(user)
    return client
