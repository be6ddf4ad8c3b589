"""Opinion groups (Pol.is style): background runs that store aggregates, and reading them.

- groups.opinion_groups_for: The stored opinion groups, queueing a recomputation when votes changed; NotFound unless agree/disagree.
- runs.latest_run: The newest run of a conversation (the newest succeeded one: what readers see).
- runs.mark_votes_changed: Mark the conversation's votes as changed, so stored opinion groups are known to be stale.
- runs.is_stale: A queued or running run whose worker has certainly gone: stored as an hour, so allow that hour too.
- runs.is_due: Votes changed since the stored result, nothing is queued or running, and the last run is old enough.
- runs.request_opinion_run: Queue a run unless one is already queued or running (a unique index guarantees one); returns the run.
- runs.run_scheduled: Queue runs for open agree/disagree conversations whose votes changed (the scheduler tick); returns ids.
- runs.execute_opinion_run: Compute a conversation's opinion groups and store the aggregates; a failure keeps the previous result.
"""
