"""HTML rendered once and reused: page furniture every reader sees alike, and the shared parts of idea cards.

An NHS.UK component macro builds its HTML from a dict of parameters through several nested templates: the header,
the footer, the skip link, a back link and the idea form's character count cost a question page about a quarter
of its CPU, though their output depends only on those parameters. `shared_component(macro, params)` renders the
macro once per distinct `params` and keeps the HTML, per app, in the worker's memory, bounded in size.

What may be kept is what any reader with the same role would see: callers pass only parameters that name nobody
and hold nothing a person typed (rules A2, A3). A value that is about the reader (the account name in the header)
goes in `slots`: the macro is rendered with a fixed placeholder, kept, and the value is escaped into each copy
on the way out, so no kept entry holds it. Parameters the memo cannot key exactly (anything but dicts, lists,
strings, numbers, booleans and None) are rendered afresh each time.

`card_parts` keeps the parts of an idea card every reader sees alike per conversation event; `OncePerVote`
renders a page's vote buttons once per vote a reader can have cast (both below, with their own rules).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, Mapping
from typing import Any
from urllib.parse import quote

from flask import current_app, request
from markupsafe import Markup, escape

from app.csrf_mask import generate_csrf
from app.services.content.cards import CARD_CONVERSATIONS, CARD_ENTRIES, keeps_cards
from app.services.content.listing import IdeaCard
from app.services.content.listing_cache import ListingCache
from app.services.common.worker_memory import KeptValues, per_app

URL_SAFE = "!$&'()*+,/:;=@"  # what werkzeug's to_url leaves unquoted in a path part
ENTRIES = 256  # distinct (component, parameters) kept per app; least recently used dropped first


class _Unkeyable(Exception):
    """The parameters hold something the memo cannot tell apart exactly."""


_PLAIN = frozenset({str, int, float, bool, type(None)})  # exactly these types (not Markup, a str) stand for themselves


def _key(value: Any) -> Hashable:
    """An exact, hashable stand-in for a parameter value: Markup is told apart from str (one is escaped, one not)."""
    # The header's and footer's parameters on every page: the common types by their exact type first (measured:
    # the isinstance chain below was two thirds of shared_component's time).
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return ("dict", tuple(sorted((str(k), _key(v)) for k, v in value.items())))
    if kind is list:
        return ("list", tuple(_key(v) for v in value))
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Markup):
        return ("markup", str(value))
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return ("dict", tuple(sorted((str(k), _key(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_key(v) for v in value))
    raise _Unkeyable


def macro_code(macro: Any) -> Any:
    """What names a Jinja macro in a kept value's key: its code object (its name alone could be shared by two files)."""
    return getattr(getattr(macro, "_func", None), "__code__", None)


def _filled(html: str, slots: Mapping[str, str] | None) -> Markup:
    for placeholder, value in (slots or {}).items():
        html = html.replace(placeholder, str(escape(value)))
    return Markup(html)


def shared_component(macro: Callable[..., Any], params: Mapping[str, Any],
                     slots: Mapping[str, str] | None = None) -> Markup:
    """For templates: `macro(params)`, rendered once per distinct params in this app (see the module's rules), each
    slot placeholder replaced by its escaped value."""
    try:
        key = (getattr(macro, "name", None), macro_code(macro), _key(params))
    except _Unkeyable:
        return _filled(str(macro(params)), slots)
    html = per_app("components", _components).get(key, lambda: str(macro(params)))  # the store made once
    return _filled(html, slots)


def _components() -> KeptValues:
    """One app's rendered components (each app its own, like the listing cache)."""
    return KeptValues(ENTRIES)


def card_parts(card: IdeaCard, idea_url: Callable[[str], str], lab: bool) -> tuple[Markup, Markup, Markup, Markup | None]:
    """The parts of an idea card every reader sees alike (participate/_idea_card.html): head (with the text as HTML),
    edited marks, comments link, and the counts (None when this reader's are hidden).

    Kept under the card rows' rule (content/cards.py: an open conversation, not an Ideas Lab), keyed by everything
    the part shows (`_shown`, `_counted`), so an edit or a new count is a new key and never served from here, while
    the parts of ideas that did not change are carried into the next event's entries instead of rendered again
    (listing_cache's `carry`: parts not shown since the event before are dropped). What is kept is the idea's own
    text and counts, never a reader's mark (A2, A3); the counts only where nobody's are hidden, so that what is
    kept never depends on who read the page first.
    """
    macros: Any = current_app.jinja_env.get_template("participate/_idea_card.html").module  # its macros
    return _card_parts(card, idea_url, lab, macros, per_app("card_parts", _card_parts_cache))


def _card_parts_cache() -> ListingCache:
    return ListingCache(CARD_CONVERSATIONS, CARD_ENTRIES, carry=True)


def _shown(card: IdeaCard, place: str, lab: bool) -> Hashable:
    """Everything card_head, card_edited and card_link read from a card: the key of those parts, by what they show."""
    idea = card.idea
    return ("card", idea.id, place, lab, idea.body, idea.author_name, idea.stage, idea.stage_reason, idea.edited,
            idea.moderator_edited, card.comments)


def _counted(card: IdeaCard, mode: str) -> Hashable:
    """Everything card_counts reads from a card whose counts are shown: the key of its counts, by what they show."""
    return ("counts", mode, card.support, card.agree, card.disagree, card.passes)


def _card_parts(card: IdeaCard, idea_url: Callable[[str], str], lab: bool, macros: Any,
                kept: ListingCache) -> tuple[Markup, Markup, Markup, Markup | None]:
    idea = card.idea
    conversation = idea.conversation
    show = not card.counts_hidden

    def shared() -> tuple[Markup, Markup, Markup]:
        return macros.card_head(card, lab), macros.card_edited(idea), macros.card_link(card, idea_url)

    if not keeps_cards(conversation):
        return (*shared(), macros.card_counts(card, conversation.voting_mode) if show else None)
    seq, place = conversation.live_seq, idea_url("")
    head, edited, link = kept.cached(conversation.id, seq, _shown(card, place, lab), shared, True)
    if not show:
        return head, edited, link, None
    if conversation.votes_hidden:  # some readers see zeros: render, never keep, so the first reader leaves no trace
        return head, edited, link, macros.card_counts(card, conversation.voting_mode)
    counts = kept.cached(conversation.id, seq, _counted(card, conversation.voting_mode),
                         lambda: macros.card_counts(card, conversation.voting_mode), True)
    return head, edited, link, counts


# Where a card's parts go in a shell (see idea_cards). Fixed: shells are rendered from the templates' own text and
# these strings only, never from anything a person typed or anything about a reader.
_CARD_SLOTS = tuple(f"chorus-card-slot-{n}-" for n in range(5))


class _Shell:
    """The literal text of a macro around its slots, split once: filling it is a join, not a macro call."""

    def __init__(self, html: str, slots: int) -> None:
        segments = [html]
        for slot in _CARD_SLOTS[:slots]:
            before, found, after = segments[-1].partition(slot)
            if not found or slot in after:
                raise ValueError(f"{slot} is not in the shell exactly once")
            segments[-1:] = [before, after]
        self.segments = tuple(segments)

    def fill(self, *parts: str) -> str:
        out = [self.segments[0]]
        for part, segment in zip(parts, self.segments[1:], strict=True):
            out += (part, segment)
        return "".join(out)


def _shell(key: Hashable, slots: int, render: Callable[[list[Markup]], Any]) -> _Shell:
    """The shell of one macro use (key names the macro and every argument it reads), rendered once per app."""
    return per_app("shells", lambda: KeptValues(ENTRIES)).get(
        key, lambda: _Shell(str(render([Markup(slot) for slot in _CARD_SLOTS[:slots]])), slots))


def _empty(form: Any) -> bool:
    """A new-idea form as every reader first gets it: nothing typed, checked or refused yet."""
    return not (form.errors or form.body.data or getattr(form, "similar", None) or getattr(form, "identifying_spans", None)
                or form.confirm_identifying.data or form.to_guardian.data or form.similar_checked.data)


def kept_form(macro: Any, form: Any, question_id: int, conversation: Any, speak_up: bool,
              new_form: Callable[[], Any] | None = None) -> Markup:
    """For templates: participate/_idea_form.html's form, kept per question while empty, with this request's CSRF
    token and duplicate-post token filled in (they are per reader and per form, so never kept).

    The key names everything the macro reads besides the form (the question, the conversation's id, whether a
    Guardian can be chosen, the URLs' root), and only an empty form (`_empty`) is kept: a form showing a person's
    draft, an error or similar ideas is rendered afresh and never kept. `form` None is an empty form not built yet
    (a page's first showing): its tokens are the ones a new form would carry, and `new_form()` builds it only if
    its kept copy must be rendered (building a form was some 4% of a question page's CPU)."""
    if form is None:
        from app.participate.forms import new_client_token  # (the blueprint's forms import the services)

        csrf, client = generate_csrf(), new_client_token()
    else:
        csrf, client = str(form.csrf_token.current_token), str(form.client_token.data or "")
        if not _empty(form):
            return Markup(macro(form, question_id, conversation, speak_up, csrf, client))
    if form is None and new_form is None:
        raise TypeError("kept_form needs new_form to render an empty form it was not given")
    key = ("idea_form", macro_code(macro), question_id, conversation.id, bool(speak_up), request.script_root)
    shell = _shell(key, 2, lambda slot: macro(form if form is not None else new_form(),  # type: ignore[misc]
                                              question_id, conversation, speak_up, *slot))
    return Markup(shell.fill(str(escape(csrf)), str(escape(client))))


def _page_parts(cards: list[IdeaCard], idea_url: Callable[[str], str], lab: bool, macros: Any,
                kept: ListingCache) -> list[tuple[Markup, Markup, Markup, Markup | None]]:
    """card_parts for a page of cards of one conversation, looked up in two goes instead of two per card."""
    conversation = cards[0].idea.conversation
    if not keeps_cards(conversation) or any(card.idea.conversation is not conversation for card in cards):
        return [_card_parts(card, idea_url, lab, macros, kept) for card in cards]
    seq, place, mode = conversation.live_seq, idea_url(""), conversation.voting_mode
    shown = {_shown(card, place, lab): card for card in cards}

    def shared(missing: list[Hashable]) -> dict[Hashable, Any]:
        return {key: (macros.card_head(card, lab), macros.card_edited(card.idea), macros.card_link(card, idea_url))
                for key in missing for card in (shown[key],)}

    # Keyed by what they show, so good until the card changes (until_event); carried across events (see card_parts).
    heads = kept.cached_many(conversation.id, seq, list(shown), shared, True)
    # Counts are kept only while nobody's are hidden (see card_parts); a reader's hidden ones are filled in later.
    keep_counts = not conversation.votes_hidden
    counted = {_counted(card, mode): card for card in cards if not card.counts_hidden} if keep_counts else {}

    def counts_of(missing: list[Hashable]) -> dict[Hashable, Any]:
        return {key: macros.card_counts(counted[key], mode) for key in missing}

    counts = kept.cached_many(conversation.id, seq, list(counted), counts_of, True) if counted else {}
    found: list[tuple[Markup, Markup, Markup, Markup | None]] = []
    for card in cards:
        head, edited, link = heads[_shown(card, place, lab)]
        if card.counts_hidden:
            found.append((head, edited, link, None))
        elif keep_counts:
            found.append((head, edited, link, counts[_counted(card, mode)]))
        else:  # some readers see zeros: render, never keep, so the first reader leaves no trace
            found.append((head, edited, link, macros.card_counts(card, mode)))
    return found


def idea_cards(cards: list[IdeaCard], idea_url: Callable[[str], str], lab: bool, facilitator: bool,
               voting_mode: str, may_vote: bool, buttons: Callable[[str, str | None], Markup]) -> Markup:
    """A question page's list of cards, each exactly what participate/_idea_card.html's `listed` macro renders
    from its parts, assembled in Python: a page rendered 20 cards through three macro calls each.

    The shells (the macros' literal text around placeholders) are kept per app: they hold no idea, no count and
    nothing about a reader. The parts come from card_parts' store (kept per conversation event under its rules);
    the reader's marks (the time, "your idea", the facilitator's flag, hidden counts, the pressed vote) are filled
    in here, per request, and never kept."""
    if not cards:
        return Markup("")
    env = current_app.jinja_env
    macros: Any = env.get_template("participate/_idea_card.html").module
    vote_macros: Any = env.get_template("participate/_vote_macros.html").module
    since = env.filters["relative_time"]
    votes = _shell(("votes", bool(may_vote)), 2 if may_vote else 1, lambda slot: vote_macros.votes(
        None, voting_mode, may_vote, None, None, None, None, slot[0], slot[1] if may_vote else None))
    def listed_shell(mine: bool, flag: bool) -> _Shell:
        return _shell(("listed", mine, flag), 5, lambda slot: macros.listed(*slot, mine=mine, flag=flag))

    # All four pairs of marks at once, so which shells exist never depends on who read first.
    listed = {(mine, flag): listed_shell(mine, flag) for mine in (False, True) for flag in (False, True)}
    times: dict[object, str] = {}
    out = []
    for card, (head, edited, link, counts) in zip(cards, _page_parts(cards, idea_url, lab, macros,
                                                                     per_app("card_parts", _card_parts_cache))):
        idea = card.idea
        if counts is None:  # this reader's counts are hidden until they vote: about the reader, never kept
            counts = macros.card_counts(card, voting_mode)
        hour = idea.created_hour
        time = times.get(hour)
        if time is None:
            time = times[hour] = str(escape(since(hour)))
        votes_html = votes.fill(counts, buttons(idea.id, card.my_vote)) if may_vote else votes.fill(counts)
        shell = listed[(card.mine, bool(facilitator and idea.flagged_identifying))]
        out.append(shell.fill(head, time, edited, link, votes_html))
    return Markup("".join(out))


class OncePerVote:
    """An idea card's vote buttons for one page, rendered once for each vote a reader can have cast (none, support;
    or agree, disagree, pass) and given each card's idea id afterwards, instead of rendered for every card.

    The id appears only in the form's URLs (url_pattern), so it goes in quoted as url_pattern quotes it. The
    placeholder is random per page, so nothing in the request (the page's own URL is in the form) can name it.
    Lives for one page: the buttons carry the reader's CSRF field, and nothing of them is kept beyond it."""

    def __init__(self, macro: Callable[..., Any], *args: Any) -> None:
        self._macro, self._args = macro, args
        self._slot = "chorus-idea-" + secrets.token_hex(8)
        self._rendered: dict[str | None, list[str]] = {}  # the buttons' HTML split at the placeholder

    def __call__(self, idea_id: str, my_vote: str | None) -> Markup:
        parts = self._rendered.get(my_vote)
        if parts is None:
            parts = self._rendered[my_vote] = str(self._macro(self._slot, my_vote, *self._args)).split(self._slot)
        return Markup(quote(idea_id, safe=URL_SAFE).join(parts))
