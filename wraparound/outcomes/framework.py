"""The outcome framework as data: headline outcomes, their descriptors, and sustained progress.

Each version of the framework is one YAML file in ``catalogues/`` named ``framework-*.yaml``;
a new national framework is a new file, loaded without code changes. Every file is validated
once on load against the catalogues it refers to (outcome keys from the core outcome catalogue,
needs indicators, the records event vocabulary, all through the needs app's loaders so there is
one loader per catalogue), and a malformed file stops with a message naming what to fix.
Every descriptor carries the framework's own wording of the needs it covers, each piece with
the source it was transcribed from (a gov.uk chapter, a council's published wording, or the
partnership's labelled addition), and the loader refuses wording without a known source.
No Django here: the benchmark and the synthetic county use it directly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from wraparound.needs.indicators import load_catalogue, load_outcome_labels, load_vocabulary

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogues"
ANCHORS = ("end_of_support",)
PROPOSAL_SETTINGS = ("baseline_days", "margin", "significance")
SUSTAINED_SETTINGS = ("window_days", "anchor", "max_events")
SOURCE_KINDS = ("national", "council", "local")


class FrameworkError(ValueError):
    """The framework file is wrong; the message names the entry and what to fix."""


@dataclass(frozen=True)
class Source:
    """A document the framework's wording was transcribed from (or the partnership itself)."""

    key: str
    kind: str  # national | council | local
    title: str
    url: str = ""
    framework: str = ""  # set when the wording is from an earlier framework than the file's
    note: str = ""

    @property
    def citation(self) -> str:
        earlier = f", {self.framework} framework" if self.framework else ""
        return f"{self.title}{earlier}"


@dataclass(frozen=True)
class Wording:
    """One family need as a source words it."""

    text: str
    source: str


@dataclass(frozen=True)
class ProposalRule:
    """How a review status is proposed from data (see ``rules.propose_status``).

    ``baseline_days``: the period before engagement whose concern-event rate is the family's
    own baseline; ``margin``: the reduction in that rate that still counts as the need being
    present; ``significance``: the level of every test against the baseline (how improbable
    the silence must be under the reduced rate before the data propose "met", and how clear a
    fall or rise in the rate must be for "improving" or "worse").
    """

    baseline_days: int
    margin: float = 0.5
    significance: float = 0.05


@dataclass(frozen=True)
class SustainedRule:
    """What "sustained" means: ``window_days`` after the anchor with at most ``max_events``."""

    window_days: int
    anchor: str
    max_events: int


@dataclass(frozen=True)
class Descriptor:
    """One family need under a headline outcome, and what counts as progress against it."""

    key: str
    outcome: str
    description: str
    indicators: tuple[str, ...]
    concern_kinds: tuple[str, ...]
    significant_progress: str
    proposal: ProposalRule
    sustained: SustainedRule
    wording: tuple[Wording, ...] = ()
    note: str = ""
    # "Significant and sustained progress" for this need in the sources' own words.
    progress_wording: tuple[Wording, ...] = ()


@dataclass(frozen=True)
class Framework:
    version: str
    title: str
    effective_from: dt.date
    min_needs: int
    requires_children_or_expectant: bool
    outcomes: tuple[str, ...]
    outcome_labels: dict[str, str]
    descriptors: tuple[Descriptor, ...]
    checksum: str
    sources: dict[str, Source] = field(default_factory=dict)
    source: str = ""
    headlines: dict[str, str] = field(default_factory=dict)
    also_called: dict[str, Wording] = field(default_factory=dict)
    other_needs: dict[str, tuple[Wording, ...]] = field(default_factory=dict)
    eligibility_sources: tuple[str, ...] = ()
    sustained_sources: tuple[str, ...] = ()
    sustained_wording: Wording | None = None

    def cite(self, wording: Wording) -> Source:
        """The source a piece of wording was transcribed from."""
        return self.sources[wording.source]

    def descriptor(self, key: str) -> Descriptor:
        for descriptor in self.descriptors:
            if descriptor.key == key:
                return descriptor
        raise KeyError(f"Framework {self.version} has no descriptor {key!r}.")

    def descriptor_for_indicator(self, indicator_key: str) -> Descriptor | None:
        """The descriptor a needs flag evidences (each indicator belongs to at most one)."""
        return next((d for d in self.descriptors if indicator_key in d.indicators), None)

    def label(self, outcome: str) -> str:
        return self.outcome_labels.get(outcome, outcome)


def _int(raw: Any, *, where: str, name: str, minimum: int = 1) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
        raise FrameworkError(f"{where}: {name} must be a whole number of at least {minimum}.")
    return raw


def _text(raw: Any, *, where: str, name: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise FrameworkError(f"{where}: {name} must be a non-empty text.")
    return raw.strip()


def _keys(raw: Any, known: set[str], *, where: str, name: str, what: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise FrameworkError(f"{where}: {name} must be a non-empty list.")
    unknown = [k for k in raw if k not in known]
    if unknown:
        raise FrameworkError(
            f"{where}: {name} lists unknown {what} {', '.join(map(str, unknown))}."
        )
    return tuple(raw)


def _fraction(raw: Any, *, where: str, name: str, below: float = 1.0) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw < below:
        raise FrameworkError(f"{where}: {name} must be a number between 0 and {below:g}.")
    return float(raw)


def _known_settings(raw: dict[str, Any], known: tuple[str, ...], *, where: str, name: str) -> None:
    """Refuse a setting the rules do not read, so a typo or a retired setting cannot pass."""
    unknown = sorted(str(k) for k in raw if k not in known)
    if not unknown:
        return
    retired = (
        " (the fixed quiet period is retired: met is tested against the family's own rate)"
        if "quiet_days" in unknown
        else ""
    )
    raise FrameworkError(
        f"{where}: {name} has unknown setting {', '.join(unknown)}{retired}; "
        f"the settings are {', '.join(known)}."
    )


def _sources(raw: Any, *, where: str) -> dict[str, Source]:
    if not isinstance(raw, dict) or not raw:
        raise FrameworkError(
            f"{where}: sources must name every document the wording is transcribed from."
        )
    found = {}
    for key, entry in raw.items():
        at = f"{where}: source {key!r}"
        if not isinstance(entry, dict):
            raise FrameworkError(f"{at} must be a mapping with kind and title.")
        kind = entry.get("kind")
        if kind not in SOURCE_KINDS:
            raise FrameworkError(f"{at}: kind must be one of {', '.join(SOURCE_KINDS)}.")
        url = str(entry.get("url") or "")
        if kind != "local" and not url.startswith("https://"):
            raise FrameworkError(f"{at}: a {kind} source needs its https:// address (url).")
        note = str(entry.get("note") or "")
        if kind == "local" and not note.strip():
            raise FrameworkError(f"{at}: a local addition needs a note saying why it is added.")
        found[str(key)] = Source(
            key=str(key),
            kind=kind,
            title=_text(entry.get("title"), where=at, name="title"),
            url=url,
            framework=str(entry.get("framework") or ""),
            note=note,
        )
    return found


def _source_keys(raw: Any, sources: dict[str, Source], *, where: str) -> tuple[str, ...]:
    keys = [raw] if isinstance(raw, str) else raw
    if not isinstance(keys, list) or not keys:
        raise FrameworkError(f"{where}: give the source (a key of sources).")
    unknown = [k for k in keys if k not in sources]
    if unknown:
        raise FrameworkError(f"{where}: cites unknown source {unknown[0]!r}.")
    return tuple(keys)


def _wordings(
    raw: Any, sources: dict[str, Source], *, where: str, name: str, required: bool = True
) -> tuple[Wording, ...]:
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or (required and not raw):
        raise FrameworkError(
            f"{where}: {name} must list the framework's wording, each with its source."
        )
    return tuple(_one_wording(w, sources, where=f"{where} {name}") for w in raw)


def _one_wording(raw: Any, sources: dict[str, Source], *, where: str) -> Wording:
    if not isinstance(raw, dict):
        raise FrameworkError(f"{where}: each entry is {{text, source}}.")
    text = _text(raw.get("text"), where=where, name="text")
    source = raw.get("source")
    if source not in sources:
        raise FrameworkError(f"{where} {text!r}: cites unknown source {source!r}.")
    return Wording(text, str(source))


def _descriptor(
    raw: Any,
    outcome: str,
    *,
    indicators: dict[str, str],
    kinds: set[str],
    sources: dict[str, Source],
) -> Descriptor:
    if not isinstance(raw, dict):
        raise FrameworkError(f"Outcome {outcome}: each descriptor must be a mapping.")
    key = _text(raw.get("key"), where=f"Outcome {outcome}", name="a descriptor's key")
    where = f"Descriptor {key!r} ({outcome})"
    own = _keys(
        raw.get("indicators"),
        set(indicators),
        where=where,
        name="indicators",
        what="needs indicator",
    )
    wrong = [i for i in own if indicators[i] != outcome]
    if wrong:
        raise FrameworkError(
            f"{where}: indicator {wrong[0]} evidences {indicators[wrong[0]]}, not {outcome}."
        )
    proposal, sustained = raw.get("proposal"), raw.get("sustained")
    if not isinstance(proposal, dict) or not isinstance(sustained, dict):
        raise FrameworkError(f"{where}: needs a proposal and a sustained rule.")
    _known_settings(proposal, PROPOSAL_SETTINGS, where=where, name="proposal")
    _known_settings(sustained, SUSTAINED_SETTINGS, where=where, name="sustained")
    anchor = sustained.get("anchor")
    if anchor not in ANCHORS:
        raise FrameworkError(f"{where}: sustained anchor must be one of {', '.join(ANCHORS)}.")
    return Descriptor(
        key=key,
        outcome=outcome,
        description=_text(raw.get("description"), where=where, name="description"),
        indicators=own,
        concern_kinds=_keys(
            raw.get("concern_kinds"), kinds, where=where, name="concern_kinds", what="event kind"
        ),
        significant_progress=_text(
            raw.get("significant_progress"), where=where, name="significant_progress"
        ),
        proposal=ProposalRule(
            baseline_days=_int(
                proposal.get("baseline_days"), where=where, name="proposal.baseline_days"
            ),
            margin=_fraction(proposal.get("margin"), where=where, name="proposal.margin"),
            significance=_fraction(
                proposal.get("significance"),
                where=where,
                name="proposal.significance",
                below=0.5,
            ),
        ),
        sustained=SustainedRule(
            window_days=_int(
                sustained.get("window_days"), where=where, name="sustained.window_days"
            ),
            anchor=anchor,
            max_events=_int(
                sustained.get("max_events"), where=where, name="sustained.max_events", minimum=0
            ),
        ),
        wording=_wordings(raw.get("wording"), sources, where=where, name="wording"),
        note=str(raw.get("note") or ""),
        progress_wording=_wordings(
            raw.get("progress_wording"), sources, where=where, name="progress_wording"
        ),
    )


def parse_framework(
    data: Any,
    *,
    outcome_labels: dict[str, str],
    indicators: dict[str, str],
    kinds: set[str],
) -> Framework:
    """Validate a framework already read from YAML (tests pass their own small ones)."""
    if not isinstance(data, dict):
        raise FrameworkError("The framework file must be a mapping with version and outcomes.")
    version = _text(data.get("version"), where="Framework", name="version")
    where = f"Framework {version}"
    effective = data.get("effective_from")
    if not isinstance(effective, dt.date):
        raise FrameworkError(f"{where}: effective_from must be a date (YYYY-MM-DD).")
    sources = _sources(data.get("sources"), where=where)
    (own_source,) = _source_keys(data.get("source"), sources, where=f"{where}: source")[:1]
    if sources[own_source].kind != "national":
        raise FrameworkError(f"{where}: source must be the national framework document.")
    eligibility = data.get("eligibility") or {}
    raw_outcomes = data.get("outcomes")
    if not isinstance(raw_outcomes, list) or not raw_outcomes:
        raise FrameworkError(f"{where}: outcomes must list the headline outcomes.")
    descriptors: list[Descriptor] = []
    seen_outcomes: list[str] = []
    headlines: dict[str, str] = {}
    also_called: dict[str, Wording] = {}
    other_needs: dict[str, tuple[Wording, ...]] = {}
    for entry in raw_outcomes:
        outcome = entry.get("outcome") if isinstance(entry, dict) else None
        if outcome not in outcome_labels:
            raise FrameworkError(
                f"{where}: outcome {outcome!r} is not one of the headline outcomes "
                f"({', '.join(outcome_labels)})."
            )
        if outcome in seen_outcomes:
            raise FrameworkError(f"{where}: outcome {outcome} is listed twice.")
        seen_outcomes.append(outcome)
        headlines[outcome] = _text(
            entry.get("headline"), where=f"{where}: outcome {outcome}", name="headline"
        )
        if entry.get("also_called") is not None:
            also_called[outcome] = _one_wording(
                entry["also_called"], sources, where=f"{where}: outcome {outcome} also_called"
            )
        other_needs[outcome] = _wordings(
            entry.get("other_needs"),
            sources,
            where=f"{where}: outcome {outcome}",
            name="other_needs",
            required=False,
        )
        raw_descriptors = entry.get("descriptors")
        if not isinstance(raw_descriptors, list) or not raw_descriptors:
            raise FrameworkError(f"{where}: outcome {outcome} has no descriptors.")
        descriptors += [
            _descriptor(d, outcome, indicators=indicators, kinds=kinds, sources=sources)
            for d in raw_descriptors
        ]
    missing = [o for o in outcome_labels if o not in seen_outcomes]
    if missing:
        raise FrameworkError(f"{where}: headline outcomes missing: {', '.join(missing)}.")
    keys = [d.key for d in descriptors]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise FrameworkError(f"{where}: descriptor {twice[0]!r} is listed twice.")
    claimed = [i for d in descriptors for i in d.indicators]
    shared = sorted({i for i in claimed if claimed.count(i) > 1})
    if shared:
        raise FrameworkError(f"{where}: indicator {shared[0]} belongs to more than one descriptor.")
    checksum = hashlib.sha256(yaml.safe_dump(data, sort_keys=True).encode()).hexdigest()[:16]
    return Framework(
        version=version,
        title=_text(data.get("title"), where=where, name="title"),
        effective_from=effective,
        min_needs=_int(eligibility.get("min_needs", 3), where=where, name="eligibility.min_needs"),
        requires_children_or_expectant=bool(
            eligibility.get("requires_children_or_expectant", True)
        ),
        outcomes=tuple(seen_outcomes),
        outcome_labels={o: outcome_labels[o] for o in seen_outcomes},
        descriptors=tuple(descriptors),
        checksum=checksum,
        sources=sources,
        source=own_source,
        headlines=headlines,
        also_called=also_called,
        other_needs=other_needs,
        eligibility_sources=_source_keys(
            eligibility.get("source"), sources, where=f"{where}: eligibility source"
        ),
        sustained_sources=_source_keys(
            data.get("sustained_source"), sources, where=f"{where}: sustained_source"
        ),
        sustained_wording=_one_wording(
            data.get("sustained_wording"), sources, where=f"{where}: sustained_wording"
        ),
    )


def read_framework(path: Path) -> Framework:
    """Read and validate one framework file against the live catalogues."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise FrameworkError(f"{path.name} is not valid YAML: {error}") from error
    return parse_framework(
        data,
        outcome_labels=load_outcome_labels(),
        indicators={i.key: i.outcome for i in load_catalogue().indicators},
        kinds=set(load_vocabulary()),
    )


@cache
def frameworks(directory: Path = CATALOGUE_DIR) -> tuple[Framework, ...]:
    """Every framework version in the catalogue folder, oldest first; versions must differ."""
    found = sorted(
        (read_framework(p) for p in directory.glob("framework-*.yaml")),
        key=lambda f: f.effective_from,
    )
    if not found:
        raise FrameworkError(f"No framework-*.yaml file in {directory}.")
    versions = [f.version for f in found]
    if len(set(versions)) != len(versions):
        raise FrameworkError(f"Two framework files share a version: {versions}.")
    return tuple(found)


def framework_for(on: dt.date, directory: Path = CATALOGUE_DIR) -> Framework:
    """The framework in effect on a date: the latest whose ``effective_from`` is not after it."""
    applicable = [f for f in frameworks(directory) if f.effective_from <= on]
    if not applicable:
        raise FrameworkError(f"No outcome framework was in effect on {on:%d %B %Y}.")
    return applicable[-1]


def framework_version(version: str, directory: Path = CATALOGUE_DIR) -> Framework:
    for framework in frameworks(directory):
        if framework.version == version:
            return framework
    raise FrameworkError(f"No outcome framework version {version!r}.")
