"""facilitate blueprint."""

from flask import Blueprint

bp = Blueprint("facilitate", __name__)
