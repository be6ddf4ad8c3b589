"""Freedom to Speak Up: posts an author chooses to send to their organisation's Guardian (issue #15, part 3).

- settings.has_guardian: True when the organisation has at least one active Guardian.
- settings.appoint_guardian / remove_guardian: Admins appoint members of an organisation as its Guardians.
- settings.contact_for / save_contact: How staff reach the Guardian directly, and the organisation's other routes.
- settings.sent_count: Posts sent before this hour, rounded to 5, or None below k: the only figure others see.
- threads.open_thread: Open a post's thread inside the posting transaction (one row that points only at the post).
- threads.send_to_guardian: Send one's own idea or comment afterwards, with an optional message.
- threads.my_threads: One's own threads in a conversation, found by recomputing author tags.
- threads.author_thread / author_message: Read one's own thread and write back.
- guardian.queue / counts / read_thread / reply / set_status: The Guardian's queue and replies.
"""
