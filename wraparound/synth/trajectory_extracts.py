"""The planted trajectories' concern events, written into the agencies' own extracts.

``trajectories`` plants each engaged family's concern events in the truth folder only, so the
county's extracts (and every figure scored on them) stay as they were. To score the outcome
rules on data that went through import and linkage, this writes a copy of the extracts with
each recorded trajectory event appended as a row of the agency that records its kind, in that
agency's own shape: a copy of one of the family's existing rows there (its identifiers, as
that agency recorded them, noise and all), with the event type, date and reference replaced.
Which member's row is drawn at random per event, so linkage errors on any member's record
move that member's events to wherever linkage put them. Events of a family the agency holds
no record of cannot be written (counted as ``not_placed``). No Django here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from wraparound.outcomes.framework import framework_for
from wraparound.synth.catalogues import DatasetShape, load_catalogues
from wraparound.synth.trajectories import CONCERN_KIND

# Its own random stream, apart from the county's chunks and the trajectories' own.
TRAJECTORY_EXTRACT_STREAM = 7_000_018
REF_PREFIX = "TRJ"


@dataclass(frozen=True)
class _Target:
    """Where one concern kind can be written: an events dataset and the label it uses."""

    dataset: DatasetShape
    label: str
    kind: str


def _targets(as_of: dt.date) -> dict[str, list[_Target]]:
    """For each outcome, the CSV events datasets that record a concern kind of its descriptor.

    The planted kind first (``CONCERN_KIND``), then the descriptor's other concern kinds, so a
    family the first agency does not know can still have its events recorded by another.
    """
    descriptors: dict[str, tuple[str, ...]] = {}
    for descriptor in framework_for(as_of).descriptors:
        descriptors.setdefault(descriptor.outcome, descriptor.concern_kinds)
    found: dict[str, list[_Target]] = {}
    datasets = [d for d in load_catalogues().datasets if d.rows == "events" and d.format == "csv"]
    for outcome, planted in CONCERN_KIND.items():
        kinds = [planted, *(k for k in descriptors.get(outcome, ()) if k != planted)]
        found[outcome] = [
            _Target(ds, rule.label, kind)
            for kind in kinds
            for ds in datasets
            for rule in ds.events
            if rule.kind == kind
        ]
        if not found[outcome] or found[outcome][0].kind != planted:
            raise RuntimeError(f"No CSV events dataset records {planted} ({outcome}).")
    return found


def _header(ds: DatasetShape, field: str) -> str | None:
    return next((h for h, f in ds.columns if f == field), None)


def _family_records(county: Path, source: str) -> dict[str, list[str]]:
    """Each true family's source ids in one dataset, sorted (the truth's own ids)."""
    records = pl.read_parquet(county / "truth" / "records.parquet").filter(
        pl.col("source") == source
    )
    persons = pl.read_parquet(
        county / "truth" / "persons.parquet", columns=["person_id", "family_id"]
    )
    grouped = (
        records.join(persons, on="person_id")
        .group_by("family_id")
        .agg(pl.col("source_id").unique().sort())
    )
    return dict(zip(grouped["family_id"].to_list(), grouped["source_id"].to_list(), strict=True))


def _read(ds: DatasetShape, original: Path) -> tuple[list[str], list[list[str]]]:
    """The extract's header and rows, as text."""
    with original.open(encoding=ds.encoding or "utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=ds.delimiter)
        header = next(reader)
        return header, [row for row in reader if len(row) == len(header)]


def _templates(ds: DatasetShape, header: list[str], rows: list[list[str]]) -> dict[str, list[str]]:
    """The first row of each source id."""
    id_at = header.index(_header(ds, "source_id") or "")
    templates: dict[str, list[str]] = {}
    for row in rows:
        templates.setdefault(row[id_at], row)
    return templates


def _superseded(county: Path, as_of: dt.date) -> dict[str, set[tuple[str, str, dt.date]]]:
    """Per dataset, the county's own events the trajectories replace: (source id, kind, date).

    The county generates a need's events without knowing of engagement; for an engaged
    family's planted need, the trajectory is the need's whole story from a year before
    engagement, so the county's events driven by that need from then on are dropped.
    """
    trajectories = pl.read_parquet(
        county / "truth" / "trajectories.parquet", columns=["family_id", "outcome", "engaged_on"]
    )
    events = pl.read_parquet(county / "truth" / "events.parquet").join(
        trajectories,
        left_on=["family_id", "driven_by_outcome"],
        right_on=["family_id", "outcome"],
    )
    dropped = events.filter(pl.col("event_date") >= pl.col("engaged_on") - pl.duration(days=365))
    found: dict[str, set[tuple[str, str, dt.date]]] = defaultdict(set)
    for source, source_id, kind, when in dropped.select(
        "source", "source_id", "kind", "event_date"
    ).iter_rows():
        found[source].add((source_id, kind, when))
    return found


def _keep(ds: DatasetShape, header: list[str], rows: list[list[str]],
          drop: set[tuple[str, str, dt.date]]) -> list[list[str]]:  # fmt: skip
    """The rows that are not one of the ``drop`` events (matched on id, kind and day)."""
    if not drop or ds.rows != "events":
        return rows
    id_at = header.index(_header(ds, "source_id") or "")
    label_at = header.index(_header(ds, "event_label") or "")
    date_at = header.index(_header(ds, "event_date") or "")
    kinds: dict[str, set[str]] = defaultdict(set)
    for rule in ds.events:
        kinds[rule.label].add(rule.kind)
    fmt = ds.event_date_format or "%Y-%m-%d"
    kept = []
    for row in rows:
        try:
            when = dt.datetime.strptime(row[date_at], fmt).date()
        except ValueError:
            kept.append(row)
            continue
        if not any((row[id_at], k, when) in drop for k in kinds.get(row[label_at], ())):
            kept.append(row)
    return kept


def _render(ds: DatasetShape, header: list[str], rows: list[tuple[list[str], str, dt.date]]) -> str:
    """New rows: each template with its event type, date and reference replaced."""
    label_at = header.index(_header(ds, "event_label") or "")
    date_at = header.index(_header(ds, "event_date") or "")
    ref = _header(ds, "event_ref")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=ds.delimiter, lineterminator="\r\n")
    for number, (template, label, when) in enumerate(rows, start=1):
        row = list(template)
        row[label_at] = label
        row[date_at] = dt.datetime.combine(when, dt.time(12, 0)).strftime(
            ds.event_date_format or "%Y-%m-%d"
        )
        if ref:
            row[header.index(ref)] = f"{REF_PREFIX}{number:08d}"
        writer.writerow(row)
    return buffer.getvalue()


def write_trajectory_extracts(
    county: Path, out: Path, *, seed: int, as_of: dt.date
) -> dict[str, Any]:
    """Copy the county's extracts into ``out`` with the trajectory events in them.

    Writes ``out/manifest.json`` (the county's manifest, every file an absolute path, the
    changed extracts pointing into ``out``) and returns what was written per dataset. The
    county's own events of an engaged family's planted need are dropped from a year before
    engagement (``_superseded``), in the CSV extracts (a workbook's are kept and counted).
    Each family's events of one need go to the first target dataset holding a record of the
    family, on a member's row drawn at random per event.
    """
    rng = np.random.default_rng([seed, TRAJECTORY_EXTRACT_STREAM])
    targets = _targets(as_of)
    manifest = json.loads((county / "manifest.json").read_text(encoding="utf-8"))
    files = {
        f"{e['agency_slug']}:{e['dataset_kind']}": county / e["file"] for e in manifest["extracts"]
    }
    datasets = {d.source: d for d in load_catalogues().datasets}
    superseded = _superseded(county, as_of)
    wanted = {t.dataset.source for options in targets.values() for t in options}
    tables: dict[str, tuple[list[str], list[list[str]], int]] = {}
    templates: dict[str, dict[str, list[str]]] = {}
    for source in wanted | set(superseded):
        ds = datasets[source]
        if ds.format == "csv":
            header, rows = _read(ds, files[source])
            tables[source] = (header, _keep(ds, header, rows, superseded[source]), len(rows))
            # templates from every row: a record whose own events were replaced still exists
            templates[source] = _templates(ds, header, rows)
    members = {
        s: {
            f: [i for i in ids if i in templates[s]]
            for f, ids in _family_records(county, s).items()
        }
        for s in wanted
    }
    recorded = pl.read_parquet(county / "truth" / "trajectory_events.parquet").sort(
        "family_id", "outcome", "event_date"
    )
    new_rows: dict[str, list[tuple[list[str], str, dt.date]]] = defaultdict(list)
    not_placed = 0
    for (family_id, outcome), group in recorded.group_by(
        ["family_id", "outcome"], maintain_order=True
    ):
        target = next(
            (t for t in targets[str(outcome)] if members[t.dataset.source].get(str(family_id))),
            None,
        )
        if target is None:
            not_placed += group.height
            continue
        ids = members[target.dataset.source][str(family_id)]
        for when in group["event_date"].to_list():
            chosen = templates[target.dataset.source][ids[int(rng.integers(0, len(ids)))]]
            new_rows[target.dataset.source].append((chosen, target.label, when))
    (out / "extracts").mkdir(parents=True, exist_ok=True)
    written: dict[str, dict[str, int]] = {}
    for entry in manifest["extracts"]:
        source = f"{entry['agency_slug']}:{entry['dataset_kind']}"
        entry["file"] = str(files[source])
        if source not in tables:
            continue
        ds, (header, kept, read) = datasets[source], tables[source]
        copy = out / "extracts" / files[source].name
        with copy.open("w", encoding=ds.encoding or "utf-8", newline="") as handle:
            csv.writer(handle, delimiter=ds.delimiter, lineterminator="\r\n").writerows(
                [header, *kept]
            )
            handle.write(_render(ds, header, new_rows.get(source, [])))
        added = len(new_rows.get(source, []))
        entry["file"], entry["rows"] = str(copy), len(kept) + added
        written[source] = {"trajectory_rows_added": added, "county_rows_replaced": read - len(kept)}
    kept_in_workbooks = sum(len(v) for k, v in superseded.items() if datasets[k].format != "csv")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return {"trajectory_events": recorded.height, "by_dataset": written, "not_placed": not_placed,
            "county_events_kept_in_workbooks": kept_in_workbooks}  # fmt: skip
