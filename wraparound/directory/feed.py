"""Import and export a whole directory as one ORUK 3.0 / HSDS 3.0 JSON feed.

A feed is ``{"version", "taxonomies": [...], "organizations": [...], "services": [...]}`` with
each object in its ORUK shape (services fully nested, as `GET /services/{id}` returns them).
An ORUK list page (``{"contents": [services]}``) or a bare list of services is accepted too, so
another partnership's API output can be loaded as it is.

Import checks everything before writing anything: each problem names the record, the field
and why; any problem means nothing changes. Import is idempotent: objects are matched by id,
and an imported service's nested lists are replaced by the feed's.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from wraparound.directory import oruk_json, selectors
from wraparound.directory.models import (
    Address,
    Attribute,
    Contact,
    CostOption,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

FEED_VERSION = "HSDS-UK-3.0"
# JSON key -> model attribute, where they differ.
RENAMED = {
    TaxonomyTerm: {"taxonomy_id": "taxonomy_ref_id", "parent_id": "parent_id"},
    Organization: {"parent_organization_id": "parent_organization_id"},
    Service: {"organization_id": "organization_id"},
}
# Nested lists the ORUK shape carries that the directory does not store.
NOT_STORED = {"languages", "funding", "accessibility", "organization_identifiers", "metadata"}


class FeedError(ValueError):
    """A feed that cannot be imported; ``problems`` says where and why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"The feed was not imported ({len(problems)} problem{'' if len(problems) == 1 else 's'}):\n"
            + "\n".join(problems)
        )
        self.problems = problems


@dataclass
class ImportSummary:
    counts: dict[str, int] = field(default_factory=dict)
    ignored: set[str] = field(default_factory=set)

    def describe(self) -> str:
        parts = [f"{n} {kind}" for kind, n in self.counts.items()]
        text = "Imported " + ", ".join(parts) + "."
        if self.ignored:
            text += f" Not stored (not used by the directory): {', '.join(sorted(self.ignored))}."
        return text


@dataclass
class _Parsed:
    objects: dict[type[models.Model], dict[str, models.Model]] = field(default_factory=dict)
    service_children: list[models.Model] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ignored: set[str] = field(default_factory=set)
    where: dict[int, str] = field(default_factory=dict)

    def add(self, instance: models.Model) -> None:
        self.objects.setdefault(type(instance), {})[str(instance.pk)] = instance


# An ORUK feed nests about six levels (service > location > address ...); anything far deeper is
# not a feed, and would exhaust Python's recursion limit in the JSON parser or the schema check.
MAX_FEED_DEPTH = 32


def read_feed_file(path: Path) -> Any:
    """The decoded JSON of a feed file, or a FeedError saying where the JSON breaks."""
    try:
        return decode_feed(path.read_bytes(), where=str(path))
    except FileNotFoundError:
        raise FeedError([f"{path}: no such file."]) from None


def decode_feed(content: bytes, *, where: str = "The file") -> Any:
    """Decode a feed's bytes as UTF-8 JSON no deeper than MAX_FEED_DEPTH, or raise FeedError."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as bad:
        raise FeedError([f"{where}: not UTF-8 text ({bad.reason} at byte {bad.start})."]) from None
    except json.JSONDecodeError as bad:
        raise FeedError(
            [f"{where}: not valid JSON: {bad.msg} at line {bad.lineno}, column {bad.colno}."]
        ) from None
    except RecursionError:
        too_deep = True
    else:
        too_deep = _depth_exceeds(data, MAX_FEED_DEPTH)
    if too_deep:
        raise FeedError(
            [f"{where}: the JSON is nested more than {MAX_FEED_DEPTH} levels deep; an ORUK feed "
             "nests a few levels. Check the file is the directory's feed."]
        )  # fmt: skip
    return data


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether any value lies deeper than ``limit`` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)
    return False


def _label(kind: str, index: int, record: Any) -> str:
    if not isinstance(record, dict):
        return f"{kind}[{index}]"
    name = record.get("name") or record.get("address_1") or record.get("number")
    ident = record.get("id")
    bits = [f"{kind}[{index}]"]
    if name:
        bits.append(f"{str(name)[:60]!r}")
    if ident:
        bits.append(f"(id {ident})")
    return " ".join(bits)


def _build(
    model: type[models.Model], record: Any, where: str, parsed: _Parsed, **links: Any
) -> models.Model | None:
    """An unsaved, fully checked model instance from one ORUK object, or None with problems noted."""
    if not isinstance(record, dict):
        parsed.problems.append(f"{where}: must be a JSON object, got {type(record).__name__}.")
        return None
    renamed = RENAMED.get(model, {})
    stored: dict[str, Any] = {str(f.name): f for f in model._meta.concrete_fields}
    values: dict[str, Any] = {}
    bad = False
    for key, value in record.items():
        attr: str = renamed.get(key, str(key))
        target = stored.get(attr) or (
            stored.get(attr.removesuffix("_id")) if attr.endswith("_id") else None
        )
        if target is None or isinstance(value, list | dict):
            continue
        if value == "" and target.null:
            value = None  # an empty optional date, time, number or link means "not given"
        if value is not None and (expected := _json_type_problem(target, value)):
            parsed.problems.append(f"{where}: field {key}: {expected}, got {repr(value)[:80]}.")
            bad = True
            continue
        if isinstance(target, models.ForeignKey):
            values[target.attname] = _uuid_or_problem(value, where, key, parsed)
        elif value is None:
            values[attr] = None if target.null else ""
        else:
            values[attr] = value
    values.update(links)
    if "id" not in record:
        parsed.problems.append(f"{where}: field id: is required (a UUID).")
        return None
    instance = model(**values)
    try:
        instance.full_clean(
            exclude=[f.name for f in stored.values() if isinstance(f, models.ForeignKey)],
            validate_unique=False,
        )
    except ValidationError as invalid:
        for name, messages in invalid.message_dict.items():
            label = "record" if name == "__all__" else f"field {name}"
            for message in messages:
                parsed.problems.append(f"{where}: {label}: {message.rstrip('.')}.")
        bad = True
    parsed.where[id(instance)] = where
    return None if bad else instance


def _json_type_problem(target: Any, value: Any) -> str | None:
    """What JSON type a field needs, when ``value`` is not it (None when it is)."""
    if isinstance(target, models.BooleanField):
        return None if isinstance(value, bool) else "must be true or false"
    if isinstance(target, models.DecimalField | models.IntegerField | models.FloatField):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "must be a number"
    if not isinstance(value, str):
        return "must be text"
    return "must not contain NUL characters" if "\x00" in value else None


def _uuid_or_problem(value: Any, where: str, key: str, parsed: _Parsed) -> Any:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        parsed.problems.append(f"{where}: field {key}: {value!r} is not a valid UUID.")
        return None


def _items(record: dict[str, Any], key: str, where: str, parsed: _Parsed) -> list[Any]:
    value = record.get(key) or []
    if not isinstance(value, list):
        parsed.problems.append(f"{where}: field {key}: must be a list.")
        return []
    return value


def _parse_term(record: Any, where: str, parsed: _Parsed, taxonomy: Taxonomy | None = None) -> None:
    links = {"taxonomy_ref_id": taxonomy.pk} if taxonomy is not None else {}
    if term := _build(TaxonomyTerm, record, where, parsed, **links):
        parsed.add(term)


def _parse_attributes(
    record: dict[str, Any], where: str, parsed: _Parsed, link: dict[str, Any]
) -> list[Attribute]:
    result = []
    for i, item in enumerate(_items(record, "attributes", where, parsed)):
        here = f"{where} > attributes[{i}]"
        if isinstance(item, dict) and isinstance(item.get("taxonomy_term"), dict):
            _parse_term(item["taxonomy_term"], f"{here} > taxonomy_term", parsed)
        attribute = _build(Attribute, item, here, parsed, **link)
        if attribute is not None:
            assert isinstance(attribute, Attribute)
            if not attribute.taxonomy_term_id:
                parsed.problems.append(f"{here}: field taxonomy_term_id: is required.")
            result.append(attribute)
    return result


def _parse_organization(record: Any, where: str, parsed: _Parsed) -> None:
    organization = _build(Organization, record, where, parsed)
    if organization is None:
        return
    parsed.add(organization)
    parsed.service_children += _parse_attributes(
        record, where, parsed, {"organization_id": organization.pk}
    )


def _parse_location(record: Any, where: str, parsed: _Parsed) -> None:
    location = _build(Location, record, where, parsed)
    if location is None:
        return
    parsed.add(location)
    for i, item in enumerate(_items(record, "addresses", where, parsed)):
        if address := _build(
            Address, item, f"{where} > addresses[{i}]", parsed, location_id=location.pk
        ):
            parsed.add(address)
    parsed.service_children += _parse_attributes(
        record, where, parsed, {"location_id": location.pk}
    )


def _parse_service(record: Any, where: str, parsed: _Parsed) -> None:
    if isinstance(record, dict) and isinstance(record.get("organization"), dict):
        _parse_organization(record["organization"], f"{where} > organization", parsed)
    service = _build(Service, record, where, parsed)
    if service is None:
        return
    parsed.add(service)
    parsed.ignored |= {key for key in record if key in NOT_STORED and record[key]}
    link = {"service_id": service.pk}
    simple: list[tuple[str, type[models.Model]]] = [
        ("service_areas", ServiceArea),
        ("cost_options", CostOption),
        ("schedules", Schedule),
    ]
    for key, model in simple:
        for i, item in enumerate(_items(record, key, where, parsed)):
            if child := _build(model, item, f"{where} > {key}[{i}]", parsed, **link):
                parsed.service_children.append(child)
    for i, item in enumerate(_items(record, "contacts", where, parsed)):
        here = f"{where} > contacts[{i}]"
        if contact := _build(Contact, item, here, parsed, **link):
            parsed.service_children.append(contact)
            for j, phone in enumerate(_items(item, "phones", here, parsed)):
                if p := _build(
                    Phone, phone, f"{here} > phones[{j}]", parsed, contact_id=contact.pk
                ):
                    parsed.service_children.append(p)
    for i, item in enumerate(_items(record, "service_at_locations", where, parsed)):
        here = f"{where} > service_at_locations[{i}]"
        if isinstance(item, dict) and isinstance(item.get("location"), dict):
            _parse_location(item["location"], f"{here} > location", parsed)
        if at := _build(ServiceAtLocation, item, here, parsed, **link):
            parsed.service_children.append(at)
    parsed.service_children += _parse_attributes(record, where, parsed, link)


def parse_feed(data: Any) -> _Parsed:
    """Check a decoded feed completely; raise FeedError listing every problem found."""
    parsed = _Parsed()
    if isinstance(data, list):
        data = {"services": data}
    elif isinstance(data, dict) and "contents" in data and "services" not in data:
        data = {"services": data["contents"]}
    if not isinstance(data, dict):
        raise FeedError(
            ["feed: must be a JSON object with a services list (or a list of services)."]
        )
    for key in ("taxonomies", "organizations", "services"):
        if key in data and not isinstance(data[key], list):
            parsed.problems.append(f"feed: field {key}: must be a list.")
    if parsed.problems:
        raise FeedError(parsed.problems)
    for i, record in enumerate(data.get("taxonomies", [])):
        where = _label("taxonomies", i, record)
        if taxonomy := _build(Taxonomy, record, where, parsed):
            assert isinstance(taxonomy, Taxonomy)
            parsed.add(taxonomy)
            for j, term in enumerate(_items(record, "taxonomy_terms", where, parsed)):
                _parse_term(
                    term, f"{where} > {_label('taxonomy_terms', j, term)}", parsed, taxonomy
                )
    for i, record in enumerate(data.get("organizations", [])):
        _parse_organization(record, _label("organizations", i, record), parsed)
    for i, record in enumerate(data.get("services", [])):
        _parse_service(record, _label("services", i, record), parsed)
    _check_references(parsed)
    if parsed.problems:
        raise FeedError(parsed.problems)
    return parsed


def _check_references(parsed: _Parsed) -> None:
    """Every id a record points at must be in the feed or already in the directory."""
    checks: list[tuple[models.Model, str, type[models.Model]]] = []
    for child in parsed.service_children:
        if isinstance(child, ServiceAtLocation):
            parsed.add(child)
    for service in parsed.objects.get(Service, {}).values():
        checks.append((service, "organization_id", Organization))
    for term in parsed.objects.get(TaxonomyTerm, {}).values():
        checks += [(term, "taxonomy_ref_id", Taxonomy), (term, "parent_id", TaxonomyTerm)]
    for child in parsed.service_children:
        if isinstance(child, Attribute):
            checks.append((child, "taxonomy_term_id", TaxonomyTerm))
        if isinstance(child, ServiceAtLocation):
            checks.append((child, "location_id", Location))
        if isinstance(child, Schedule):
            checks.append((child, "service_at_location_id", ServiceAtLocation))
    for instance, attr, model in checks:
        target = getattr(instance, attr)
        if target is None or str(target) in parsed.objects.get(model, {}):
            continue
        if not model._default_manager.filter(pk=target).exists():
            parsed.problems.append(
                f"{parsed.where.get(id(instance), instance.pk)}: field {attr.replace('_ref', '')}: "
                f"refers to {model._meta.verbose_name} {target}, which is neither in the feed nor in the directory."
            )


ORDER: list[type[models.Model]] = [Taxonomy, TaxonomyTerm, Organization, Location, Address, Service]
CHILD_ORDER: list[type[models.Model]] = [
    ServiceArea,
    CostOption,
    ServiceAtLocation,
    Schedule,
    Contact,
    Phone,
    Attribute,
]


@transaction.atomic
def import_feed(data: Any) -> ImportSummary:
    """Load a feed into the directory: all of it, or (with a FeedError) none of it."""
    parsed = parse_feed(data)
    summary = ImportSummary(ignored=parsed.ignored)
    for model in ORDER:
        instances = parsed.objects.get(model, {}).values()
        for instance in instances:
            _upsert(instance)
        if instances:
            summary.counts[str(model._meta.verbose_name_plural)] = len(instances)
    services = list(parsed.objects.get(Service, {}))
    organizations = list(parsed.objects.get(Organization, {}))
    locations = list(parsed.objects.get(Location, {}))
    for model in (ServiceArea, CostOption, Schedule, Contact, ServiceAtLocation):
        model._default_manager.filter(service_id__in=services).delete()
    Attribute.objects.filter(service_id__in=services).delete()
    Attribute.objects.filter(organization_id__in=organizations).delete()
    Attribute.objects.filter(location_id__in=locations).delete()
    Address.objects.filter(location_id__in=locations).exclude(
        id__in=list(parsed.objects.get(Address, {}))
    ).delete()
    for model in CHILD_ORDER:
        children = [c for c in parsed.service_children if type(c) is model]
        for child in children:
            _upsert(child)
    Service.objects.filter(id__in=services).update(last_modified=timezone.now())
    return summary


def _upsert(instance: models.Model) -> None:
    """Insert or update by id, keeping fields the feed cannot carry (an organisation's agency)."""
    model = type(instance)
    names = [
        f.attname
        for f in model._meta.concrete_fields
        if f.name not in {"id", "agency"} and not getattr(f, "auto_now", False)
    ]
    model._default_manager.update_or_create(
        pk=instance.pk, defaults={name: getattr(instance, name) for name in names}
    )


def export_feed() -> dict[str, Any]:
    """The whole directory as one feed, in a stable order (so two exports can be diffed)."""
    return {
        "version": FEED_VERSION,
        "exported_at": oruk_json.timestamp(dt.datetime.now(dt.UTC)),
        "taxonomies": [oruk_json.taxonomy_json(t) for t in selectors.taxonomies()],
        "organizations": [
            oruk_json.organization_json(o, nested=True) for o in selectors.organizations()
        ],
        "services": [oruk_json.service_json(s, full=True) for s in selectors.services(full=True)],
    }
