"""Posting to a Microsoft Teams channel through an incoming webhook or a Workflows (Power Automate) address.

The post is an Adaptive Card with the conversation's title, dates and a link: the same card for everyone, so it
says nothing about anyone. Addresses are checked when a facilitator saves one (https, a Microsoft host from
CHORUS_TEAMS_HOSTS), so the server never posts to an arbitrary address on the network.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from app.services.common.errors import InvalidInput
from app.services.messaging.mailer import Refused, SettingsProblem, Transient

CARD = "application/vnd.microsoft.card.adaptive"


def check_webhook_url(url: str) -> str:
    """The address tidied, or InvalidInput saying what is wrong with it."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise InvalidInput("The Teams address must be 2,000 characters or fewer.", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput("Enter the Teams address in full, starting https://", field="url") from None
    host = (parts.hostname or "").lower()
    local = (current_app.config.get("CHORUS_TEAMS_ALLOW_LOCAL_HTTP") and parts.scheme == "http"
             and host == "127.0.0.1")
    if not local:
        if parts.scheme != "https" or not host or parts.username or parts.password:
            raise InvalidInput("Enter the Teams address in full, starting https://", field="url")
        hosts = [h.strip().lower().lstrip(".") for h in current_app.config.get("CHORUS_TEAMS_HOSTS", "").split(",") if h.strip()]
        if not any(host == h or host.endswith("." + h) for h in hosts):
            raise InvalidInput("That is not a Microsoft Teams webhook or Workflows address. Copy the address Teams "
                               "gave you when you added the incoming webhook or workflow to the channel.", field="url")
    if port is not None and not 0 < port < 65536:
        raise InvalidInput("Enter the Teams address in full, starting https://", field="url")
    return url


def card(title: str, facts: list[tuple[str, str]], text: str, link: str, link_text: str) -> dict[str, Any]:
    """A Teams message holding one Adaptive Card (schema 1.4, which Teams and Workflows both show)."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Large", "wrap": True},
        {"type": "TextBlock", "text": text, "wrap": True},
    ]
    if facts:
        body.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts]})
    return {"type": "message", "attachments": [{"contentType": CARD, "contentUrl": None, "content": {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
        "body": body, "actions": [{"type": "Action.OpenUrl", "title": link_text, "url": link}]}}]}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed: it could point the server at an address nobody checked."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, message: dict[str, Any], timeout: float) -> None:
    """Post once; raises Transient (try again later), Refused (4xx: will not work) or SettingsProblem."""
    request = urllib.request.Request(url, data=json.dumps(message).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(2048)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the response's socket
        if error.code == 429 or error.code >= 500:
            raise Transient(f"Teams asked to try again later (status {error.code}).") from None
        if error.code in (401, 403, 404, 410):
            raise SettingsProblem(f"Teams did not accept the webhook address (status {error.code}): it may have been "
                                  "removed from the channel. Set a new one on this page.") from None
        raise Refused(f"Teams refused the post (status {error.code}).") from None
    except (urllib.error.URLError, TimeoutError, OSError):
        raise Transient("Teams could not be reached; the post is tried again at the next try.") from None
