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
        timeout = current_app.config.get("CHORUS_REDIS_TIMEOUT_SECONDS", 2)
        redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
        return "ok"
    except redis.RedisError:
        return "unreachable"


@bp.get("/healthz/live")
@limiter.exempt
def healthz_live() -> ResponseReturnValue:
    """The process is up and answering: touches neither the database nor Redis (restart the node if this fails)."""
    return jsonify(status="ok")


@bp.get("/healthz")
@bp.get("/healthz/ready")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """Ready for traffic when the database answers: 503 without it; Redis away is "degraded" but still 200.

    Pages, posting and voting work without Redis (live updates fall back to the event table, jobs wait in the
    outbox), so a load balancer must not drop every node while Redis is away (docs/operations.md, "Health checks").
    """
    checks: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except sa.exc.SQLAlchemyError:
        try:
            db.session.rollback()
        except sa.exc.SQLAlchemyError:
            pass
        checks["database"] = "unreachable"
    redis_url = current_app.config.get("REDIS_URL")
    checks["redis"] = _check_redis(redis_url) if redis_url else "not configured"
    if checks["database"] != "ok":
        return jsonify(status="unavailable", checks=checks), 503, {"Retry-After": str(
            current_app.config.get("CHORUS_RETRY_AFTER_SECONDS", 5))}
    return jsonify(status="ok" if checks["redis"] in ("ok", "not configured") else "degraded", checks=checks), 200


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    return render_template("pages/accessibility.html")


@bp.get("/anonymity")
def anonymity() -> ResponseReturnValue:
    return render_template("pages/anonymity.html", min_group=current_app.config["CHORUS_MIN_GROUP_SIZE"])
