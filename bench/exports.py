"""Export time and peak memory: streamed CSV and write-only XLSX against the old XLSX writer, same data, same run.

    .venv/bin/python bench/exports.py                      # 6,000 / 15,000 / 100,000 ideas
    .venv/bin/python bench/exports.py --sizes 6000,100000 --old-max 15000

Each export runs in a fresh child process, so its peak resident memory (ru_maxrss) is its own. The old writer
(`sheet[sheet.max_row]` after every append, reproduced below as the baseline) runs only up to --old-max ideas.
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bigconv import app_for, build, conversation_and_labels  # noqa: E402


def _old_to_xlsx(data) -> bytes:  # type: ignore[no-untyped-def]
    """The writer before this change, for the baseline only."""
    from openpyxl import Workbook

    from app.services.triage.exports import IDEA_COLUMNS, THEME_COLUMNS, neutralise

    book = Workbook()
    first = True
    for title, columns, rows in [("Themes", THEME_COLUMNS, data.themes), ("Ideas", IDEA_COLUMNS, list(data.ideas))]:
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = title
        sheet.append(columns)
        for row in rows:
            sheet.append([neutralise(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def child(db_path: Path, mode: str) -> None:
    """Run one export into a temporary file; print seconds, bytes and peak RSS in MB."""
    from app.extensions import db
    from app.services.triage import exports

    app = app_for(db_path)
    with app.app_context():
        conversation, labels = conversation_and_labels()
        data = exports.ExportData(conversation, [], [], exports.IdeaRows(conversation, labels))
        started = time.perf_counter()
        size = 0
        with tempfile.TemporaryFile() as out:
            if mode == "csv":
                for text in exports.iter_csv(exports.IDEA_COLUMNS, data.ideas):
                    size += out.write(text.encode())
            elif mode == "xlsx":
                for chunk in exports.iter_xlsx(data):
                    size += out.write(chunk)
            else:
                size = out.write(_old_to_xlsx(data))
        seconds = time.perf_counter() - started
        db.session.remove()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.2f} {size} {peak:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="6000,15000,100000")
    parser.add_argument("--old-max", type=int, default=15000)
    parser.add_argument("--child", nargs=2, metavar=("DB", "MODE"))
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    print(f"{'ideas':>8} {'export':<14} {'seconds':>8} {'MB out':>7} {'peak RSS MB':>11}")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"bench-{size}.sqlite"
            build(path, size)
            modes = {"csv": "csv", "xlsx": "xlsx"} | ({"xlsx (old)": "old"} if size <= args.old_max else {})
            for mode, name in modes.items():
                result = subprocess.run([sys.executable, __file__, "--child", str(path), name],
                                        capture_output=True, text=True)
                if result.returncode:
                    print(f"{size:>8} {mode:<14} failed: {result.stderr.strip().splitlines()[-1:]}")
                    continue
                seconds, written, peak = result.stdout.split()[-3:]
                print(f"{size:>8} {mode:<14} {float(seconds):>8.2f} {int(written) / 1e6:>7.1f} {float(peak):>11.0f}")


if __name__ == "__main__":
    main()
