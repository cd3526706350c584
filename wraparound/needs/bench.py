"""Accuracy of needs identification against the synthetic county's truth (contract C1).

Pure polars: given the families and flags Wraparound produced and the county's truth tables,
how many true needs were found (recall) and how many flags were true (precision), per
outcome, overall and by deprivation decile; and how the targeting shares compare with the
planted ones. Predicted families are mapped to true families through their records, so the
same code scores a run on linked families (matching) or on the truth-based stand-in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

TRUTH_MEMBERSHIP_SOURCE = "truth (benchmark stand-in for linkage)"


def _truth(county: Path, name: str) -> pl.DataFrame:
    path = county / "truth" / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: is {county} a `wraparound synth` folder?")
    return pl.read_parquet(path)


def truth_membership(county: Path) -> pl.DataFrame:
    """The pipeline's membership table built from the county's truth, not from linkage.

    For the benchmark only, when linkage is unavailable: every record is put in its true
    family, with the true date of birth, so the figures measure the indicators alone.
    """
    records = _truth(county, "records")
    persons = _truth(county, "persons").select("person_id", "family_id", "is_child", "dob")
    families = _truth(county, "families").select("family_id", "locality")
    return (
        records.join(persons, on="person_id", how="inner")
        .join(families, on="family_id", how="left")
        .select(
            pl.concat_str("source", "source_id", separator=":").alias("record_key"),
            pl.col("person_id").alias("person_public_id"),
            pl.col("family_id").alias("family_public_id"),
            "is_child",
            pl.col("dob").cast(pl.Date),
            "locality",
        )
    )


def family_map(membership: pl.DataFrame, county: Path) -> pl.DataFrame:
    """Predicted family -> the true family most of its records belong to."""
    truth_records = _truth(county, "records").select(
        pl.concat_str("source", "source_id", separator=":").alias("record_key"), "person_id"
    )
    persons = _truth(county, "persons").select("person_id", "family_id")
    votes = (
        membership.select("record_key", "family_public_id")
        .join(truth_records, on="record_key")
        .join(persons, on="person_id")
        .group_by("family_public_id", "family_id")
        .len()
        .sort(["family_public_id", "len", "family_id"], descending=[False, True, False])
    )
    return (
        votes.group_by("family_public_id", maintain_order=True)
        .first()
        .select("family_public_id", "family_id")
    )


def _scores(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return (
        frame.group_by(by)
        .agg(
            (pl.col("truth") & pl.col("predicted")).sum().alias("tp"),
            (~pl.col("truth") & pl.col("predicted")).sum().alias("fp"),
            (pl.col("truth") & ~pl.col("predicted")).sum().alias("fn"),
        )
        .with_columns(
            (pl.col("tp") / (pl.col("tp") + pl.col("fn"))).round(3).alias("recall"),
            (pl.col("tp") / (pl.col("tp") + pl.col("fp"))).round(3).alias("precision"),
        )
        .sort(by)
    )


def _records(frame: pl.DataFrame, key: str) -> dict[str, dict[str, Any]]:
    return {
        str(row.pop(key)): {k: (None if v != v else v) for k, v in row.items()}  # NaN -> null
        for row in frame.to_dicts()
    }


def accuracy(
    *, profiles: pl.DataFrame, flags: pl.DataFrame, membership: pl.DataFrame, county: Path
) -> dict[str, Any]:
    """Recall and precision per outcome, overall, by deprivation decile; targeting shares."""
    mapping = family_map(membership, county)
    families = _truth(county, "families").select(
        "family_id", "deprivation_decile", "n_children", "at_risk"
    )
    needs = _truth(county, "needs").select(
        "family_id", "outcome", pl.col("has_need").alias("truth")
    )
    predicted = (
        flags.select("family_public_id", "outcome").unique()
        .join(mapping, on="family_public_id")
        .select("family_id", "outcome").unique()
        .with_columns(pl.lit(True).alias("predicted"))
    )  # fmt: skip
    scored = (
        needs.join(predicted, on=["family_id", "outcome"], how="left")
        .with_columns(pl.col("predicted").fill_null(False))
        .join(families.select("family_id", "deprivation_decile"), on="family_id")
    )
    overall = _scores(scored.with_columns(pl.lit("all").alias("all")), ["all"])
    return {
        "per_outcome": _records(_scores(scored, ["outcome"]), "outcome"),
        "overall": _records(overall, "all")["all"],
        "by_deprivation_decile": _records(
            _scores(scored, ["deprivation_decile"]), "deprivation_decile"
        ),
        "at_risk": _at_risk_accuracy(profiles, mapping, families),
        "supported": _supported_accuracy(profiles, mapping, county),
        "targeting": _targeting_shares(profiles, mapping, families, county),
    }


def _predicted_families(profiles: pl.DataFrame, mapping: pl.DataFrame) -> pl.DataFrame:
    return (
        profiles.select("family_public_id", "at_risk", "supported")
        .join(mapping, on="family_public_id")
        .group_by("family_id")
        .agg(
            pl.col("at_risk").any().alias("p_at_risk"),
            pl.col("supported").any().alias("p_supported"),
        )
    )


def _at_risk_accuracy(
    profiles: pl.DataFrame, mapping: pl.DataFrame, families: pl.DataFrame
) -> dict[str, Any]:
    joined = families.join(
        _predicted_families(profiles, mapping), on="family_id", how="left"
    ).select(
        pl.col("at_risk").alias("truth"), pl.col("p_at_risk").fill_null(False).alias("predicted")
    )
    result = _records(_scores(joined.with_columns(pl.lit("all").alias("all")), ["all"]), "all")
    return result["all"]


def _supported_accuracy(
    profiles: pl.DataFrame, mapping: pl.DataFrame, county: Path
) -> dict[str, Any]:
    """Families found receiving statutory support against truth/support.parquet."""
    support = _truth(county, "support").select(
        "family_id", pl.col("statutory_support").alias("truth")
    )
    joined = support.join(
        _predicted_families(profiles, mapping), on="family_id", how="left"
    ).select("truth", pl.col("p_supported").fill_null(False).alias("predicted"))
    return _records(_scores(joined.with_columns(pl.lit("all").alias("all")), ["all"]), "all")["all"]


def _targeting_shares(
    profiles: pl.DataFrame, mapping: pl.DataFrame, families: pl.DataFrame, county: Path
) -> dict[str, Any]:
    """Shares of families and of children: identified vs planted (truth)."""
    support = _truth(county, "support").select("family_id", "statutory_support")
    joined = (
        families.join(support, on="family_id", how="left")
        .join(_predicted_families(profiles, mapping), on="family_id", how="left")
        .with_columns(pl.col("p_at_risk", "p_supported", "statutory_support").fill_null(False))
        .with_columns(pl.lit(1, dtype=pl.Int64).alias("one"))
    )

    def shares(weight: pl.Expr) -> dict[str, float]:
        total = joined.select(weight.sum()).item() or 1

        def share(expr: pl.Expr) -> float:
            return round(joined.select((weight * expr.cast(pl.Int64)).sum()).item() / total, 4)

        return {
            "identified_at_risk": share(pl.col("p_at_risk")),
            "identified_supported": share(pl.col("p_supported")),
            "identified_at_risk_not_supported": share(pl.col("p_at_risk") & ~pl.col("p_supported")),
            "truth_at_risk": share(pl.col("at_risk")),
            "truth_supported": share(pl.col("statutory_support")),
        }

    supported = joined.filter(pl.col("p_supported"))
    return {
        "families": shares(pl.col("one")),
        "children": shares(pl.col("n_children").cast(pl.Int64)),
        "identified_supported_who_are_identified_at_risk": round(
            supported.select(pl.col("p_at_risk").cast(pl.Float64).mean()).item() or 0.0, 4
        ),
    }
