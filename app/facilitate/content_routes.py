"""Facilitator pages for a conversation's content: questions, Ideas Lab stages and paper sticky notes."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2

from app.facilitate import bp
from app.facilitate.forms import ConfirmForm, PaperImportForm, QuestionForm, StageForm
from app.facilitate.helpers import fail_on, managed, page_arg
from app.views import acting, flash_refusal, refuse_on
from app.services.content import note_imports, paper_notes
from app.services.conversations import questions
from app.services.conversations import stages
from app.services.common.csvfile import RowErrors
from app.services.common.errors import ServiceError
from app.models import Conversation, NoteImport


def found_conversation(note_import: NoteImport) -> Conversation:
    return managed(note_import.conversation_id)


def _questions_page(conversation: Conversation, add_form: QuestionForm, edit_forms: dict[int, QuestionForm] | None = None,
                    status: int = 200) -> tuple[str, int]:
    forms = {q.id: QuestionForm(formdata=None, prefix=f"q{q.id}", data={"text": q.text, "description": q.description})
             for q in conversation.questions}
    forms.update(edit_forms or {})
    return render_template("facilitate/questions.html", conversation=conversation, add_form=add_form, edit_forms=forms,
                           confirm_form=ConfirmForm(), named_mode=conversation.named_mode), status


@bp.get("/conversations/<int:conversation_id>/questions")
def question_list(conversation_id: int) -> ResponseReturnValue:
    return _questions_page(managed(conversation_id), QuestionForm(prefix="new"))


@bp.post("/conversations/<int:conversation_id>/questions")
def add_question(conversation_id: int) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    form = QuestionForm(prefix="new")
    if form.validate_on_submit():
        try:
            questions.add_question(conversation, form.text.data or "", form.description.data or "")
        except ServiceError as error:
            refuse_on(form, error, "text")
        else:
            flash("The question has been added.", "success")
            return redirect(url_for("facilitate.question_list", conversation_id=conversation.id))
    return _questions_page(conversation, form, status=400)


@bp.post("/conversations/<int:conversation_id>/questions/<int:question_id>")
def edit_question(conversation_id: int, question_id: int) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    form = QuestionForm(prefix=f"q{question_id}")
    if form.validate_on_submit():
        try:
            questions.edit_question(conversation, question_id, form.text.data or "", form.description.data or "")
        except ServiceError as error:
            refuse_on(form, error, "text")
        else:
            flash("The question has been saved.", "success")
            return redirect(url_for("facilitate.question_list", conversation_id=conversation.id))
    return _questions_page(conversation, QuestionForm(prefix="new", formdata=None), {question_id: form}, 400)


@bp.post("/conversations/<int:conversation_id>/questions/<int:question_id>/remove")
def remove_question(conversation_id: int, question_id: int) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    if ConfirmForm().validate_on_submit():
        try:
            questions.remove_question(conversation, question_id)
        except ServiceError as error:
            flash_refusal(error)
        else:
            flash("The question has been removed.", "success")
    return redirect(url_for("facilitate.question_list", conversation_id=conversation.id))


@bp.post("/conversations/<int:conversation_id>/questions/<int:question_id>/move")
def move_question(conversation_id: int, question_id: int) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    if ConfirmForm().validate_on_submit():
        try:
            questions.move_question(conversation, question_id, request.form.get("direction", ""))
        except ServiceError as error:
            flash_refusal(error)
    return redirect(url_for("facilitate.question_list", conversation_id=conversation.id))


def _stages_page(conversation: Conversation, stage_forms: dict[str, StageForm] | None = None,
                 status: int = 200) -> tuple[str, int]:
    staged = stages.staged_ideas(conversation, request.args.get("stage"), page_arg())
    forms = {i.id: StageForm(formdata=None, prefix=f"s{i.id}", data={"stage": i.stage, "reason": i.stage_reason or ""})
             for i in staged.ideas}
    forms.update(stage_forms or {})
    return render_template("facilitate/stages.html", conversation=conversation, staged=staged, forms=forms,
                           stage_names=stages.STAGES, named_mode=conversation.named_mode), status


@bp.get("/conversations/<int:conversation_id>/stages")
def stage_list(conversation_id: int) -> ResponseReturnValue:
    return _stages_page(managed(conversation_id))


@bp.post("/conversations/<int:conversation_id>/ideas/<idea_id>/stage")
def set_stage(conversation_id: int, idea_id: str) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    form = StageForm(prefix=f"s{idea_id}")
    if form.validate_on_submit():
        try:
            stages.set_stage(conversation, idea_id, form.stage.data, form.reason.data or "")
        except ServiceError as error:
            refuse_on(form, error, "stage")
        else:
            flash(f"The idea is now at the stage “{stages.STAGES[form.stage.data]}”.", "success")
            return redirect(url_for("facilitate.stage_list", conversation_id=conversation.id,
                                    stage=request.args.get("stage") or None, _anchor=f"idea-{idea_id}"))
    return _stages_page(conversation, {idea_id: form}, 400)


@bp.route("/conversations/<int:conversation_id>/paper-notes", methods=["GET", "POST"])
def paper_import(conversation_id: int) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    form = PaperImportForm()
    form.question_id.choices = [SelectChoice("", "Choose a question")] + [
        SelectChoice(q.id, f"{n}. {q.text}") for n, q in enumerate(conversation.questions, start=1)]
    preview, row_errors = None, []
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(600 * 1024) if upload and upload.filename else (form.notes.data or "")
        if upload:
            upload.close()
        try:
            if not (data.strip() if isinstance(data, str) else data.strip()):
                form.notes.errors = ["Paste the notes or choose a CSV file"]
            elif note_imports.in_background(conversation, data, form.question_id.data):
                # Too many to check inside a request: a job checks (and saves) them, and a page shows how far it is.
                started = note_imports.start_import(conversation, data, form.question_id.data,
                                                    check_only=request.form.get("action") != "import")
                return redirect(url_for("facilitate.note_import", conversation_id=conversation.id,
                                        import_id=started.id))
            elif request.form.get("action") == "import":
                added = paper_notes.import_notes(conversation, data, form.question_id.data)
                held = sum(1 for idea in added if idea.queued)
                flash(f"{len(added)} paper {'note has' if len(added) == 1 else 'notes have'} been added as ideas."
                      + (f" {held} {'is' if held == 1 else 'are'} waiting in the moderation queue because "
                         f"{'it' if held == 1 else 'they'} may identify someone or contain abusive language." if held else ""),
                      "success")
                return redirect(url_for("facilitate.conversation", conversation_id=conversation.id))
            else:
                preview = paper_notes.read_notes(conversation, data, form.question_id.data)
                form.notes.data = data if isinstance(data, str) else data.decode("utf-8-sig", errors="replace")
        except RowErrors as error:
            row_errors = error.errors
            fail_on(form, error, "notes")
        except ServiceError as error:
            refuse_on(form, error, "notes")
    status = 400 if form.errors else 200
    return render_template("facilitate/paper.html", conversation=conversation, form=form, preview=preview,
                           row_errors=row_errors, named_mode=conversation.named_mode), status


@bp.get("/conversations/<int:conversation_id>/paper-notes/imports/<int:import_id>")
def note_import(conversation_id: int, import_id: int) -> ResponseReturnValue:
    """How far a large import is: refreshes itself while the job works; then its result, or its errors."""
    found = note_imports.get_import(acting().facilitates, conversation_id, import_id)
    return render_template("facilitate/note_import.html", conversation=found_conversation(found), note_import=found,
                           row_errors=note_imports.row_errors(found), form=ConfirmForm(),
                           pending=found.status in note_imports.PENDING)


@bp.post("/conversations/<int:conversation_id>/paper-notes/imports/<int:import_id>/import")
def import_checked_notes(conversation_id: int, import_id: int) -> ResponseReturnValue:
    """Save the notes of a finished check."""
    found = note_imports.get_import(acting().facilitates, conversation_id, import_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            note_imports.import_checked(found)
        except ServiceError as error:
            flash_refusal(error)
    return redirect(url_for("facilitate.note_import", conversation_id=conversation_id, import_id=import_id))


@bp.get("/conversations/<int:conversation_id>/paper-notes/imports/<int:import_id>/progress")
def note_import_progress(conversation_id: int, import_id: int) -> ResponseReturnValue:
    """The same progress as JSON, for the page's script (the page works without it)."""
    found = note_imports.get_import(acting().facilitates, conversation_id, import_id)
    pending = None
    if found.status in note_imports.PENDING:  # the shape theme runs use, so one script (js/progress.js) follows both
        pending = {"text": f"{found.checked} of {found.total} notes checked",
                   "percent": round(100 * found.checked / max(1, found.total))}
    return jsonify(status=found.status, checked=found.checked, total=found.total, pending=pending)
