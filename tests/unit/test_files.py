"""Files in personal chat: receiving (download and checks) and sending (consent, upload, file card).

A local aiohttp server on 127.0.0.1 stands in for OneDrive: it serves the files Teams would link to and
takes the uploads.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.teams.files import (
    DOWNLOAD_INFO,
    FILE_INFO_CARD,
    FileRefused,
    IncomingFile,
    UploadFailed,
    download,
    file_info_card,
    incoming_files,
    parse_file_consent,
    upload,
)
from cards.files import FILE_CONSENT_CARD, file_offer
from cluster.errors import Refusal

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 32
CSV = "Pupil,Cost\nJS,£427.50\n".encode("cp1252")


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
PLAIN_ZIP = zipped({"readme.txt": b"hello"})


@dataclass
class Put:
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeOneDrive:
    """Serves /files/{name} (with or without Content-Length) and takes PUT /upload."""

    files: dict[str, bytes] = field(default_factory=dict)
    puts: list[Put] = field(default_factory=list)
    upload_status: int | None = None  # force an answer to uploads
    served_bytes: int = 0
    server: TestServer | None = None

    def url(self, path: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    async def _file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in self.files:
            return web.Response(status=404)
        data = self.files[name]
        if request.query.get("chunked"):
            response = web.StreamResponse()
            response.enable_chunked_encoding()
            await response.prepare(request)
            for start in range(0, len(data), 64 * 1024):
                await response.write(data[start : start + 64 * 1024])
                self.served_bytes += len(data[start : start + 64 * 1024])
            await response.write_eof()
            return response
        self.served_bytes += len(data)
        return web.Response(body=data, content_type="application/octet-stream")

    async def _redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.puts.append(Put(dict(request.headers), body))
        if self.upload_status is not None:
            return web.json_response({"error": "injected"}, status=self.upload_status)
        end, total = request.headers["Content-Range"].removeprefix("bytes ").split("-")[1].split("/")
        if int(end) == int(total) - 1:
            return web.json_response({"id": "item-1", "name": "pack.docx"}, status=201)
        return web.json_response({"nextExpectedRanges": [f"{int(end) + 1}-"]}, status=202)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/files/{name}", self._file)
        app.router.add_get("/redirect", self._redirect)
        app.router.add_put("/upload", self._upload)
        return app


@pytest.fixture
async def onedrive() -> AsyncIterator[FakeOneDrive]:
    fake = FakeOneDrive()
    fake.server = TestServer(fake.app(), host="127.0.0.1")
    await fake.server.start_server()
    try:
        yield fake
    finally:
        await fake.server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def sent(onedrive: FakeOneDrive, name: str, data: bytes, query: str = "") -> IncomingFile:
    onedrive.files[name] = data
    return IncomingFile(name, onedrive.url(f"/files/{name}{query}"), name.rpartition(".")[2])


# --- receiving ---


def test_the_files_in_a_message_are_found_among_its_other_attachments() -> None:
    attachments: list[dict[str, Any]] = [
        {"contentType": "text/html", "content": "<p>Here is the plan</p>"},
        {
            "contentType": DOWNLOAD_INFO,
            "contentUrl": "https://contoso.sharepoint.com/personal/a/Documents/Applications/plan.pdf",
            "name": "plan.pdf",
            "content": {
                "downloadUrl": "https://contoso.sharepoint.com/download?x=1",
                "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
                "fileType": "pdf",
                "etag": "123",
            },
        },
        {"contentType": DOWNLOAD_INFO, "name": "broken.pdf", "content": {}},
    ]
    assert incoming_files(attachments) == [
        IncomingFile(
            "plan.pdf",
            "https://contoso.sharepoint.com/download?x=1",
            "pdf",
            "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
        )
    ]


def test_a_message_without_files_has_no_incoming_files() -> None:
    assert incoming_files([{"contentType": "text/html", "content": "<p>hello</p>"}]) == []
    assert incoming_files([]) == []


async def test_a_pdf_downloads_with_its_bytes_and_its_content_type(
    onedrive: FakeOneDrive, session: aiohttp.ClientSession
) -> None:
    got = await download(session, sent(onedrive, "plan.pdf", PDF))
    assert (got.name, got.content_type, got.data) == ("plan.pdf", "application/pdf", PDF)


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("report.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("chart.png", PNG, "image/png"),
        ("costs.csv", CSV, "text/csv"),
    ],
)
async def test_other_allowed_kinds_download_when_their_bytes_match(
    onedrive: FakeOneDrive, session: aiohttp.ClientSession, name: str, data: bytes, content_type: str
) -> None:
    got = await download(session, sent(onedrive, name, data))
    assert got.data == data
    assert got.content_type == content_type


async def test_a_file_over_the_limit_is_refused_from_its_content_length(
    onedrive: FakeOneDrive, session: aiohttp.ClientSession
) -> None:
    big = PDF + b"0" * (3 * 1024 * 1024)
    with pytest.raises(FileRefused) as refused:
        await download(session, sent(onedrive, "scan.pdf", big), max_bytes=1024 * 1024)
    message = refused.value.message
    assert message.startswith("“scan.pdf” is 3.0 MB, more than the 1 MB the bot accepts")
    assert "SharePoint or OneDrive" in message


async def test_a_file_over_the_limit_without_a_content_length_is_refused_while_streaming(
    onedrive: FakeOneDrive, session: aiohttp.ClientSession
) -> None:
    big = PDF + b"0" * (3 * 1024 * 1024)
    with pytest.raises(FileRefused) as refused:
        await download(session, sent(onedrive, "scan.pdf", big, "?chunked=1"), max_bytes=1024 * 1024)
    assert refused.value.message.startswith("“scan.pdf” is larger than the 1 MB the bot accepts")


async def test_a_file_at_exactly_the_limit_is_kept(onedrive: FakeOneDrive, session: aiohttp.ClientSession) -> None:
    exact = PDF + b"0" * (1024 - len(PDF))
    got = await download(session, sent(onedrive, "exact.pdf", exact, "?chunked=1"), max_bytes=1024)
    assert got.data == exact


async def test_an_exe_is_refused_without_fetching_it(onedrive: FakeOneDrive, session: aiohttp.ClientSession) -> None:
    with pytest.raises(FileRefused) as refused:
        await download(session, sent(onedrive, "setup.exe", EXE))
    assert refused.value.message.startswith("“setup.exe” is a .exe file, which the bot does not keep.")
    assert "PDF" in refused.value.message
    assert onedrive.served_bytes == 0


@pytest.mark.parametrize(
    ("name", "data", "title"),
    [
        ("plan.pdf", EXE, "PDF"),
        ("photo.png", JPEG, "PNG picture"),
        ("notes.docx", PLAIN_ZIP, "Word document"),
        ("notes.doc", PDF, "Word document"),
        ("costs.csv", EXE, "CSV file"),
        ("letter.txt", PDF, "text file"),
    ],
)
async def test_a_file_whose_bytes_do_not_match_its_extension_is_refused(
    onedrive: FakeOneDrive, session: aiohttp.ClientSession, name: str, data: bytes, title: str
) -> None:
    with pytest.raises(FileRefused) as refused:
        await download(session, sent(onedrive, name, data))
    assert refused.value.message.startswith(f"“{name}” does not contain what a {title} should")


async def test_an_empty_file_is_refused(onedrive: FakeOneDrive, session: aiohttp.ClientSession) -> None:
    with pytest.raises(FileRefused, match="is empty"):
        await download(session, sent(onedrive, "blank.pdf", b""))


@pytest.mark.parametrize(
    "url",
    ["http://contoso.sharepoint.com/plan.pdf", "ftp://contoso.sharepoint.com/plan.pdf", "file:///etc/passwd"],
)
async def test_a_download_url_that_is_not_https_is_refused(session: aiohttp.ClientSession, url: str) -> None:
    with pytest.raises(FileRefused) as refused:
        await download(session, IncomingFile("plan.pdf", url, "pdf"))
    assert "safely" in refused.value.message


async def test_a_redirect_is_followed_only_to_a_safe_address(
    onedrive: FakeOneDrive, session: aiohttp.ClientSession
) -> None:
    onedrive.files["plan.pdf"] = PDF
    to_file = IncomingFile("plan.pdf", onedrive.url("/redirect") + "?to=/files/plan.pdf", "pdf")
    assert (await download(session, to_file)).data == PDF
    insecure = IncomingFile("plan.pdf", onedrive.url("/redirect") + "?to=http://example.com/plan.pdf", "pdf")
    with pytest.raises(FileRefused, match="safely"):
        await download(session, insecure)


async def test_a_missing_file_is_refused_with_a_request_to_send_it_again(
    onedrive: FakeOneDrive, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(FileRefused) as refused:
        await download(session, IncomingFile("gone.pdf", onedrive.url("/files/gone.pdf"), "pdf"))
    assert refused.value.message.endswith("Please send it again.")


def test_a_refused_file_is_a_refusal_the_user_reads() -> None:
    assert issubclass(FileRefused, Refusal)


# --- sending ---


def test_the_file_consent_card_asks_for_the_file_with_its_size_and_context() -> None:
    card = file_offer("CEN-2526-014 referral pack.docx", 38_211, {"referral_id": 14})
    assert card == {
        "contentType": FILE_CONSENT_CARD,
        "name": "CEN-2526-014 referral pack.docx",
        "content": {
            "description": "CEN-2526-014 referral pack.docx, from the Cluster Funding bot",
            "sizeInBytes": 38_211,
            "acceptContext": {"referral_id": 14},
            "declineContext": {"referral_id": 14},
        },
    }


def test_an_accepted_consent_gives_the_upload_information() -> None:
    answer = parse_file_consent(
        {
            "type": "fileUpload",
            "action": "accept",
            "context": {"referral_id": 14},
            "uploadInfo": {
                "contentUrl": "https://contoso.sharepoint.com/personal/a/Documents/Applications/pack.docx",
                "name": "pack.docx",
                "uploadUrl": "https://upload.link",
                "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C",
                "fileType": "docx",
                "etag": "123",
            },
        }
    )
    assert answer.action == "accept"
    assert answer.context == {"referral_id": 14}
    assert answer.upload_info is not None
    assert answer.upload_info.upload_url == "https://upload.link"
    assert file_info_card(answer.upload_info) == {
        "contentType": FILE_INFO_CARD,
        "contentUrl": "https://contoso.sharepoint.com/personal/a/Documents/Applications/pack.docx",
        "name": "pack.docx",
        "content": {"uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C", "fileType": "docx"},
    }


def test_a_declined_consent_has_its_context_and_nothing_to_upload() -> None:
    answer = parse_file_consent({"type": "fileUpload", "action": "decline", "context": {"referral_id": 14}})
    assert answer.action == "decline"
    assert answer.context == {"referral_id": 14}
    assert answer.upload_info is None


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"action": "maybe"},
        {"action": "accept", "context": {}},
        {"action": "accept", "uploadInfo": {"name": "x"}},
    ],
)
def test_a_malformed_consent_answer_is_rejected(value: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        parse_file_consent(value)


async def test_the_upload_puts_the_bytes_with_the_whole_file_content_range(
    onedrive: FakeOneDrive, session: aiohttp.ClientSession
) -> None:
    data = b"PK\x03\x04" + b"x" * 38_207
    await upload(session, onedrive.url("/upload"), data)
    assert len(onedrive.puts) == 1
    put = onedrive.puts[0]
    assert put.body == data
    assert put.headers["Content-Range"] == "bytes 0-38210/38211"
    assert put.headers["Content-Length"] == "38211"
    assert "Authorization" not in put.headers


async def test_a_large_upload_goes_in_fragments_of_320_kib_multiples(
    onedrive: FakeOneDrive, session: aiohttp.ClientSession
) -> None:
    data = bytes(range(256)) * (700 * 4)  # 700 KiB
    await upload(session, onedrive.url("/upload"), data, fragment_bytes=320 * 1024)
    ranges = [put.headers["Content-Range"] for put in onedrive.puts]
    assert ranges == ["bytes 0-327679/716800", "bytes 327680-655359/716800", "bytes 655360-716799/716800"]
    assert b"".join(put.body for put in onedrive.puts) == data


async def test_a_refused_upload_raises_with_the_status(onedrive: FakeOneDrive, session: aiohttp.ClientSession) -> None:
    onedrive.upload_status = 403
    with pytest.raises(UploadFailed) as failed:
        await upload(session, onedrive.url("/upload"), b"data")
    assert failed.value.status == 403


async def test_an_upload_to_a_non_https_url_is_refused(session: aiohttp.ClientSession) -> None:
    with pytest.raises(UploadFailed):
        await upload(session, "http://upload.example.com/x", b"data")


async def test_an_upload_to_nowhere_raises_rather_than_hanging(session: aiohttp.ClientSession) -> None:
    with pytest.raises(UploadFailed) as failed:
        await upload(session, "http://127.0.0.1:9/upload", b"data")
    assert failed.value.status == 0
