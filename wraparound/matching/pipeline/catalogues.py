"""Reference data the linkage model reads: the nickname groups.

Kept as a YAML data file so analysts can extend it without touching code; validated once
when first loaded so that a typo fails loudly rather than silently weakening matching.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from wraparound.matching.pipeline.errors import LinkageConfigurationError

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "catalogues"
NICKNAMES_PATH = CATALOGUE_DIR / "nicknames.yaml"


@cache
def nickname_to_canonical(path: Path = NICKNAMES_PATH) -> dict[str, str]:
    """Map every known variant (and each canonical name itself) to its canonical name."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LinkageConfigurationError(f"Cannot read nickname catalogue {path}: {exc}") from exc
    groups = document.get("groups") if isinstance(document, dict) else None
    if not isinstance(groups, dict) or not groups:
        raise LinkageConfigurationError(f"{path} must have a non-empty 'groups' mapping")
    mapping: dict[str, str] = {}
    for canonical, variants in groups.items():
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise LinkageConfigurationError(f"{path}: group '{canonical}' must list names")
        for name in [canonical, *variants]:
            if name != name.lower().strip() or not name.isalpha():
                raise LinkageConfigurationError(f"{path}: '{name}' must be lower-case letters only")
            if mapping.get(name, canonical) != canonical:
                raise LinkageConfigurationError(
                    f"{path}: '{name}' is listed under both '{mapping[name]}' and '{canonical}'"
                )
            mapping[name] = canonical
    return mapping
