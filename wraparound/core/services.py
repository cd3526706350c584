"""Writes to core data: user accounts and agencies."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from wraparound.core.models import Agency, AgencyKind, Role, User


class UserSetupError(Exception):
    """A user or agency could not be set up; the message says what to change."""


@transaction.atomic
def create_user(
    *,
    username: str,
    agency_slug: str,
    role: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    check_password_strength: bool = True,
) -> User:
    """Create one account in one agency with one role, with a validated, hashed password."""
    if role not in Role.values:
        raise UserSetupError(f"Unknown role {role!r}: use one of {', '.join(Role.values)}.")
    agency = Agency.objects.filter(slug=agency_slug).first()
    if agency is None:
        known = ", ".join(Agency.objects.values_list("slug", flat=True)) or "none yet"
        raise UserSetupError(f"No agency with slug {agency_slug!r} (known: {known}).")
    if User.objects.filter(username=username).exists():
        raise UserSetupError(f"A user called {username!r} already exists.")
    user = User(
        username=username,
        agency=agency,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    if check_password_strength:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise UserSetupError("Password rejected: " + " ".join(error.messages)) from error
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def ensure_agency(*, slug: str, name: str, kind: str, is_statutory: bool) -> Agency:
    """Create or update an agency by slug (idempotent, for loaders)."""
    if kind not in AgencyKind.values:
        raise UserSetupError(
            f"Unknown agency kind {kind!r}: use one of {', '.join(AgencyKind.values)}."
        )
    agency, _ = Agency.objects.update_or_create(
        slug=slug, defaults={"name": name, "kind": kind, "is_statutory": is_statutory}
    )
    return agency
