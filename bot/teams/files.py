"""Files in personal chat, through the Teams bot file APIs (these work only in personal chat).

Receiving: with ``supportsFiles`` in the manifest, a file a user sends reaches the bot as a message whose
attachments include one of content type ``application/vnd.microsoft.teams.file.download.info``; its
``content.downloadUrl`` is a short-lived, pre-authenticated OneDrive link the bot reads with a plain GET
(no bot token). :func:`incoming_files` finds those attachments and :func:`download` fetches one, refusing
files that are too large, of a type the bot does not keep, or whose bytes do not match their extension.

Sending: the bot cannot push a file; it asks first. ``cards.files.file_offer`` is the "Allow / Decline" card;
the user's answer arrives as the invoke ``fileConsent/invoke`` (:func:`parse_file_consent`), which must be
answered with invoke status 200. On accept its ``uploadInfo.uploadUrl`` is a OneDrive upload session:
:func:`upload` PUTs the bytes there (without an Authorization header - OneDrive may answer 401 to one), and
:func:`file_info_card` is the card that then shows the saved file in the chat.

Everything here is plain dicts and dataclasses: no botbuilder types.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot.teams.connector import is_loopback_url
from cluster.errors import Refusal
from cluster.text import clean_text

DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
FILE_INFO_CARD = "application/vnd.microsoft.teams.card.file.info"
FILE_CONSENT_INVOKE = "fileConsent/invoke"

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 3
READ_CHUNK = 64 * 1024
# OneDrive upload sessions take fragments in multiples of 320 KiB, at most 60 MiB each.
UPLOAD_FRAGMENT_UNIT = 320 * 1024
DEFAULT_UPLOAD_FRAGMENT = 32 * UPLOAD_FRAGMENT_UNIT  # 10 MiB: a referral pack always goes in one request

ACCEPTED_KINDS = (
    "Send a PDF, a Word, Excel, PowerPoint or OpenDocument file, a JPEG or PNG picture, or a text or CSV file."
)


@dataclass(frozen=True)
class FileKind:
    """A kind of file the bot keeps: its MIME type, a name people know, and how its bytes must begin."""

    content_type: str
    title: str
    magic: tuple[bytes, ...] = ()  # one of these must start the file; empty for plain text
    zip_marker: str = ""  # for zip-based formats: the entry (or the mimetype) that says which format it is


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office (.doc, .xls): a Compound File
ZIP = b"PK\x03\x04"

ALLOWED: dict[str, FileKind] = {
    "pdf": FileKind("application/pdf", "PDF", (b"%PDF",)),
    "docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document", (ZIP,), "word/"
    ),
    "doc": FileKind("application/msword", "Word document", (OLE2,)),
    "xlsx": FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook", (ZIP,), "xl/"
    ),
    "xls": FileKind("application/vnd.ms-excel", "Excel workbook", (OLE2,)),
    "pptx": FileKind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint presentation",
        (ZIP,),
        "ppt/",
    ),
    "odt": FileKind(
        "application/vnd.oasis.opendocument.text",
        "OpenDocument text file",
        (ZIP,),
        "mimetype=application/vnd.oasis.opendocument.text",
    ),
    "jpg": FileKind("image/jpeg", "JPEG picture", (b"\xff\xd8\xff",)),
    "jpeg": FileKind("image/jpeg", "JPEG picture", (b"\xff\xd8\xff",)),
    "png": FileKind("image/png", "PNG picture", (b"\x89PNG\r\n\x1a\n",)),
    "txt": FileKind("text/plain", "text file"),
    "csv": FileKind("text/csv", "CSV file"),
}

# Leading bytes that mark a file as binary, so it cannot pass as text.
BINARY_MAGIC = (b"%PDF", ZIP, OLE2, b"\xff\xd8\xff", b"\x89PNG", b"MZ", b"\x7fELF", b"GIF8", b"\x1f\x8b", b"Rar!")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FileRefused(Refusal):
    """The bot will not take a file; ``message`` is a sentence for the person who sent it."""


class UploadFailed(Exception):
    """OneDrive did not accept the bytes of a file the user agreed to receive (``status`` 0: no answer)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"upload answered {status}: {detail}")
        self.status = status
        self.detail = detail


# --- receiving ---


@dataclass(frozen=True)
class IncomingFile:
    """A file a user sent in personal chat, as Teams describes it."""

    name: str
    download_url: str
    file_type: str  # Teams' fileType: the extension, such as "pdf"
    unique_id: str = ""


@dataclass(frozen=True)
class Downloaded:
    """A file's bytes, checked; ``content_type`` comes from the allow-list, never from the sender."""

    name: str
    content_type: str
    data: bytes = field(repr=False)


def incoming_files(attachments: list[dict[str, Any]]) -> list[IncomingFile]:
    """The files among a message's attachments (Teams adds others, such as the message's HTML)."""
    found: list[IncomingFile] = []
    for attachment in attachments:
        if not isinstance(attachment, dict):
            continue
        if attachment.get("contentType", attachment.get("content_type")) != DOWNLOAD_INFO:
            continue
        content = attachment.get("content")
        if not isinstance(content, dict):
            continue
        url = content.get("downloadUrl")
        if not isinstance(url, str) or not url:
            continue
        # A file name is typed text: "report\u202excod.exe" must not show as "reportexe.docx".
        name = clean_text(str(attachment.get("name") or "")).replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"
        file_type = str(content.get("fileType") or "").strip().lstrip(".").lower()
        found.append(IncomingFile(name, url, file_type, str(content.get("uniqueId") or "")))
    return found


def extension(name: str) -> str:
    """A file name's extension, lower case, without the dot ('' when it has none)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def kind_of(file: IncomingFile) -> FileKind:
    """The allow-listed kind a file claims to be, by its name (else Teams' fileType); refuses any other."""
    ext = extension(file.name) or file.file_type
    kind = ALLOWED.get(ext)
    if kind is None:
        described = f"a .{ext} file" if ext else "a file without an extension"
        raise FileRefused(f"“{file.name}” is {described}, which the bot does not keep. {ACCEPTED_KINDS}")
    return kind


def safe_url(url: str) -> bool:
    """True for https addresses, and for http ones on this machine (for tests)."""
    parts = urlsplit(url)
    return bool((parts.scheme == "https" and parts.hostname) or (parts.scheme == "http" and is_loopback_url(url)))


def check_url(url: str, name: str) -> None:
    """Refuse to fetch a file from any address but https (or http on this machine, for tests)."""
    if safe_url(url):
        return
    raise FileRefused(
        f"The bot could not fetch “{name}” safely (Teams did not give a secure link), so it was not kept. "
        "Please send it again."
    )


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


def _too_big(name: str, max_bytes: int, size: int | None = None) -> FileRefused:
    how_big = f"is {_megabytes(size)}, more than" if size is not None else "is larger than"
    return FileRefused(
        f"“{name}” {how_big} the {_megabytes(max_bytes)} the bot accepts, so it was not kept. "
        "Please send a smaller file, or share a link to it from your school's SharePoint or OneDrive."
    )


async def download(
    session: aiohttp.ClientSession, file: IncomingFile, max_bytes: int = DEFAULT_MAX_BYTES
) -> Downloaded:
    """Fetch a file a user sent and check it; raises :class:`FileRefused` with a sentence for them."""
    kind = kind_of(file)
    url = file.download_url
    data = bytearray()
    for _ in range(MAX_REDIRECTS + 1):
        check_url(url, file.name)
        try:
            async with session.get(url, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                if response.status != 200:
                    raise FileRefused(
                        f"Teams would not hand over “{file.name}” (it answered {response.status}), "
                        "so it was not kept. Please send it again."
                    )
                if response.content_length is not None and response.content_length > max_bytes:
                    raise _too_big(file.name, max_bytes, response.content_length)
                async for chunk in response.content.iter_chunked(READ_CHUNK):
                    data.extend(chunk)
                    if len(data) > max_bytes:
                        raise _too_big(file.name, max_bytes)
                break
        except (aiohttp.ClientError, TimeoutError):
            raise FileRefused(
                f"The bot could not fetch “{file.name}” from Teams just now, so it was not kept. Please send it again."
            ) from None
    else:
        raise FileRefused(f"The link Teams gave for “{file.name}” went round in circles. Please send it again.")
    content = bytes(data)
    check_content(file.name, kind, content)
    return Downloaded(file.name, kind.content_type, content)


def check_content(name: str, kind: FileKind, data: bytes) -> None:
    """Refuse a file that is empty or whose bytes are not what its extension says."""
    if not data:
        raise FileRefused(f"“{name}” is empty, so it was not kept. Please check the file and send it again.")
    if _matches(kind, data):
        return
    raise FileRefused(
        f"“{name}” does not contain what a {kind.title} should, so it was not kept. It may be damaged or "
        f"renamed: open it, save it again as a {kind.title} (or as a PDF), and send that."
    )


def _matches(kind: FileKind, data: bytes) -> bool:
    if not kind.magic:  # text: no binary format's signature, and no NUL bytes unless it is UTF-16
        head = data[:8192]
        if head.startswith(UTF16_BOMS):
            return True
        return not head.startswith(BINARY_MAGIC) and b"\x00" not in head
    if not data.startswith(kind.magic):
        return False
    if not kind.zip_marker:
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            marker, _, mimetype = kind.zip_marker.partition("=")
            if mimetype:
                if marker not in names or archive.getinfo(marker).file_size > 200:
                    return False
                return archive.read(marker).decode("ascii", "replace").strip() == mimetype
            return "[Content_Types].xml" in names and any(n.startswith(marker) for n in names)
    except (zipfile.BadZipFile, ValueError, OSError, KeyError):
        return False


# --- sending: the file consent flow ---


@dataclass(frozen=True)
class UploadInfo:
    """Where to put a file the user agreed to receive, and how Teams names it afterwards."""

    name: str
    upload_url: str
    content_url: str
    unique_id: str
    file_type: str


@dataclass(frozen=True)
class FileConsent:
    """The user's answer to a file consent card; ``upload_info`` only when they accepted."""

    action: Literal["accept", "decline"]
    context: dict[str, Any]
    upload_info: UploadInfo | None = None


def parse_file_consent(activity_value: dict[str, Any]) -> FileConsent:
    """Read the value of a ``fileConsent/invoke``; ValueError when it is not a well-formed answer."""
    action = activity_value.get("action")
    context = activity_value.get("context")
    context = context if isinstance(context, dict) else {}
    if action == "decline":
        return FileConsent("decline", context)
    if action != "accept":
        raise ValueError(f"a file consent answer must be accept or decline, not {action!r}")
    info = activity_value.get("uploadInfo")
    if not isinstance(info, dict) or not isinstance(info.get("uploadUrl"), str) or not info["uploadUrl"]:
        raise ValueError("an accepted file consent carries uploadInfo with an uploadUrl")
    return FileConsent(
        "accept",
        context,
        UploadInfo(
            name=str(info.get("name") or ""),
            upload_url=info["uploadUrl"],
            content_url=str(info.get("contentUrl") or ""),
            unique_id=str(info.get("uniqueId") or ""),
            file_type=str(info.get("fileType") or ""),
        ),
    )


async def upload(
    session: aiohttp.ClientSession, upload_url: str, data: bytes, fragment_bytes: int = DEFAULT_UPLOAD_FRAGMENT
) -> None:
    """PUT a file's bytes to the upload URL of an accepted consent; raises :class:`UploadFailed`.

    Files up to ``fragment_bytes`` (10 MiB) go in one request with ``Content-Range: bytes 0-{n-1}/{n}``;
    larger ones in fragments, as OneDrive's upload sessions take them. No Authorization header is sent.
    """
    if not data:
        raise ValueError("cannot upload an empty file")
    if fragment_bytes <= 0 or fragment_bytes % UPLOAD_FRAGMENT_UNIT:
        raise ValueError("upload fragments must be a multiple of 320 KiB")
    if not safe_url(upload_url):
        raise UploadFailed(0, "the upload URL is not https")
    total = len(data)
    for start in range(0, total, fragment_bytes):
        fragment = data[start : start + fragment_bytes]
        end = start + len(fragment) - 1
        headers = {"Content-Length": str(len(fragment)), "Content-Range": f"bytes {start}-{end}/{total}"}
        try:
            async with session.put(upload_url, data=fragment, headers=headers) as response:
                final = end == total - 1
                expected = (200, 201) if final else (202,)
                if response.status not in expected:
                    raise UploadFailed(response.status, (await response.text())[:300])
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise UploadFailed(0, str(exc) or type(exc).__name__) from exc


def file_info_card(upload_info: UploadInfo) -> dict[str, Any]:
    """The attachment that shows an uploaded file in the chat, to open or download from OneDrive."""
    return {
        "contentType": FILE_INFO_CARD,
        "contentUrl": upload_info.content_url,
        "name": upload_info.name,
        "content": {"uniqueId": upload_info.unique_id, "fileType": upload_info.file_type},
    }
