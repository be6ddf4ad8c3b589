"""Pol.is pages: upload, preview and confirm; export download; the opinion map without JavaScript; others' 404s."""

from __future__ import annotations

import io
import re
import zipfile

import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, PolisImport
from app.services.conversations import lifecycle
from app.services.polis import importing
from tests import polis_export


def _upload(client, token: str, files: dict[str, bytes], **extra):  # type: ignore[no-untyped-def]
    data = {"csrf_token": token, "files": [(io.BytesIO(body), name) for name, body in files.items()], **extra}
    return client.post("/facilitate/polis-import", data=data, content_type="multipart/form-data")


def test_upload_preview_and_confirm(client, login, make_user):
    facilitator = make_user("facilitator")
    token = login(facilitator)
    page = client.get("/facilitate/polis-import")
    assert page.status_code == 200 and 'type="file" multiple' in page.get_data(as_text=True)
    assert "Import a conversation from Pol.is" in client.get("/facilitate/").get_data(as_text=True)
    response = _upload(client, token, polis_export.export())
    assert response.status_code == 302
    status_url = response.headers["Location"]
    assert re.fullmatch(r"/facilitate/polis-import/\d+", status_url)
    preview = client.get(status_url).get_data(as_text=True)
    assert "Check what will be imported" in preview and "Rota fairness" in preview
    assert "Import 10 statements and" in preview and db.session.scalar(sa.select(sa.func.count(Idea.id))) == 0
    confirmed = client.post(status_url + "/confirm", data={"csrf_token": token})
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == status_url
    done = client.get(status_url).get_data(as_text=True)
    assert "Pol.is conversation imported" in done and "Importing the same files again changes nothing" in done
    found = db.session.scalar(sa.select(PolisImport))
    overview = client.get(f"/facilitate/conversations/{found.conversation_id}").get_data(as_text=True)
    assert "Imported from Pol.is" in overview and "30 participants" in overview
    # The same files in a zip are recognised: nothing new is staged or imported.
    again = _upload(client, token, {"export.zip": polis_export.zipped(polis_export.export())})
    assert again.headers["Location"] == status_url
    assert db.session.scalar(sa.select(sa.func.count(PolisImport.id))) == 1


def test_bad_files_show_each_problem_and_write_nothing(client, login, make_user):
    token = login(make_user("facilitator"))
    files = polis_export.export()
    files["votes.csv"] = files["votes.csv"].replace(b"\n1500000100001,x,0,0,", b"\n1500000100001,x,99,0,", 1)
    response = _upload(client, token, files)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported: correct these problems" in html
    assert "votes.csv row 3: statement 99 is not in comments.csv" in html
    missing = _upload(client, token, {"notes.txt": b"hello"})
    assert missing.status_code == 400 and "Upload comments.csv and votes.csv" in missing.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(PolisImport.id))) == 0


def _claiming(client, path: str, token: str, size: int):  # type: ignore[no-untyped-def]
    """A post whose Content-Length claims `size` bytes: refused from the header, before any of it is read.

    (A real body over 500 KB would make the test client spool it to a file the refused request never closes.)
    """
    return client.post(path, data=f"csrf_token={token}", content_type="application/x-www-form-urlencoded",
                       environ_overrides={"CONTENT_LENGTH": str(size)})


def test_two_hundred_megabytes_are_refused_with_a_clear_message(app, client, login, make_user):
    token = login(make_user("facilitator"))
    response = _claiming(client, "/facilitate/polis-import", token, 200 * 1024 * 1024)
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and "The files must be smaller than 100 MB in total" in html
    assert "Upload only comments.csv" in html and 'type="file" multiple' in html
    # Under the cap the body is read (here it ends early, which is a bad request, not "too large").
    assert _claiming(client, "/facilitate/polis-import", token, 50 * 1024 * 1024).status_code == 400
    app.config["CHORUS_POLIS_MAX_UPLOAD_MB"] = 1
    big = _claiming(client, "/facilitate/polis-import", token, 3 * 1024 * 1024)
    assert big.status_code == 413 and "smaller than 1 MB" in big.get_data(as_text=True)
    # Other pages keep the usual limit (2 MB).
    assert _claiming(client, "/facilitate/conversations/new", token, 3 * 1024 * 1024).status_code == 413
    assert db.session.scalar(sa.select(sa.func.count(PolisImport.id))) == 0


def test_export_downloads_the_four_files(client, login, make_user, org):
    login(make_user("facilitator"))
    done, _ = importing.import_files(org.id, polis_export.export())
    response = client.get(f"/facilitate/conversations/{done.conversation_id}/polis-export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == ["comments.csv", "participants-votes.csv", "summary.csv", "votes.csv"]
        comments = archive.read("comments.csv").decode()
    assert comments.startswith("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body")
    assert "rota rule 9" not in comments  # moderated out: not exported


def test_export_with_too_few_voters_says_why(client, login, make_user, make_conversation):
    login(make_user("facilitator"))
    conversation = make_conversation(voting_mode="agree")
    response = client.get(f"/facilitate/conversations/{conversation.id}/polis-export")
    assert response.status_code == 409 and "Fewer than 11 people have voted" in response.get_data(as_text=True)


def test_the_opinion_map_works_without_javascript(client, login, make_user, org):
    login(make_user("facilitator"))
    done, _ = importing.import_files(org.id, polis_export.export())
    conversation = db.session.get_one(PolisImport, done.id).conversation_id
    from app.models import Conversation

    lifecycle.open_conversation(db.session.get_one(Conversation, conversation))
    html = client.get(f"/conversations/{conversation}/opinions").get_data(as_text=True)
    svg = html[html.index("<svg viewBox"):html.index("</svg>", html.index("<svg viewBox"))]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert re.search(r"Opinion map of 30 people in 2 groups\. .*Group 1, 15 people, at the .*; group 2, 15 people", svg)
    assert svg.count("<polygon points=") >= 2  # an outline per group
    assert "The opinion map as a table" in html and "<script" not in svg
    assert "Most sets it apart" in html


def test_no_map_with_fewer_than_two_k_people(client, login, make_user, org):
    login(make_user("facilitator"))
    files = polis_export.export(participants=20)  # camps of 15 and 5: no two groups of 11
    done, _ = importing.import_files(org.id, files)
    from app.models import Conversation

    lifecycle.open_conversation(db.session.get_one(Conversation, done.conversation_id))
    html = client.get(f"/conversations/{done.conversation_id}/opinions").get_data(as_text=True)
    assert "No map is drawn until at least 22 people are grouped" in html and "<svg viewBox" not in html


def test_another_organisations_import_and_export_are_not_found(client, login, make_user, make_org, org):
    done, _ = importing.import_files(org.id, polis_export.export())
    staged = importing.check_files(frozenset({org.id}), org.id, polis_export.export(participants=24))
    other = make_org("Other Trust")
    token = login(make_user("facilitator", organisation=other))
    assert client.get(f"/facilitate/conversations/{done.conversation_id}/polis-export").status_code == 404
    assert client.get(f"/facilitate/polis-import/{done.id}").status_code == 404
    assert client.post(f"/facilitate/polis-import/{staged.id}/confirm", data={"csrf_token": token}).status_code == 404
    assert db.session.get_one(PolisImport, staged.id).status == "checked"
    participant = make_user()
    client.post("/auth/sign-out", data={"csrf_token": token})
    login(participant)
    assert client.get("/facilitate/polis-import").status_code in (403, 404)


def test_a_failed_import_says_nothing_was_imported(client, login, make_user, monkeypatch):
    token = login(make_user("facilitator"))
    status_url = _upload(client, token, polis_export.export()).headers["Location"]
    from app.services.themes import reading

    monkeypatch.setattr(reading, "check_text", lambda text: (_ for _ in ()).throw(RuntimeError("disk full")))
    response = client.post(status_url + "/confirm", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == status_url
    html = client.get(status_url).get_data(as_text=True)
    assert "The import did not finish" in html and "nothing was imported" in html and "disk full" not in html
    assert db.session.scalar(sa.select(sa.func.count(Idea.id))) == 0
