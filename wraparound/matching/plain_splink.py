"""Run the plain Splink baseline on files, as a process of its own for fair timing.

``python -m wraparound.matching.plain_splink --mapping MAP.toml --out DIR FILE...`` reads
the files exactly as ``match-files`` does (same mapping, same records) and writes
``DIR/clusters.csv`` (``record_key, cluster_id``) and ``DIR/figures.json``. Used by
``wraparound bench match-files``; no Django.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import polars as pl

from wraparound.matching.pipeline.baseline import textbook_link
from wraparound.matching.pipeline.files import load_mapping, read_file

LINK_TYPES = {
    "link_and_dedupe": "link_and_dedupe",
    "link_only": "link_only",
    "dedupe_only": "dedupe_only",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mapping", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("files", nargs="+", type=Path)
    options = parser.parse_args(argv)
    mapping = load_mapping(options.mapping)
    records = pl.concat(
        [read_file(path, mapping.for_path(path)) for path in options.files],
        how="diagonal_relaxed",
    )
    mode = str(mapping.settings.get("mode", "link_and_dedupe"))
    if len(options.files) == 1:
        mode = "dedupe_only"
    run = textbook_link(records, link_type=LINK_TYPES[mode])
    options.out.mkdir(parents=True, exist_ok=True)
    run.clusters.write_csv(options.out / "clusters.csv")
    figures = {"comparisons": run.comparisons, "blocking_rules": run.rules, "rule_cap": run.cap}
    (options.out / "figures.json").write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
