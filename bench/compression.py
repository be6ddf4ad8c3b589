"""First-load bytes of the sign-in page and the files it links: uncompressed, gzip and brotli, from the test app.

    .venv/bin/python bench/compression.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bigconv import app_for  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = app_for(Path(folder) / "c.sqlite")
        with app.app_context():
            from app.extensions import db

            db.create_all()
            client = app.test_client()
            page = client.get("/auth/sign-in").get_data(as_text=True)
            urls = ["/auth/sign-in"] + re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
            totals = {"identity": 0, "gzip": 0, "br": 0}
            print(f"{'url':<70} {'identity':>9} {'gzip':>8} {'br':>8}  cache-control")
            for url in urls:
                sizes = {}
                for encoding in totals:
                    response = client.get(url, headers={"Accept-Encoding": encoding})
                    sizes[encoding] = len(response.get_data())
                    cache = response.headers.get("Cache-Control", "")
                    response.close()
                    totals[encoding] += sizes[encoding]
                print(f"{url[:70]:<70} {sizes['identity']:>9} {sizes['gzip']:>8} {sizes['br']:>8}  {cache}")
            print(f"{'total':<70} {totals['identity']:>9} {totals['gzip']:>8} {totals['br']:>8}")


if __name__ == "__main__":
    main()
