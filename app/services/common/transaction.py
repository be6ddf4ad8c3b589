"""One public service call is one transaction: commit when it returns, roll back when it raises.

Views call services and show their refusals; they never roll back for them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from app.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def transaction(function: Callable[P, R]) -> Callable[P, R]:
    """Run a public service call as one unit: everything it wrote is committed, or nothing is."""
    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = function(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return run
