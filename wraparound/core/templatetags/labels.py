"""Template filters that show catalogue codes as their labels (see wraparound.core.labels)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from wraparound.core import labels as catalogue_labels
from wraparound.core.request_memo import remember

register = template.Library()


@register.filter
def label(code: object, kind: str | None = None) -> str:
    """``{{ agency.kind|label }}`` or ``{{ code|label:"category" }}``."""
    return catalogue_labels.label(code, kind)


@register.filter
def labels(codes: Iterable[object] | None, kind: str | None = None) -> str:
    """``{{ agreement.data_subjects|labels:"sharing" }}`` -> ``Children, Parents``."""
    return catalogue_labels.labels(codes, kind)


@register.filter
def dataset_label(key: object) -> str:
    """``{{ extract_key|dataset_label }}``: the agency's name and the dataset in words."""
    return catalogue_labels.dataset_label(str(key))


@register.filter
def dataset_name(key: object) -> str:
    """``{{ "hcc-social-care:episodes"|dataset_name }}`` -> ``Episodes``: the dataset alone,
    where the agency's name is already next to it."""
    parts = str(key).split(":")
    return catalogue_labels.humanise(parts[1]) if len(parts) > 1 else catalogue_labels.label(key)


@register.filter
def humanise(code: object) -> str:
    """``behaviour-log`` -> ``Behaviour log``, for a code no catalogue names."""
    return catalogue_labels.humanise(str(code))


@register.filter
def evidence_name(name: object) -> str:
    """A matching comparison's name in words (``nhs_number`` -> ``NHS number``)."""
    return catalogue_labels.evidence_name(name)


@register.filter
def match_reason(level: object, comparison: object = "") -> str:
    """``{{ label|match_reason:name }}``: a comparison level in words."""
    return catalogue_labels.match_reason(level, comparison)


@register.filter
def agency_name(slug: object) -> str:
    """An agency's slug as its name (``hartshire-police`` -> ``Hartshire Constabulary``)."""
    from wraparound.core.models import Agency

    names = remember("agency_names", lambda: dict(Agency.objects.values_list("slug", "name")))
    return names.get(str(slug)) or catalogue_labels.humanise(str(slug))


@register.filter
def mapping_field(value: object) -> str:
    """An import mapping's field for a column, in words (``event:ae_injury`` -> ``Date of: ...``)."""
    return catalogue_labels.mapping_field(value)


@register.filter
def roles_plural(codes: Iterable[object] | None) -> str:
    """``{{ agreement.operational_roles|roles_plural }}`` -> ``team managers and data analysts``."""
    return catalogue_labels.roles_plural(codes)
