"""Shared service plumbing: errors safe to show, conversation keys, the acting participant, text and CSV checks, transactions.

- csvfile.decode: Text of an upload, refusing anything too large or not UTF-8.
- csvfile.read_rows: (row number, values) per data row; `columns` maps each name to the headers accepted for it.
- keys.keyring: The process's keyring, set up by create_app from CHORUS_PSEUDONYM_KEY and CHORUS_KEY_DIR.
- keys.create_key: Give a new (flushed) conversation its own random key, wrapped under the current epoch.
- keys.conversation_key: The unwrapped key, or NotAllowedNow once it has been destroyed.
- keys.stored_key: conversation_key for a key read as columns (wrapped, epoch) rather than as the ConversationKey object.
- keys.shred_keys: Destroy these conversations' keys for good: new epoch, re-wrap every other live key, destroy old epochs.
- keys.shred_key: Destroy one conversation's key so nothing in it can ever be linked to a person again.
- keys.destroy_retired_epochs: Remove from the key directory every epoch the database records as destroyed; returns their ids.
- keys.shred_expired_keys: Destroy keys of conversations closed longer ago than the grace period; returns their ids.
- keys.key_status: How many conversation keys are live under each master-key fingerprint, and how many are destroyed.
- keys.epoch_status: Each key epoch the database knows: (id, "current" | "destroyed" | "retired", live keys wrapped under it).
- keys.rotate_master_key: Re-wrap every live conversation key (and epoch check) under a new master key, all or nothing; returns how many.
- keys.verify_keys: Check the master key and key directory against what the database stores; a plain message when they differ.
- text.clean_text: Normalise text and check its length, or raise InvalidInput with a plain-English message.
- text.render_rich: Render stored text as sanitised HTML; nh3 is the last line of defence even though HTML is off.
- transaction.transaction: Run a public service call as one unit: everything it wrote is committed, or nothing is.
"""
