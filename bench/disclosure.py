"""Precision and recall of the Speak Up suggestion (nlp.disclosure) on the labelled sample in bench/data/disclosure/.

The sample is split by row: even rows were used to write and tune the lexicon ("dev"), odd rows only to measure it
("held out"). Prints the figures for both and the whole, and with --errors the texts it gets wrong.

    .venv/bin/python bench/disclosure.py [--errors]
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.disclosure import find_disclosure  # noqa: E402

SAMPLE = Path(__file__).parent / "data" / "disclosure" / "sample.csv"


def scores(rows: list[dict[str, str]]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for r in rows if r["label"] == "1" and r["predicted"])
    fp = sum(1 for r in rows if r["label"] == "0" and r["predicted"])
    fn = sum(1 for r in rows if r["label"] == "1" and not r["predicted"])
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def main() -> None:
    with SAMPLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    started = time.perf_counter()
    for row in rows:
        row["predicted"] = "1" if find_disclosure(row["text"]).suggest else ""
    elapsed = time.perf_counter() - started
    parts = {"dev (even rows)": rows[0::2], "held out (odd rows)": rows[1::2], "all": rows}
    print(f"{len(rows)} texts, {sum(r['label'] == '1' for r in rows)} disclosures")
    for name, part in parts.items():
        precision, recall, tp, fp, fn = scores(part)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{name:22} n={len(part):3}  precision={precision:.3f}  recall={recall:.3f}  F1={f1:.3f}  "
              f"(TP {tp}, FP {fp}, FN {fn})")
    tricky = [r for r in rows if r["category"].startswith("tricky")]
    print(f"tricky negatives (negation, policy, other): {sum(bool(r['predicted']) for r in tricky)} of {len(tricky)} "
          "wrongly suggested")
    print(f"time: {1000 * elapsed / len(rows):.3f} ms per text")
    if "--errors" in sys.argv:
        for index, row in enumerate(rows):
            if bool(row["predicted"]) != (row["label"] == "1"):
                split = "dev" if index % 2 == 0 else "held out"
                print(f"  {'FP' if row['predicted'] else 'FN'} [{split}] {row['text']}")


if __name__ == "__main__":
    main()
