"""Identifying-detail detection: precision and recall on the labelled staff sample, now and at an earlier commit."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from nlp.identifying import find_identifying_details  # noqa: E402
from nlp.metrics import span_precision_recall  # noqa: E402

SAMPLE = ROOT / "tests" / "nlp" / "data" / "identifying_sample.jsonl"


def load_sample(path: Path = SAMPLE) -> list[dict]:
    """The labelled sentences: text, gold spans [start, end, kind], source."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _detector_at(ref: str) -> Callable[[str], list]:
    """find_identifying_details as it was at a git ref (nlp/identifying.py plus nlp/people.py if it existed)."""
    package = types.ModuleType("nlp_at_ref")
    for name in ("people", "identifying"):
        shown = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:nlp/{name}.py"], capture_output=True, text=True)
        if shown.returncode != 0:
            continue
        module = types.ModuleType(f"nlp_at_ref.{name}")
        module.__file__ = str(ROOT / "nlp" / f"{name}.py")
        sys.modules[module.__name__] = module  # dataclasses look their module up by name
        exec(compile(shown.stdout, f"{ref}:nlp/{name}.py", "exec"), module.__dict__)  # noqa: S102 - our own source
        setattr(package, name, module)
    return package.identifying.find_identifying_details


def score(detect: Callable[[str], list], rows: list[dict]) -> tuple[float, float, list[str]]:
    """Precision, recall and the texts it got wrong (missed or extra spans)."""
    gold = [[(s[0], s[1]) for s in r["spans"]] for r in rows]
    found = [[(s.start, s.end) for s in detect(r["text"])] for r in rows]
    precision, recall = span_precision_recall(gold, found)
    wrong = [f"{r['text']!r} gold={[r['text'][a:b] for a, b in g]} found={[r['text'][a:b] for a, b in f]}"
             for r, g, f in zip(rows, gold, found, strict=True) if sorted(g) != sorted(f)]
    return precision, recall, wrong


def _time(name: str, detect: Callable[[str], list]) -> None:
    """Milliseconds per text over the 10,334 NHS feedback comments, and how many texts it flags."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _data import load_set

    texts, _ = load_set("nhs_fft")
    detect("warm up the name lists")
    start = time.perf_counter()
    flagged = sum(bool(detect(t)) for t in texts)
    took = time.perf_counter() - start
    print(f"{name}: {len(texts)} nhs_fft comments in {took:.2f}s ({took / len(texts) * 1000:.2f} ms each), "
          f"{flagged} flagged")


def main() -> None:
    """Print precision and recall of the current detector (and of --before REF) on the sample."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", help="a git ref whose detector to score too, e.g. main")
    parser.add_argument("--show", action="store_true", help="list the sentences with a difference from the labels")
    parser.add_argument("--timing", action="store_true", help="time each detector over all nhs_fft comments")
    args = parser.parse_args()
    rows = load_sample()
    print(f"sample: {len(rows)} sentences, {sum(bool(r['spans']) for r in rows)} with identifying details, "
          f"{sum(len(r['spans']) for r in rows)} labelled spans")
    runs = [("now", find_identifying_details)] + ([(args.before, _detector_at(args.before))] if args.before else [])
    for name, detect in runs:
        precision, recall, wrong = score(detect, rows)
        print(f"{name}: precision={precision:.3f} recall={recall:.3f}")
        if args.timing:
            _time(name, detect)
        if args.show:
            print("\n".join(f"  {w}" for w in wrong))


if __name__ == "__main__":
    main()
