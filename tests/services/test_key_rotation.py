"""Rotating the master key: every live conversation key is re-wrapped, all or nothing."""

from __future__ import annotations

import secrets

import pytest

from app.crypto import Keyring, KeyError_
from app.extensions import db
from app.services.content import ideas
from app.services.content import voting
from app.services.common.errors import NotAllowedNow
from app.services.common.keys import conversation_key, key_status, keyring, rotate_master_key
from app.services.content.listing import my_posts


def test_rotation_rewraps_keys_and_keeps_authorship(app, make_user, make_conversation, as_participant, runner, tmp_path):
    conversation = make_conversation()
    person = as_participant(make_user())
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "Fix the rota software")
    voting.cast_vote(person, idea.id, "support")
    old_ring = keyring()
    old_key = conversation_key(conversation)
    new_master = secrets.token_urlsafe(48)
    key_file = tmp_path / "new.key"
    key_file.write_text(new_master)

    result = runner.invoke(args=["keys", "rotate", "--new-key-file", str(key_file)])
    assert result.exit_code == 0, result.output
    assert "Re-wrapped 1 conversation key" in result.output

    new_ring = Keyring(new_master.encode(), old_ring.store)
    db.session.expire_all()
    assert key_status() == {new_ring.fingerprint: 1}
    # The old master key can no longer open the stored key; the new one opens the same conversation key.
    with pytest.raises(KeyError_):
        old_ring.unwrap(conversation.key.wrapped, f"conversation:{conversation.id}".encode())
    app.extensions["chorus.keyring"] = new_ring
    assert conversation_key(conversation) == old_key
    assert [card.idea.id for card in my_posts(person, conversation.id).ideas] == [idea.id]
    assert old_ring.fingerprint != new_ring.fingerprint


def test_rotation_refuses_same_key_and_short_key(app, make_conversation, runner, tmp_path):
    make_conversation()
    short = tmp_path / "short.key"
    short.write_text("too-short")
    result = runner.invoke(args=["keys", "rotate", "--new-key-file", str(short)])
    assert result.exit_code != 0 and "at least 32 bytes" in result.output


def test_rotation_with_a_wrong_current_key_changes_nothing(app, make_conversation):
    conversation = make_conversation()
    before = conversation.key.wrapped
    app.extensions["chorus.keyring"] = Keyring(secrets.token_bytes(40))  # not the key that wrapped it
    with pytest.raises(NotAllowedNow, match="Nothing was changed"):
        rotate_master_key(secrets.token_bytes(40))
    db.session.expire_all()
    assert conversation.key.wrapped == before
