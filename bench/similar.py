"""Near-duplicate search latency: build an index over 6,000 ideas and time queries as someone types."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import load_set  # noqa: E402

from nlp.similar import SimilarityIndex  # noqa: E402
from nlp.themes import Document  # noqa: E402


def main() -> None:
    """Print build time and per-query latency (median, p95, max) on 6,000 NHS feedback comments."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=6000)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    texts, _ = load_set("nhs_fft")
    docs = [Document(str(i), t) for i, t in enumerate(texts[: args.n])]
    start = time.perf_counter()
    index = SimilarityIndex.build(docs)
    build = time.perf_counter() - start
    drafts = [t[: max(10, len(t) // 2)] for t in texts[args.n : args.n + args.queries]]
    latencies = []
    hits = 0
    for draft in drafts:
        start = time.perf_counter()
        hits += bool(index.query(draft, k=5))
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"ideas={len(docs)} build={build:.2f}s queries={len(drafts)} with_match={hits}")
    print(f"latency ms: median={statistics.median(latencies):.2f} p95={p95:.2f} max={latencies[-1]:.2f}")
    print(f"goal <50 ms per query: {'met' if p95 < 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
