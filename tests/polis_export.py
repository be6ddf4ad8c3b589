"""A small synthetic Pol.is export for tests: two clear opinion camps, one moderated-out statement, a changed vote."""

from __future__ import annotations

import csv
import io
import random
import zipfile

STATEMENTS = 10
CAMP = 15  # people per camp: two groups of at least k (11)
REMOVED = 9  # moderated -1 in Pol.is


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def votes_of(participant: int) -> dict[int, int]:
    """Camp A (0..CAMP-1) agrees with the even statements and disagrees with the odd; camp B the reverse."""
    camp_a = participant < CAMP
    votes = {}
    for statement in range(STATEMENTS):
        agree = (statement % 2 == 0) == camp_a
        votes[statement] = 1 if agree else -1
        if random.Random(participant * 100 + statement).random() < 0.25:
            votes[statement] = 0  # some passes (a fixed pattern per person, so voting records differ)
        if participant % 5 == 4 and statement == 7:
            del votes[statement]  # and not everyone sees every statement
    votes[8] = 1  # consensus: everyone agrees with statement 8
    return votes


def export(*, participants: int = 2 * CAMP, with_summary: bool = True) -> dict[str, bytes]:
    comments: list[list[object]] = [["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
                                     "moderated", "comment-body"]]
    for statement in range(STATEMENTS):
        moderated = -1 if statement == REMOVED else 1
        comments.append([1500000000000 + statement, "Mon Jul 17 02:17:32 UTC 2017", statement, statement % 3, 0, 0,
                         moderated, f"Statement number {statement}: we should change rota rule {statement}"])
    votes: list[list[object]] = [["timestamp", "datetime", "comment-id", "voter-id", "vote"]]
    matrix: list[list[object]] = [["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree",
                                   *range(STATEMENTS)]]
    stamp = 1500000100000
    for participant in range(participants):
        mine = votes_of(participant)
        for statement, value in mine.items():
            if statement == 0:  # first another vote, changed later: the later row must win
                votes.append([stamp, "x", statement, participant, -value if value else 1])
                stamp += 1
            votes.append([stamp, "x", statement, participant, value])
            stamp += 1
        matrix.append([participant, 0 if participant < CAMP else 1, 0, len(mine),
                       sum(v == 1 for v in mine.values()), sum(v == -1 for v in mine.values()),
                       *[mine.get(s, "") for s in range(STATEMENTS)]])
    files = {"comments.csv": _csv(comments), "votes.csv": _csv(votes), "participants-votes.csv": _csv(matrix)}
    if with_summary:
        files["summary.csv"] = _csv([["topic", "Rota fairness"], ["url", "https://pol.is/example"],
                                     ["voters", participants], ["comments", STATEMENTS], ["groups", 2],
                                     ["conversation-description", "How should rotas work?"]])
    return files


def zipped(files: dict[str, bytes], folder: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(folder + name, data)
    return buffer.getvalue()
