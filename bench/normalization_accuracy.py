"""Accuracy and speed of phrase normalisation on the labelled noisy sets.

    python -m bench.normalization_accuracy [--threshold 72] [--confusions 40]

A phrase counts as correct when it maps to its labelled concept, or, for a
phrase labelled with no concept, when it stays a free phrase. Rows whose noise
kind starts with ``holdout_`` were written after the scorer and the variants
were tuned on the other rows, and are reported apart: they estimate accuracy on
phrasings nobody tuned for.

``bench/data/noisy_phrases_holdout2.csv`` is a second holdout, written before the
second round of tuning and reported on its own line. It is scored as phrases are
stored: split into the concepts they list (``Normalizer.split``), so a row may name
several concepts ("empathisch en geduldig": ``cc.empathy|cc.patience``) and is
correct when the phrase yields exactly that set.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# Run as a script, bench/ would come first on sys.path and bench/matching.py would
# hide the matching package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from matching.normalizer import DEFAULT_THRESHOLD, NormalizationResult, Normalizer  # noqa: E402
from matching.taxonomy import Taxonomy  # noqa: E402
from matching.text import normalize_text  # noqa: E402

DATA = Path(__file__).parent / "data" / "noisy_phrases.csv"
HOLDOUT2 = Path(__file__).parent / "data" / "noisy_phrases_holdout2.csv"


@dataclass(frozen=True)
class Sample:
    phrase: str
    concept_id: str | None
    noise_kind: str


def load_samples(path: Path = DATA) -> list[Sample]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Sample(row["phrase"], row["concept_id"] or None, row["noise_kind"])
            for row in csv.DictReader(handle)
        ]


def is_correct(sample: Sample, result: NormalizationResult) -> bool:
    return result.concept_id == sample.concept_id


def concept_set(concept_ids: str | None) -> str | None:
    """Concept ids joined by "|" as a sorted set; None for none."""
    ids = sorted({c for c in (concept_ids or "").split("|") if c})
    return "|".join(ids) or None


def write_time_concepts(normalizer: Normalizer, phrases: list[str]) -> list[str | None]:
    """Per phrase, the concepts it is stored as (split, then normalised), as :func:`concept_set`."""
    splits = normalizer.split_many(phrases)
    parts = normalizer.normalize_many(p for split in splits for p in split)
    found: list[str | None] = []
    start = 0
    for split in splits:
        found.append(
            concept_set("|".join(r.concept_id or "" for r in parts[start : start + len(split)]))
        )
        start += len(split)
    return found


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} phrases/s ({seconds * 1000:.1f} ms for {count:,})"


def measure_speed(taxonomy: Taxonomy, phrases: list[str], threshold: float) -> None:
    rng = random.Random(7)
    start = time.perf_counter()
    for _ in range(10_000):
        normalize_text(rng.choice(phrases))
    print(f"normalize_text:                  {rate(10_000, time.perf_counter() - start)}")

    normalizer = Normalizer(taxonomy, threshold=threshold)
    normalizer.normalize_many(["warm up"])
    start = time.perf_counter()
    normalizer.normalize_many(phrases)
    print(f"normalize_many, cold phrases:    {rate(len(phrases), time.perf_counter() - start)}")

    workload = [rng.choice(phrases) for _ in range(50_000)]
    start = time.perf_counter()
    normalizer.normalize_many(workload)
    print(f"normalize_many, cached phrases:  {rate(len(workload), time.perf_counter() - start)}")

    labels = [p for c in taxonomy.concepts for p in c.all_phrases]
    mixed = [
        rng.choice(labels) if rng.random() < 0.7 else rng.choice(phrases) for _ in range(20_000)
    ]
    fresh = Normalizer(taxonomy, threshold=threshold)
    start = time.perf_counter()
    fresh.normalize_many(mixed)
    print(
        "normalize_many, 70 % known variants / 30 % noisy, cold cache: "
        f"{rate(len(mixed), time.perf_counter() - start)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--confusions", type=int, default=60, help="confusion cases to print")
    args = parser.parse_args()

    taxonomy = Taxonomy.load_default()
    samples = load_samples()
    normalizer = Normalizer(taxonomy, threshold=args.threshold)
    results = normalizer.normalize_many(s.phrase for s in samples)

    totals: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    confusions: list[tuple[Sample, NormalizationResult]] = []
    for sample, result in zip(samples, results, strict=True):
        totals[sample.noise_kind] += 1
        if is_correct(sample, result):
            correct[sample.noise_kind] += 1
        else:
            confusions.append((sample, result))

    concept_samples = [s for s in samples if s.concept_id]
    free_samples = [s for s in samples if not s.concept_id]
    by_phrase = dict(zip((s.phrase for s in samples), results, strict=True))
    print(f"taxonomy {taxonomy.version}: {len(taxonomy)} concepts; threshold {args.threshold}")
    print(
        f"{len(samples)} labelled phrases ({len(concept_samples)} with a concept, "
        f"{len(free_samples)} that should stay free)\n"
    )
    print(f"{'noise kind':16} {'correct':>8} {'total':>6} {'accuracy':>9}")
    for kind in sorted(totals):
        print(f"{kind:16} {correct[kind]:8} {totals[kind]:6} {correct[kind] / totals[kind]:9.1%}")
    hits = sum(is_correct(s, by_phrase[s.phrase]) for s in concept_samples)
    free_ok = sum(is_correct(s, by_phrase[s.phrase]) for s in free_samples)
    overall = sum(correct.values()) / len(samples)
    for name, holdout in (("development rows", False), ("holdout rows", True)):
        part = [s for s in samples if s.noise_kind.startswith("holdout_") is holdout]
        right = sum(is_correct(s, by_phrase[s.phrase]) for s in part)
        if part:
            print(f"{name + ':':20} {right}/{len(part)} = {right / len(part):.1%}")
    second = load_samples(HOLDOUT2)
    stored = write_time_concepts(normalizer, [s.phrase for s in second])
    right2 = [concept_set(s.concept_id) == got for s, got in zip(second, stored, strict=True)]
    print(f"{'holdout2 rows:':20} {sum(right2)}/{len(second)} = {sum(right2) / len(second):.1%}")
    kinds2 = sorted({s.noise_kind for s in second})
    print(
        "  by kind: "
        + ", ".join(
            f"{k} {sum(r for s, r in zip(second, right2, strict=True) if s.noise_kind == k)}"
            f"/{sum(s.noise_kind == k for s in second)}"
            for k in kinds2
        )
    )
    print(
        f"\ncorrect concept:     {hits}/{len(concept_samples)} = {hits / len(concept_samples):.1%}"
    )
    print(f"correctly free:      {free_ok}/{len(free_samples)} = {free_ok / len(free_samples):.1%}")
    print(f"overall accuracy:    {overall:.1%}\n")

    print(f"confusion cases ({len(confusions)}, first {args.confusions}):")
    for sample, result in confusions[: args.confusions]:
        got = result.concept_id or "(free)"
        best = result.candidates[0] if result.candidates else None
        best_text = (
            f"{best.concept_id} {best.score:.1f} via {best.matched_variant!r}" if best else "-"
        )
        print(
            f"  [{sample.noise_kind}] {sample.phrase!r}: want {sample.concept_id or '(free)'}, "
            f"got {got}; best {best_text}"
        )
    print()
    measure_speed(taxonomy, [s.phrase for s in samples], args.threshold)


if __name__ == "__main__":
    main()
