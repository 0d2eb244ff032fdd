"""Uploads checked by their content, not their name: type, size and structure, for every kind of upload.

`check(upload, kind)` is called by every service that stores an uploaded file (case attachments, activity
files, awards evidence, directory photos, import sheets). It refuses, with a ValidationError naming the file
and the reason:
- a name whose extension the kind does not take;
- a file larger than `UPLOAD_MAX_BYTES[kind]` (settings; bytes);
- content that is not what the extension says (sniffed by `filetype` from the leading bytes: an .exe named
  .pdf, HTML named .jpg);
- an image Pillow cannot verify, or larger than `UPLOAD_MAX_PIXELS`;
- an Office/OpenDocument file (a zip) without the parts of its format, with more than
  `UPLOAD_MAX_ZIP_MEMBERS` members, unpacking to more than `UPLOAD_MAX_UNZIPPED_BYTES[kind]` or packed
  more densely than `UPLOAD_MAX_ZIP_RATIO` to one (a zip bomb);
- a CSV/text file that is binary or in neither UTF-8 nor GB18030.
It returns the extension and content type the content proved, to store the file under.
"""
from __future__ import annotations

import codecs
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
HEAD = 8192

# extension → (content type, family). Families: how the content is checked.
TYPES = {
    "pdf": ("application/pdf", "pdf"),
    "jpg": ("image/jpeg", "image"),
    "jpeg": ("image/jpeg", "image"),
    "png": ("image/png", "image"),
    "gif": ("image/gif", "image"),
    "webp": ("image/webp", "image"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "zip"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip"),
    "xlsm": ("application/vnd.ms-excel.sheet.macroEnabled.12", "zip"),
    "xlsb": ("application/vnd.ms-excel.sheet.binary.macroEnabled.12", "zip"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "zip"),
    "doc": ("application/msword", "ole"),
    "xls": ("application/vnd.ms-excel", "ole"),
    "csv": ("text/csv", "text"),
    "txt": ("text/plain", "text"),
}
# The parts a zip-based format must hold (any one of each tuple).
ZIP_PARTS = {
    "docx": [("[Content_Types].xml",), ("word/document.xml",)],
    "xlsx": [("[Content_Types].xml",), ("xl/workbook.xml",)],
    "xlsm": [("[Content_Types].xml",), ("xl/workbook.xml",)],
    "xlsb": [("[Content_Types].xml",), ("xl/workbook.bin",)],
    "ods": [("mimetype",), ("content.xml",)],
}
IMAGE_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}


@dataclass(frozen=True)
class Kind:
    """A kind of upload: what it is called, the extensions it takes and its default limits."""

    label: str
    extensions: tuple[str, ...]
    max_bytes: int
    max_unzipped_bytes: int


MB = 1024 * 1024
KINDS = {
    # Import sheets (core.importing): what the reader reads.
    "sheet": Kind(gettext_lazy("表格"), ("xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "txt"), 100 * MB, 2048 * MB),
    # Case attachments, activity files, awards evidence.
    "document": Kind(gettext_lazy("附件"), ("pdf", "jpg", "jpeg", "png", "gif", "webp", "docx", "xlsx", "doc", "xls"),
                     5 * MB, 100 * MB),
    # Directory product photos.
    "image": Kind(gettext_lazy("图片"), ("jpg", "jpeg", "png", "gif", "webp"), 8 * MB, 0),
}


@dataclass(frozen=True)
class Checked:
    """What the content proved: the extension to store the file under and its content type."""

    ext: str
    content_type: str


def limit(kind: str, name: str) -> int:
    """A limit of a kind: `name` is "max_bytes" or "max_unzipped_bytes" (settings UPLOAD_MAX_BYTES, …)."""
    setting = {"max_bytes": "UPLOAD_MAX_BYTES", "max_unzipped_bytes": "UPLOAD_MAX_UNZIPPED_BYTES"}[name]
    return int(getattr(settings, setting, {}).get(kind, getattr(KINDS[kind], name)))


def _size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        pos = upload.tell()
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(pos)
    return size


def _mb(n: int) -> str:
    return f"{n / MB:.0f}" if n >= MB else f"{n / MB:.2f}"


def check(upload, kind: str, *, field: str = "file", max_bytes: int | None = None) -> Checked:
    """Check an uploaded file for `kind` ("sheet", "document", "image"); raise ValidationError on `field`.

    The file is read from its start and left at its start. `max_bytes` overrides the kind's size limit.
    """
    spec = KINDS[kind]
    name = PurePath(getattr(upload, "name", "") or "").name or _("（无名文件）")

    def refuse(reason: str):
        raise ValidationError({field: _("文件“%(name)s”：%(reason)s") % {"name": name, "reason": reason}},
                              code="invalid_upload")

    ext = PurePath(name).suffix.lower().lstrip(".")
    if ext not in spec.extensions:
        refuse(_("不支持此类型，%(kind)s只接受 %(exts)s") % {
            "kind": spec.label, "exts": "、".join("." + e for e in spec.extensions)})
    size, most = _size(upload), (max_bytes if max_bytes is not None else limit(kind, "max_bytes"))
    if size > most:
        refuse(_("文件过大（%(size)s MB，不超过 %(max)s MB）") % {"size": _mb(size), "max": _mb(most)})
    if size == 0:
        refuse(_("文件是空的"))
    upload.seek(0)
    head = upload.read(HEAD)
    upload.seek(0)
    family = TYPES[ext][1]
    try:
        found = {"pdf": _pdf, "image": _image, "zip": _zip, "ole": _ole, "text": _text}[family](upload, head, ext, kind)
    except _Refused as e:
        refuse(str(e))
    finally:
        upload.seek(0)
    ext = found or ("jpg" if ext == "jpeg" else ext)
    return Checked(ext, TYPES[ext][0])


def form_check(upload, kind: str):
    """`check` for a form's clean_<field>(): the same refusal as a plain ValidationError; returns the upload."""
    if upload:
        try:
            check(upload, kind)
        except ValidationError as e:
            raise ValidationError(e.messages, code="invalid_upload") from None
    return upload


class _Refused(Exception):
    """A content check's reason, turned into the ValidationError by `check`."""


def _sniffed(head: bytes) -> str:
    kind = filetype.guess(head)
    return kind.extension if kind else ""


def _mismatch(head: bytes, ext: str):
    found = _sniffed(head)
    if found:
        return _Refused(_("内容是 .%(found)s 文件，与扩展名 .%(ext)s 不符") % {"found": found, "ext": ext})
    return _Refused(_("内容与扩展名 .%(ext)s 不符") % {"ext": ext})


def _pdf(upload, head: bytes, ext: str, kind: str) -> None:
    if _sniffed(head) != "pdf":
        raise _mismatch(head, ext)


def _image(upload, head: bytes, ext: str, kind: str) -> str:
    """Any image format the kind takes, whichever image extension the name has (phones mix .jpg and .png)."""
    from PIL import Image, UnidentifiedImageError

    sniffed = _sniffed(head)
    if sniffed not in IMAGE_FORMATS or sniffed not in KINDS[kind].extensions:
        raise _mismatch(head, ext)
    max_pixels = getattr(settings, "UPLOAD_MAX_PIXELS", 40_000_000)
    try:
        with Image.open(upload) as image:
            if image.width * image.height > max_pixels:
                raise _Refused(_("图片尺寸过大（%(w)s×%(h)s 像素）") % {"w": image.width, "h": image.height})
            found = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise _Refused(_("不是有效的图片，或图片已损坏")) from e
    if found != IMAGE_FORMATS[sniffed]:
        raise _Refused(_("内容是 %(found)s 图片，与文件头不符") % {"found": found})
    return sniffed


def _ole(upload, head: bytes, ext: str, kind: str) -> None:
    if not head.startswith(OLE):
        raise _mismatch(head, ext)


def _zip(upload, head: bytes, ext: str, kind: str) -> None:
    if not head.startswith(ZIP):
        raise _mismatch(head, ext)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise _Refused(_("文件已损坏（不是完整的 .%(ext)s 文件）") % {"ext": ext}) from e
    with archive:
        infos = archive.infolist()
        if len(infos) > getattr(settings, "UPLOAD_MAX_ZIP_MEMBERS", 10_000):
            raise _Refused(_("压缩包内文件过多（%(n)s 个）") % {"n": len(infos)})
        names = {i.filename for i in infos}
        for part in ZIP_PARTS[ext]:
            if not names.intersection(part):
                raise _Refused(_("不是有效的 .%(ext)s 文件（缺少 %(part)s）") % {"ext": ext, "part": part[0]})
        unzipped = sum(i.file_size for i in infos)
        most = limit(kind, "max_unzipped_bytes")
        if unzipped > most:
            raise _Refused(_("解压后过大（%(size)s MB，不超过 %(max)s MB）") % {
                "size": _mb(unzipped), "max": _mb(most)})
        ratio = getattr(settings, "UPLOAD_MAX_ZIP_RATIO", 100)
        for i in infos:
            if i.file_size > MB and i.file_size > ratio * max(i.compress_size, 1):
                raise _Refused(_("压缩比异常（%(part)s 解压后是压缩时的 %(r)s 倍，疑似压缩炸弹）") % {
                    "part": i.filename, "r": i.file_size // max(i.compress_size, 1)})


def _text(upload, head: bytes, ext: str, kind: str) -> None:
    if b"\x00" in head or _sniffed(head):
        raise _mismatch(head, ext)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return
    raise _Refused(_("不是 UTF-8 或 GB18030 编码的文本"))
