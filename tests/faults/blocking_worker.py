"""`flask worker` whose theme runs block forever once started (they touch CHORUS_TEST_STARTED_FILE first), so a
fault test can kill the worker mid-run without racing a fast run."""

from __future__ import annotations

import os
import sys
import time

import nlp.themes


def _find_themes_forever(*_args: object, **_kwargs: object) -> None:
    with open(os.environ["CHORUS_TEST_STARTED_FILE"], "w"):
        pass
    while True:
        time.sleep(1)


nlp.themes.find_themes = _find_themes_forever  # type: ignore[assignment]

if __name__ == "__main__":
    from flask.cli import main

    sys.argv = ["flask", "worker", "--no-scheduler"]
    main()
