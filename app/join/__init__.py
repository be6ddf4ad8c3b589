"""Guests: join a live workshop with a code, without an account, and take part in that one conversation."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("join", __name__, url_prefix="/join")

from app.join import routes  # noqa: E402,F401
from app.join.qr import qr_svg  # noqa: E402

bp.add_app_template_global(qr_svg, "qr_svg")
