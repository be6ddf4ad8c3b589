"""Use cases: one public call is one transaction; no request, session, g or current_user here."""
