"""link_records: perturbed copies of people come back as the same people."""

from __future__ import annotations

import json

import polars as pl
import pytest

from wraparound.matching.pipeline import (
    LinkageInputError,
    LinkageResult,
    LinkageSettings,
    TooManyComparisonsError,
    link_records,
)
from wraparound.matching.pipeline.clusters import pair_key
from wraparound.matching.pipeline.evaluation import pairwise_scores
from wraparound.matching.tests.fake_people import fake_records

pytestmark = pytest.mark.pipeline

TRUTH_COLUMNS = ("person_id", "family_id")


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    return fake_records(120, seed=11)


@pytest.fixture(scope="module")
def linked(people: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> LinkageResult:
    settings = LinkageSettings(model_dir=tmp_path_factory.mktemp("models"))
    return link_records(people.drop(TRUTH_COLUMNS), settings=settings)


def _truth(people: pl.DataFrame) -> pl.DataFrame:
    return people.select("record_key", pl.col("person_id").alias("entity_id"))


def test_perturbed_copies_of_people_are_linked_with_high_precision_and_recall(
    people: pl.DataFrame, linked: LinkageResult
) -> None:
    scores = pairwise_scores(linked.clusters, _truth(people))
    assert scores["precision"] >= 0.97, scores
    assert scores["recall"] >= 0.95, scores


def test_every_record_is_in_exactly_one_cluster(
    people: pl.DataFrame, linked: LinkageResult
) -> None:
    assert linked.clusters.height == people.height
    assert linked.clusters["record_key"].n_unique() == people.height


def test_comparisons_are_counted_per_blocking_rule_before_predicting(linked: LinkageResult) -> None:
    rules = [row["rule"] for row in linked.comparisons]
    assert rules[:2] == ["nhs_number", "upn"]
    assert linked.comparison_count > 0
    assert all(row["comparisons"] >= 0 for row in linked.comparisons)


def test_review_pairs_lie_between_the_thresholds_and_across_people(linked: LinkageResult) -> None:
    """Above the match threshold only pairs held back for a person's eye are reviewed:
    relatives alike but for one field, or a join that would contradict an identifier."""
    review = linked.review_pairs
    uncertain = review["match_probability"].is_between(0.5, 0.95, closed="left")
    assert (uncertain | review["needs_review"]).all()
    assert review["match_probability"].min() >= 0.5
    cluster = dict(zip(linked.clusters["record_key"], linked.clusters["cluster_id"], strict=True))
    for left, right in zip(review["record_key_l"], review["record_key_r"], strict=True):
        assert cluster[left] != cluster[right]


def test_each_pair_says_which_fields_agreed(linked: LinkageResult) -> None:
    best = linked.pairs.sort("match_probability", descending=True).row(0, named=True)
    why = linked.why(best)
    assert set(why) >= {"first_name", "surname", "dob"}
    assert all(isinstance(label, str) and label for label in why.values())


def test_model_is_saved_as_json_with_its_version(linked: LinkageResult) -> None:
    assert linked.model_path is not None
    model = json.loads(linked.model_path.read_text())
    meta = json.loads(linked.model_path.with_suffix(".meta.json").read_text())
    assert model["link_type"] == "dedupe_only"
    assert meta["version"] >= 1
    assert meta["records"] > 0
    assert "-v" in linked.model_path.name


def test_forced_non_link_separates_records_the_model_joined(
    people: pl.DataFrame, linked: LinkageResult
) -> None:
    pair = linked.pairs.filter(pl.col("match_probability") > 0.99).row(0, named=True)
    decided = frozenset({pair_key(pair["record_key_l"], pair["record_key_r"])})
    # Cut every other route between them too, so only the decision can keep them apart.
    settings = LinkageSettings(model_dir=None, forced_non_links=decided, match_threshold=1.0)
    result = link_records(people.drop(TRUTH_COLUMNS), settings=settings)
    assert not result.pairs.filter(
        (pl.col("record_key_l") == pair["record_key_l"])
        & (pl.col("record_key_r") == pair["record_key_r"])
    ).height
    cluster = dict(zip(result.clusters["record_key"], result.clusters["cluster_id"], strict=True))
    assert cluster[pair["record_key_l"]] != cluster[pair["record_key_r"]]


def test_a_ruling_that_two_records_differ_keeps_their_people_apart_via_any_chain(
    people: pl.DataFrame, linked: LinkageResult
) -> None:
    """With the thresholds as usual, other pairs could chain the two records back together;
    the ruling is a constraint on the people, not only the removal of one pair."""
    cluster = dict(zip(linked.clusters["record_key"], linked.clusters["cluster_id"], strict=True))
    joined = linked.clusters.group_by("cluster_id").len().filter(pl.col("len") >= 3)
    members = linked.clusters.filter(pl.col("cluster_id") == joined["cluster_id"][0])
    first, last = members["record_key"][0], members["record_key"][-1]
    assert cluster[first] == cluster[last]
    settings = LinkageSettings(model_dir=None, forced_non_links=frozenset({pair_key(first, last)}))
    result = link_records(people.drop(TRUTH_COLUMNS), settings=settings)
    after = dict(zip(result.clusters["record_key"], result.clusters["cluster_id"], strict=True))
    assert after[first] != after[last]
    ruled = {after[first], after[last]}
    asked = result.review_pairs.select(
        pl.col("record_key_l").replace_strict(after).alias("l"),
        pl.col("record_key_r").replace_strict(after).alias("r"),
    )
    assert not any({left, right} == ruled for left, right in asked.iter_rows())


def test_the_review_queue_asks_once_per_pair_of_people(linked: LinkageResult) -> None:
    cluster = dict(zip(linked.clusters["record_key"], linked.clusters["cluster_id"], strict=True))
    people_pairs = [
        frozenset((cluster[left], cluster[right]))
        for left, right in linked.review_pairs.select("record_key_l", "record_key_r").iter_rows()
    ]
    assert len(people_pairs) == len(set(people_pairs))
    band = linked.pairs.filter(
        (pl.col("match_probability") < 0.95) | pl.col("needs_review")
    ).filter(
        pl.col("record_key_l").replace_strict(cluster)
        != pl.col("record_key_r").replace_strict(cluster)
    )
    assert band.height >= linked.review_pairs.height > 0


def test_a_probable_pair_held_back_for_review_says_why(linked: LinkageResult) -> None:
    held = linked.review_pairs.filter(pl.col("needs_review"))
    assert held.height > 0
    for row in held.iter_rows(named=True):
        assert linked.why(row)["held back"].startswith("Not joined automatically")
    uncertain = linked.review_pairs.filter(~pl.col("needs_review"))
    assert all("held back" not in linked.why(row) for row in uncertain.iter_rows(named=True))


def test_forced_link_joins_records_the_model_left_apart(people: pl.DataFrame) -> None:
    left, right = people["record_key"][0], people["record_key"][-1]
    settings = LinkageSettings(model_dir=None, forced_links=frozenset({pair_key(left, right)}))
    result = link_records(people.drop(TRUTH_COLUMNS), settings=settings)
    cluster = dict(zip(result.clusters["record_key"], result.clusters["cluster_id"], strict=True))
    assert cluster[left] == cluster[right]


def test_a_single_record_is_one_person_with_no_pairs(people: pl.DataFrame) -> None:
    result = link_records(
        people.head(1).drop(TRUTH_COLUMNS), settings=LinkageSettings(model_dir=None)
    )
    assert result.pairs.is_empty()
    assert result.clusters["cluster_id"].to_list() == [people["record_key"][0]]


def test_no_records_give_no_people(people: pl.DataFrame) -> None:
    result = link_records(
        people.head(0).drop(TRUTH_COLUMNS), settings=LinkageSettings(model_dir=None)
    )
    assert result.clusters.is_empty()
    assert result.pairs.is_empty()


def test_an_all_null_column_is_left_out_of_the_model(people: pl.DataFrame) -> None:
    records = people.drop(TRUTH_COLUMNS).with_columns(
        pl.lit(None, dtype=pl.Utf8).alias("nhs_number")
    )
    result = link_records(records, settings=LinkageSettings(model_dir=None))
    assert "nhs_number" not in result.why_labels
    assert "nhs_number" not in [row["rule"] for row in result.comparisons]
    assert pairwise_scores(result.clusters, _truth(people))["f1"] >= 0.9


def test_records_with_nothing_comparable_are_refused(people: pl.DataFrame) -> None:
    with pytest.raises(LinkageInputError, match="Too little to compare"):
        link_records(
            people.select("record_key", "source"), settings=LinkageSettings(model_dir=None)
        )


def test_blocking_that_would_explode_is_refused_before_scoring(people: pl.DataFrame) -> None:
    settings = LinkageSettings(model_dir=None, max_comparisons=10)
    with pytest.raises(TooManyComparisonsError, match="ceiling"):
        link_records(people.drop(TRUTH_COLUMNS), settings=settings)


def test_thresholds_out_of_order_are_refused() -> None:
    from wraparound.matching.pipeline import LinkageConfigurationError

    with pytest.raises(LinkageConfigurationError):
        LinkageSettings(match_threshold=0.4, review_threshold=0.6)
