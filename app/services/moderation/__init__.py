"""Moderation: the queue and decisions, reports, and notices to authors who stay unknown.

- decisions.moderation_queue: Held, flagged and reported ideas and comments: hidden ones first, then most reported.
- decisions.get_item: An idea or comment of this conversation that a moderator can act on, or NotFound.
- decisions.approve_item: Publish a held or hidden item (or keep a reported one) and clear its reports.
- decisions.hide_item: Hide an item with a reason; its author is told at their next visit and may rewrite it.
- decisions.redact_item: Replace an item's text (to remove identifying details) and publish it, marked as edited by a moderator.
- decisions.moderation_log: The conversation's moderation decisions, newest first, with the moderator's name.
- decisions.update_settings: Moderation mode, report threshold and whether guests may join with a code.
- notices.seen_token: The token that marks this notice as dismissed by its author; a new moderation decision gets a new one.
- notices.notices_for: Moderation notices on this person's own items, in conversations they can see, except those dismissed.
- notices.dismiss_notice: The seen token for the notice on one of this person's items; nothing is written (see the module note).
- notices.reason_label
- reports.reporter_pseudonym
- reports.reportable_item
- reports.unresolved_reports
- reports.report_item: Report an idea or comment; False when this person had already reported it (nothing changes).
"""
