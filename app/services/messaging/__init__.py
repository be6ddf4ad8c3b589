"""Invitations, reminders and "You said, we did" announcements by email and Microsoft Teams, to a conversation's
whole audience (or organisations and staff groups of at least k people), never chosen by what anyone wrote.

- `broadcasts`: schedule, cancel and list messages; set a conversation's Teams channel.
- `sending`: the `messages.send` job and the scheduler tick's share (retries with backoff, counts only).
- `audience`: who a message goes to, and the organisations and staff groups it may be narrowed to.
- `bodies`: subject, text and HTML from Jinja templates, and the Teams Adaptive Card.
- `mailer`: the SMTP adapter (smtplib, STARTTLS, credentials from the environment) and its safe error messages.
- `teams`: checking Teams webhook addresses and posting a card.
- `preferences`: signed unsubscribe links for reminders and announcements.
"""
