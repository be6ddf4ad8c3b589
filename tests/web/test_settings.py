"""Settings are checked at start-up: a bad value stops the app with a message naming it (issue #14 item 13)."""

from __future__ import annotations

import importlib

import pytest

import config
from app import create_app


@pytest.mark.parametrize(("name", "value", "words"), [
    ("CHORUS_MIN_GROUP_SIZE", "eleven", "whole number of at least 10"),
    ("CHORUS_MIN_GROUP_SIZE", "5", "out of range"),
    ("CHORUS_NOTICE_COOKIE_TOKENS", "500", "from 1 to 150"),
    ("CHORUS_LIVE_HEARTBEAT_SECONDS", "soon", "a number of at least 0.01"),
    ("CHORUS_OIDC_TIMEOUT", "-1", "out of range"),
    ("CHORUS_HSTS", "maybe", "one of 1, 0, true, false"),
    ("CHORUS_JOBS", "celery", "one of thread, rq, inline"),
])
def test_a_bad_setting_stops_the_app_naming_the_variable_and_what_it_accepts(monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    with pytest.raises(config.SettingsError) as refused:
        create_app({"TESTING": True})
    assert f"{name}={value!r}" in str(refused.value) and words in str(refused.value)


def test_every_problem_is_named_at_once(monkeypatch):
    monkeypatch.setenv("CHORUS_MIN_GROUP_SIZE", "eleven")
    monkeypatch.setenv("CHORUS_PROXY_HOPS", "one")
    message = str(pytest.raises(config.SettingsError, create_app, {"TESTING": True}).value)
    assert "CHORUS_MIN_GROUP_SIZE" in message and "CHORUS_PROXY_HOPS" in message


def test_fractions_are_kept_and_reading_the_module_never_raises(monkeypatch):
    monkeypatch.setenv("CHORUS_LIVE_HEARTBEAT_SECONDS", "0.5")
    monkeypatch.setenv("CHORUS_OIDC_TIMEOUT", "2.5")
    monkeypatch.setenv("CHORUS_MIN_GROUP_SIZE", " 12 ")
    monkeypatch.setenv("CHORUS_HSTS", "Yes")
    try:
        reloaded = importlib.reload(config)
        assert reloaded.Config.CHORUS_LIVE_HEARTBEAT_SECONDS == 0.5
        assert reloaded.Config.CHORUS_OIDC_TIMEOUT == 2.5
        assert reloaded.setting_errors() == []
        monkeypatch.setenv("CHORUS_MIN_GROUP_SIZE", "eleven")
        importlib.reload(config)  # a bad value does not raise at import; create_app refuses it
        assert config.setting_errors() != []
    finally:
        monkeypatch.undo()
        importlib.reload(config)
