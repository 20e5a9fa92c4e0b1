"""Uploaded PDFs with active content, a password or no parseable structure are refused at upload,
the same way in the API and the portal; ordinary PDFs (links, a page to open at) are accepted.
The PDFs are built here with pikepdf."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pikepdf import Array, Dictionary, Name, String
from tests.api.support import agent_answers, pdf_upload, post_with_id
from tests.samples import NAME, pdf_bytes

from madoguchi.cases.models import Case
from madoguchi.procedures.errors import FieldError
from madoguchi.procedures.pdf_content import PdfEncrypted, PdfUnreadable, pdf_active_content


def build(change=None, **save) -> bytes:
    """A one-page PDF from ``pdf_bytes()`` after ``change(pdf)``, saved with ``save`` options."""
    with pikepdf.open(io.BytesIO(pdf_bytes())) as pdf:
        if change:
            change(pdf)
        out = io.BytesIO()
        pdf.save(out, **save)
        return out.getvalue()


def open_action_javascript(pdf):
    pdf.Root.OpenAction = Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String("app.alert('x')"))


def document_level_javascript(pdf):
    script = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=pdf.make_stream(b"this.print();")))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), script])))


def launch_on_click(pdf):
    link = Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 100, 100], A=Dictionary(S=Name.Launch, F=String("cmd.exe"))
    )
    pdf.pages[0].Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))


def embedded_file(pdf):
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ...", filename="payload.exe")


def file_attachment_annotation(pdf):
    spec = pikepdf.AttachedFileSpec(pdf, b"hello", filename="note.txt")
    annot = Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 0, 10, 10], FS=spec.obj)
    pdf.pages[0].Annots = Array([pdf.make_indirect(annot)])


def xfa_form(pdf):
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=pdf.make_stream(b"<xdp:xdp/>"))


def rich_media(pdf):
    annot = Dictionary(Type=Name.Annot, Subtype=Name.RichMedia, Rect=[0, 0, 10, 10])
    pdf.pages[0].Annots = Array([pdf.make_indirect(annot)])


def uri_when_the_page_opens(pdf):
    pdf.pages[0].AA = Dictionary(O=Dictionary(S=Name.URI, URI=String("https://tracker.example/")))


def link_to_a_web_site(pdf):
    link = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=[0, 0, 100, 100],
        A=Dictionary(S=Name.URI, URI=String("https://www.city.example.lg.jp/")),
    )
    pdf.pages[0].Annots = Array([pdf.make_indirect(link)])


def open_at_the_first_page(pdf):
    pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])


def goto_action_on_open(pdf):
    pdf.Root.OpenAction = Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit]))


ACTIVE = [
    pytest.param(open_action_javascript, {}, {"javascript", "automatic_action"}, id="openaction-javascript"),
    pytest.param(
        open_action_javascript,
        {"object_stream_mode": pikepdf.ObjectStreamMode.generate},
        {"javascript", "automatic_action"},
        id="javascript-in-object-stream",
    ),
    pytest.param(document_level_javascript, {}, {"javascript"}, id="names-javascript"),
    pytest.param(launch_on_click, {}, {"launch"}, id="launch"),
    pytest.param(embedded_file, {}, {"embedded_file"}, id="embedded-file"),
    pytest.param(file_attachment_annotation, {}, {"embedded_file"}, id="file-attachment-annotation"),
    pytest.param(xfa_form, {}, {"xfa"}, id="xfa"),
    pytest.param(rich_media, {}, {"rich_media"}, id="richmedia"),
    pytest.param(uri_when_the_page_opens, {}, {"automatic_action"}, id="aa-uri"),
]


@pytest.mark.parametrize(("change", "save", "kinds"), ACTIVE)
def test_active_content_is_found(change, save, kinds):
    assert pdf_active_content(build(change, **save)) == kinds


@pytest.mark.parametrize("change", [None, link_to_a_web_site, open_at_the_first_page, goto_action_on_open])
def test_ordinary_pdfs_have_no_active_content(change):
    assert pdf_active_content(build(change)) == set()


def test_a_pdf_that_needs_a_password_is_encrypted_and_one_with_owner_restrictions_is_readable():
    with pytest.raises(PdfEncrypted):
        pdf_active_content(build(encryption=pikepdf.Encryption(owner="owner", user="user")))
    restricted = build(encryption=pikepdf.Encryption(owner="owner", user="", allow=pikepdf.Permissions(extract=False)))
    assert pdf_active_content(restricted) == set()


def test_a_file_that_only_starts_like_a_pdf_is_unreadable():
    with pytest.raises(PdfUnreadable):
        pdf_active_content(b"%PDF-1.7\n" + b"\x00garbage" * 50)


def problem_errors(response) -> list[dict]:
    assert response.status_code == 422, response.content
    return response.json()["errors"]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (build(open_action_javascript), "file_active_content"),
        (build(embedded_file), "file_active_content"),
        (build(encryption=pikepdf.Encryption(owner="o", user="u")), "file_encrypted"),
        (b"%PDF-1.4\n" + b"\x00not a pdf" * 40, "file_unreadable"),
    ],
    ids=["javascript", "embedded-file", "password", "unparseable"],
)
def test_the_api_refuses_the_pdf_with_a_field_error_and_stores_nothing(client, aoba, content, code):
    response = post_with_id(
        client, agent_answers(), {"power_of_attorney": pdf_upload(content=content)}, HTTP_ACCEPT_LANGUAGE="ja"
    )
    (error,) = problem_errors(response)
    assert (error["field"], error["code"]) == ("power_of_attorney", code)
    assert error["message"] == FieldError("power_of_attorney", code).message
    assert not Case.objects.for_municipality(aoba).exists()


def test_the_api_accepts_a_pdf_with_a_link_and_an_open_page(client, aoba):
    content = build(lambda pdf: (link_to_a_web_site(pdf), open_at_the_first_page(pdf)))
    response = post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload(content=content)})
    assert response.status_code == 201


def test_the_messages_are_japanese_first_and_english_on_request():
    with translation.override("ja"):
        assert FieldError("f", "file_active_content").message.startswith(
            "PDFにスクリプトや埋め込みファイルなどが含まれているため受け付けられません。"
        )
        assert FieldError("f", "file_encrypted").message.startswith("PDFにパスワードが設定されているため")
        assert FieldError("f", "file_unreadable").message.startswith("PDFを読み取れません")
    with translation.override("en"):
        assert FieldError("f", "file_active_content").message.startswith("The PDF contains scripts, embedded files")


def test_the_portal_shows_the_same_error_next_to_the_file_field(client, municipalities):
    upload = SimpleUploadedFile("委任状.pdf", build(open_action_javascript), "application/pdf")
    response = client.post(
        "/082015/procedures/juminhyo-copy/apply/requester/",
        {
            "requester_name.family": NAME["family"],
            "requester_name.given": NAME["given"],
            "requester_name.family_kana": NAME["family_kana"],
            "requester_name.given_kana": NAME["given_kana"],
            "relationship": "agent",
            "power_of_attorney": upload,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "PDFにスクリプトや埋め込みファイルなどが含まれているため受け付けられません。" in page
