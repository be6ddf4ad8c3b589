"""Outreach: the workforce baseline and the monitor of who is missing from a conversation (issue #15, part 2).

- baseline.baseline_rows: The stored baseline of these organisations, by organisation then staff group name.
- baseline.upload_baseline: Replace the baseline of every organisation named in a CSV file; all or nothing.
- baseline.sync_from_people: Count the organisation's active accounts per staff group and make that its baseline.
- baseline.clear_baseline: Remove an organisation's baseline.
- baseline.headcounts: The baseline summed for an audience, by organisation and by staff group.
- monitor.outreach_figures: Participation as a share of the baseline, from the last batch, with k on both counts.
- monitor.outreach_csv: The monitor as CSV.
"""
