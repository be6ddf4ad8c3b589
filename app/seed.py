"""A realistic demo: two trusts in a partnership, staff, and an open "Best place to work" conversation."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentStatus, Conversation, Idea, Organisation, ThemeRun
from app.models.base import utcnow
from app.services.accounts import users
from app.services.content import comments
from app.services.conversations import lifecycle
from app.services.content import ideas
from app.services.workshops import session
from app.services.moderation import decisions
from app.services.accounts import organisations
from app.services.content import paper_notes
from app.services.conversations import stages
from app.services.conversations import templates
from app.services.content import voting
from app.services.common.errors import IdentifyingDetails
from app.services.common.participants import Participant
from app.services.conversations.participation_batch import due_conversations, refresh_snapshot
from app.services.themes.runs import execute_theme_run

DEMO_PASSWORD = "chorus-demo-2026"
DEMO_DOMAIN = "demo.chorus.nhs.uk"
PARTNERSHIP = "North Riverside Health Partnership"
TRUSTS = [
    ("Riverside Hospitals NHS Foundation Trust", "RVH"),
    ("Northgate Community Healthcare NHS Trust", "NGC"),
]
STAFF_GROUPS = [
    "Nursing and Midwifery",
    "Medical and Dental",
    "Allied Health Professionals",
    "Admin and Clerical",
    "Estates and Ancillary",
    "Healthcare Scientists",
]
QUESTIONS = [
    "What would make this a better place to work?",
    "What gets in the way of you doing your best work?",
    "What one thing should we stop doing?",
]
STAFF_COUNT = 50
# Typed up from a drop-in session's sticky notes: imported as ideas marked "paper".
PAPER_NOTES = """question,text
1,A proper induction for bank staff so they know where things are on the ward.
1,Thank-you cards from patients put up in the staff room.
2,Too many emails. A weekly summary would be better.
2,Computers in the clinic take ten minutes to log on.
3,Stop holding meetings at shift handover time.
"""
LAB_IDEAS = [
    "Water coolers on every corridor so staff stay hydrated on long shifts.",
    "Lockers for community staff at each health centre.",
    "A shared calendar of training courses across both trusts.",
    "Let staff swap shifts through the rota app without a manager signing each one off.",
    "Secure bike storage near the main entrance.",
    "Quiet room for prayer and reflection in the outpatients building.",
    "Free flu jabs on night shifts, not just in the day.",
    "Replace paper timesheets with an online form.",
    "A buddy scheme for international nurses in their first six months.",
]
LAB_STAGES = [
    ("done", ""), ("done", ""), ("taken_forward", ""), ("taken_forward", ""), ("under_review", ""),
    ("under_review", ""), ("not_taken_forward", "The building lease does not allow it; we are asking for a room in the new wing instead."),
]
WORKSHOP_TITLE = "Live workshop: our staff room"
WORKSHOP_NOTES = [
    "The new rota app has made swaps much easier.",
    "Handover is calmer since we moved it to the quiet room.",
    "We need a working microwave in the staff room.",
]
HUDDLE_IDEAS = [
    "Put the weekly safety briefing on the noticeboard for night staff.",
    "Swap the Friday meeting to Thursday so part-time staff can come.",
]
_DATA = Path(__file__).parent / "demo"


def demo_texts(name: str) -> list[tuple[str, str]]:
    """(topic, text) pairs from a demo file: "## topic" headings, one text a line, "#" comments."""
    topic, out = "", []
    for line in (_DATA / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            topic = line[3:].strip()
        elif line.strip() and not line.startswith("#"):
            out.append((topic, line.strip()))
    return out


def logins() -> list[tuple[str, str]]:
    return [
        ("Admin", f"admin@{DEMO_DOMAIN}"),
        ("Facilitator", f"facilitator@{DEMO_DOMAIN}"),
        ("Change-hub lead", f"lead@{DEMO_DOMAIN}"),
        ("Staff member (Riverside)", f"staff01@{DEMO_DOMAIN}"),
        ("Staff member (Northgate)", f"staff02@{DEMO_DOMAIN}"),
    ]


def print_logins(echo: Callable[[str], None]) -> None:
    echo("")
    echo("Demo logins (password for all: %s)" % DEMO_PASSWORD)
    for role, email in logins():
        echo(f"  {role:<26} {email}")
    echo(f"  ... and staff03 to staff{STAFF_COUNT:02d}@{DEMO_DOMAIN}")
    code = db.session.scalar(sa.select(Conversation.join_code).where(Conversation.title == WORKSHOP_TITLE))
    if code:
        echo(f"  Guest join code for the live workshop: {code} (at /join)")


def seed(idea_count: int | None = None, seed_value: int = 2026) -> list[tuple[str, str]] | None:
    """Create the demo once (every demo idea unless idea_count is given); returns the logins, or None if it exists."""
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.code == TRUSTS[0][1])):
        return None
    rng = random.Random(seed_value)
    partnership = organisations.create_partnership(PARTNERSHIP)
    trusts = [organisations.create_organisation(name, code, partnership.id) for name, code in TRUSTS]
    for trust in trusts:
        for group in STAFF_GROUPS:
            organisations.add_staff_group(trust, group)
    main = trusts[0]
    users.create_user(f"admin@{DEMO_DOMAIN}", organisation=main, role="admin", password=DEMO_PASSWORD,
                         display_name="Alex Admin", staff_group="Admin and Clerical")
    users.create_user(f"facilitator@{DEMO_DOMAIN}", organisation=main, role="facilitator",
                         password=DEMO_PASSWORD, display_name="Fran Facilitator", staff_group="Admin and Clerical")
    users.create_user(f"lead@{DEMO_DOMAIN}", organisation=main, role="lead", password=DEMO_PASSWORD,
                         display_name="Lee Lead", staff_group="Nursing and Midwifery")
    staff = []
    for n in range(1, STAFF_COUNT + 1):
        trust = trusts[(n - 1) % 2]
        user = users.create_user(
            f"staff{n:02d}@{DEMO_DOMAIN}", organisation=trust, password=DEMO_PASSWORD,
            staff_group=_roster_group((n - 1) // 2, rng), display_name=f"Staff member {n}",
        )
        staff.append(Participant.from_user(user))

    conversation = lifecycle.create_conversation(
        main.id,
        lifecycle.ConversationDetails(
            title="Best place to work",
            description=(
                "Help make our partnership the best place to work. Share your ideas anonymously, "
                "build on other people's ideas with comments, and support the ones that matter to you. "
                "Nobody, including managers and administrators, can see who wrote or supported what."
            ),
            audience_ids=[t.id for t in trusts],
            questions=QUESTIONS,
            closes_at=utcnow() + timedelta(days=21),
        ),
    )
    lifecycle.open_conversation(conversation)
    _post_content(conversation, staff, idea_count, rng)
    paper_notes.import_notes(conversation, PAPER_NOTES)
    run = ThemeRun(conversation_id=conversation.id, trigger="seed")
    db.session.add(run)
    db.session.commit()
    execute_theme_run(run.id)
    _seed_facilitator_examples(main, staff, rng)
    _seed_workshop_and_huddle(main, staff, rng)
    _seed_triage(conversation.id, staff)
    for due_id in due_conversations():  # the demo shows this hour's participation figures at once
        refresh_snapshot(due_id)
    return logins()


def _roster_group(index: int, rng: random.Random) -> str:
    """Half of each trust's staff in Nursing and Midwifery (large enough to be shown in participation
    figures); the rest spread over groups too small to show, which are counted as "Other"."""
    return STAFF_GROUPS[0] if index < 12 else rng.choice(STAFF_GROUPS[1:])


def _seed_facilitator_examples(main: Organisation, staff: list[Participant], rng: random.Random) -> None:
    """An Ideas Lab with ideas at every stage, and a draft Change Hub session, for the facilitator's console."""
    facilitates = frozenset({main.id})
    staff = [p for p in staff if main.id in p.organisation_ids]
    lab = templates.create_from_template(facilitates, main.id, "ideas_lab", "Ideas Lab: small changes, big difference")
    lifecycle.open_conversation(lab)
    posted = []
    for text in LAB_IDEAS:
        idea, _ = ideas.post_idea(rng.choice(staff), lab.questions[0].id, text)
        posted.append(idea.id)
    for idea_id, (stage, reason) in zip(posted, LAB_STAGES, strict=False):
        stages.set_stage(lab, idea_id, stage, reason)
    for person in staff:
        for idea_id in rng.sample(posted, k=3):
            voting.cast_vote(person, idea_id, "support")
    hub = templates.create_from_template(facilitates, main.id, "change_hub", "Change Hub: this month")
    hub.description = "Our monthly Change Hub. Share what should happen next on the themes from the Best place to work conversation."
    db.session.commit()


def _seed_workshop_and_huddle(main: Organisation, staff: list[Participant], rng: random.Random) -> None:
    """A live workshop guests can join with a code, and a small team huddle where names are shown."""
    staff = [p for p in staff if main.id in p.organisation_ids]
    workshop = templates.create_from_template(frozenset({main.id}), main.id, "workshop", WORKSHOP_TITLE)
    workshop.closes_at = utcnow() + timedelta(days=7)  # the demo outlives a real one-hour workshop
    db.session.commit()
    decisions.update_settings(workshop, moderation_mode="post", report_threshold=3, allow_guests=True)
    session.set_phase(workshop, "collect")
    for text in WORKSHOP_NOTES:
        ideas.post_idea(rng.choice(staff), rng.choice(workshop.questions).id, text)
    huddle = lifecycle.create_conversation(main.id, lifecycle.ConversationDetails(
        title="Ward huddle: names shown", named_mode=True, audience_ids=[main.id],
        description="A small team conversation where everyone has agreed to put their name to their ideas.",
        questions=["What should we change on our ward this month?"], closes_at=utcnow() + timedelta(days=14)))
    lifecycle.open_conversation(huddle)
    for text in HUDDLE_IDEAS:
        ideas.post_idea(rng.choice(staff), huddle.questions[0].id, text)


def _seed_triage(conversation_id: int, staff: list[Participant]) -> None:
    """Give the demo's biggest themes a status, an owner, actions, ratings, an outcome and a few pairwise answers."""
    from datetime import date

    from app.models import Conversation, Theme, ThemeSnapshot
    from app.services.triage import outcomes
    from app.services.triage import plans
    from app.services.triage import pairwise

    conversation = db.session.get_one(Conversation, conversation_id)
    snaps = db.session.scalars(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == conversation.current_theme_run_id)
                               .order_by(ThemeSnapshot.size.desc())).all()
    themes = [db.session.get_one(Theme, s.theme_id) for s in snaps]
    today = utcnow().date()
    steps = [("under_review", "prioritised", "in_progress"), ("under_review", "prioritised"), ("under_review",)]
    owners = ["Director of Workforce", "Head of Estates and Facilities", "Staff Wellbeing Lead"]
    ratings = [(5, 2), (4, 4), (3, 1), (2, 4)]
    for n, theme in enumerate(themes[:4]):
        for step in steps[n] if n < len(steps) else ():
            plans.set_status(theme, step)
        if n < len(owners):
            plans.set_owner(theme, owners[n], date(today.year + 1, 1 + n, 28))
        plans.rate(theme, *ratings[n])
    if themes:
        first = themes[0]
        plans.add_action(first, "Meet staff-side representatives to agree the changes", owners[0], today + timedelta(days=14))
        plans.add_action(first, "Report progress to the People Committee", owners[0], today + timedelta(days=45))
        outcomes.publish_outcome(
            first, f"Many of you raised “{first.label}”. It came up across both trusts and many staff groups.",
            "We will agree concrete changes with staff-side representatives and report back here every month.",
            owners[0], date(today.year + 1, 3, 31))
    if len(themes) > 4:
        plans.set_status(themes[4], "not_taking_forward",
                         "This is decided by the national NHS terms and conditions, so the trust cannot change it locally. "
                         "We have passed your views on to NHS Employers.")
    rng = random.Random(7)
    for person in staff[:12]:
        for _ in range(4):
            pair = pairwise.next_comparison(person, conversation.id)
            if pair is None:
                break
            pairwise.record_choice(person, conversation.id, pair.left.id, pair.right.id,
                                     "left" if rng.random() < 0.6 else rng.choice(["right", "skip"]))


def _post_content(conversation: Conversation, staff: list[Participant], idea_count: int | None,
                  rng: random.Random) -> None:
    """Post the demo's staff ideas (the few that name people go to moderation) and comments on the same topics."""
    pool = demo_texts("staff_demo_ideas.txt")
    rng.shuffle(pool)
    pool = pool if idea_count is None else pool[:idea_count]
    question_ids = [q.id for q in conversation.questions]
    posted: list[tuple[str, str]] = []  # (idea id, topic)
    for topic, text in pool:
        # Ideas naming people are posted as an author who ignored the warning would: held for moderation.
        try:
            idea, _ = ideas.post_idea(rng.choice(staff), rng.choice(question_ids), text,
                                      allow_identifying=topic == "identifying")
        except IdentifyingDetails:
            continue  # the detector's false alarm: a real author would reword it
        if idea.status == ContentStatus.PUBLISHED:
            posted.append((idea.id, topic))
    # Spread creation hours over the past fortnight so "newest" and relative times look real.
    now_hour = utcnow().replace(minute=0, second=0, microsecond=0)
    for idea_id, _ in posted:
        db.session.get_one(Idea, idea_id).created_hour = now_hour - timedelta(hours=rng.randint(0, 24 * 14))
    db.session.commit()
    notes = demo_texts("staff_demo_comments.txt")
    if idea_count is not None:
        notes = rng.sample(notes, k=min(len(notes), idea_count // 2))
    for topic, text in notes:
        same = [i for i, t in posted if t == topic] or [i for i, _ in posted]
        if same:
            comments.add_comment(rng.choice(staff), rng.choice(same), text)
    ids = [i for i, _ in posted]
    popular = ids[: max(1, len(ids) // 5)]
    for person in staff:
        for idea_id in set(rng.sample(ids, k=min(len(ids), 12)) + rng.sample(popular, k=min(len(popular), 8))):
            voting.cast_vote(person, idea_id, "support")
