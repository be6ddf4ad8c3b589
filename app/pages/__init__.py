"""Public pages: health check, accessibility statement and the anonymity explainer."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue

from app.extensions import db, limiter

bp = Blueprint("pages", __name__)


def _check_redis(url: str) -> str:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except redis.RedisError:
        return "unreachable"


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """Database (and Redis when configured) reachability, for load balancers and monitoring."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        checks["database"] = "unreachable"
    redis_url = current_app.config.get("REDIS_URL")
    checks["redis"] = _check_redis(redis_url) if redis_url else "not configured"
    healthy = all(v in ("ok", "not configured") for v in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", checks=checks), (200 if healthy else 503)


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    return render_template("pages/accessibility.html")


@bp.get("/anonymity")
def anonymity() -> ResponseReturnValue:
    return render_template("pages/anonymity.html", min_group=current_app.config["CHORUS_MIN_GROUP_SIZE"])
