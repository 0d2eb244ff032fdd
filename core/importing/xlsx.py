""".xlsx and .xlsm read row by row in bounded memory, giving the cells python-calamine gives.

Written by hand because no library streams .xlsx fast: python-calamine reads a whole sheet at
once (about 1.3 KB a row, 1.4 GB for a million rows; it has no lazy loading, its issue #42), and
openpyxl's read-only mode streams but is several times slower. The zip is opened with `zipfile`,
the first worksheet found through xl/workbook.xml and its relationships (lxml reads those small
parts), and the sheet's XML read in chunks of 1 MB, whole rows at a time: one regular expression
finds a chunk's rows and cells. lxml's iterparse, tried first, spent 54 µs a row against 20 here,
most of it making a Python object per element; memory is the same, one chunk and one row.

Shared strings (several million in a real sheet of a million people) are kept as one bytes
buffer of UTF-8 and an array of offsets, 4 bytes a string plus its text, instead of a list of
Python strings (about 65 bytes more each); a string is decoded when a cell refers to it. Past
16 MB the text goes to a temporary file. Measured on a sheet of 1,000,000 people (4,011,552 unique
strings): 15 MB of offsets in memory and 72 MB of text on disk, against about 330 MB as a list.

Cells come as python-calamine gives them, as the normalisers expect: numbers as float, "" for
an empty cell and for errors (#N/A), True/False, shared, inline and formula strings as str,
and a number whose style has a date format as datetime.date (a whole number), datetime.time
(below 1), datetime.datetime (otherwise) or datetime.timedelta (formats like [h]:mm).
"""
from __future__ import annotations

import codecs
import datetime as dt
import os
import posixpath
import re
import tempfile
import zipfile
from array import array
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "http://purl.oclc.org/ooxml/officeDocument/relationships")
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DATE, DURATION = 1, 2
# Built-in number formats that python-calamine (like Excel) reads as dates and times, and as durations.
BUILTIN_FORMATS = {**dict.fromkeys([*range(14, 23), 45, 47], DATE), 46: DURATION}
EPOCH_1900 = dt.datetime(1899, 12, 30)  # 1904 dates are 1462 days later
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s[^>]*?ref=\"([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?\"")
CHUNK = 1 << 20  # bytes of the sheet's XML read at a time
SPILL = 16 << 20  # bytes of shared-string text kept in memory; past this, a temporary file
SEEN_STRINGS = 1 << 16  # shared strings decoded once each (the first ones: those that repeat)
SEEN_DATES = 1 << 16
_COLUMNS: dict[str, int] = {}
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class XlsxError(ValueError):
    """The file is not an .xlsx we can read (not a zip, no worksheet, damaged XML)."""


def column_index(letters: str) -> int:
    """0-based column of a cell reference's letters: A → 0, Z → 25, AA → 26."""
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for ch in letters.upper():
            index = index * 26 + ord(ch) - 64
        index = _COLUMNS[letters] = index - 1
    return index


def number_format_kind(code: str) -> int:
    """DATE, DURATION or 0 for a custom number format, decided as python-calamine decides it.

    Only the first section counts; quoted text, escaped characters and [colours] are skipped;
    [h], [m] or [s] make a duration; d, m, y, h, s (or AM/PM) make a date.
    """
    skip_next = quoted = False
    brackets = 0
    prev = " "
    elapsed = after_a = False
    for ch in code:
        if skip_next:
            skip_next = False
        elif ch in "_\\*":
            skip_next = True
        elif quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = True
        elif ch == ";":
            return 0
        elif ch == "[":
            brackets += 1
        elif ch == "]" and brackets == 1 and elapsed:
            return DURATION
        elif ch == "]":
            brackets = max(brackets - 1, 0)
        elif brackets == 0 and not after_a and ch in "aA":
            after_a = True
        elif brackets == 0 and after_a and ch in "pm/PM":
            return DATE
        elif brackets == 0 and not after_a and ch in "dmhysDMHYS":
            return DATE
        elif not (elapsed and ch.lower() == prev.lower()):
            elapsed = prev == "[" and ch in "mhsMHS"
        prev = ch
    return 0


def serial_to_python(value: float, kind: int, date1904: bool):
    """A date-formatted number as python-calamine gives it (see the module docstring)."""
    if kind == DURATION:
        return dt.timedelta(milliseconds=round(value * 86_400_000))
    serial = value + 1462 if date1904 else value
    if serial < 60:
        serial += 1  # Excel's 1900 counts a 29 February that never was: serials below 60 are a day off
    try:
        days = int(serial // 1)
        when = EPOCH_1900 + dt.timedelta(days=days, milliseconds=round((serial - days) * 86_400_000))
    except (OverflowError, ValueError):
        return value
    if value < 1:
        return when.time()
    if value.is_integer():
        return when.date()
    return when


def iso_to_python(text: str):
    """A cell of type "d" (an ISO 8601 date, time or both)."""
    text = text.strip()
    for parse in (dt.datetime.fromisoformat, dt.date.fromisoformat, dt.time.fromisoformat):
        try:
            value = parse(text)
        except ValueError:
            continue
        if type(value) is dt.datetime and "T" not in text and " " not in text:
            return value.date()
        return value
    return text


class SharedStrings:
    """The workbook's shared strings in one UTF-8 buffer and an array of offsets; decoded on use.

    Past SPILL bytes of text the buffer goes to an unnamed temporary file, read back with pread():
    the 72 MB of text of a million people's sheet stay out of the import's memory, for about a
    microsecond a lookup (the strings that repeat are decoded once, see XlsxSheet._rows).
    """

    def __init__(self, source=None, size: int = 0):
        self.data = bytearray()
        # The text is never longer than its XML (`size` bytes): 4-byte offsets below 4 GB.
        self.offsets = array("I" if size < 1 << 32 else "Q", [0])
        self._file = None
        if source is not None:
            self._read(source)
        self._view = memoryview(self.data)

    def _read(self, source) -> None:
        data, offsets = self.data, self.offsets
        written = 0  # bytes already in the temporary file
        prefix = None
        tail = b""
        while True:
            chunk = source.read(CHUNK)
            text = tail + chunk
            if prefix is None:
                root = re.search(rb"<(\w+:)?sst\b", text)
                if root is None and chunk:
                    tail = text
                    continue
                prefix = root.group(1) or b"" if root else b""
                plain, item = _string_patterns(prefix)
            closing = b"</" + prefix + b"si>"
            cut = text.rfind(closing)
            if cut < 0 and chunk:
                tail = text
                continue
            cut = cut + len(closing) if chunk else len(text)
            tail = text[cut:]
            for fast, si in plain.findall(text, 0, cut):
                # Bytes straight from the file when the item is one plain <t> without entities (most are).
                data += fast if not si else _item_text(si, item).encode("utf-8", "surrogatepass")
                offsets.append(written + len(data))
            if len(data) > SPILL or (self._file is not None and not chunk):
                written += self._spill(data)
            if not chunk:
                return

    def _spill(self, data: bytearray) -> int:
        """Move the buffer's bytes to the temporary file (made on the first call); how many were moved."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="shanghui-strings-")
        self._file.write(data)
        self._file.flush()
        moved = len(data)
        data.clear()
        return moved

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        start, end = self.offsets[index], self.offsets[index + 1]
        if self._file is not None:
            return str(os.pread(self._file.fileno(), end - start, start), "utf-8", "surrogatepass")
        return str(self._view[start:end], "utf-8", "surrogatepass")

    def close(self) -> None:
        """Remove the temporary file, if any (it goes with the process anyway)."""
        if self._file is not None:
            self._file.close()
            self._file = None


@lru_cache(maxsize=4)
def _string_patterns(prefix: bytes):
    p = prefix
    plain = re.compile(rb"<%bsi>\s*<%bt(?: xml:space=\"preserve\")?>([^<&]*)</%bt>\s*</%bsi>|<%bsi\b[^>]*?(?:/>|>(.*?)</%bsi>)"
                       % (p, p, p, p, p, p), re.S)
    return plain, p


def _item_text(xml: bytes, prefix: bytes) -> str:
    """The text of a shared string (<si>) or inline string (<is>): its <t> runs, phonetic (<rPh>) runs left out."""
    text = xml.decode("utf-8", "surrogatepass") if isinstance(xml, bytes) else xml
    p = re.escape(prefix.decode() if isinstance(prefix, bytes) else prefix)
    if "<![CDATA[" in text or "<!--" in text:
        text = _plain_xml(text)
    if "rPh" in text:
        text = re.sub(rf"<{p}rPh\b.*?(?:</{p}rPh>|/>)", "", text, flags=re.S)
    out = "".join(m for m in re.findall(rf"<{p}t(?:\s[^>]*)?>(.*?)</{p}t>", text, re.S))
    return _unescape(out) if "&" in out else out


_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    def one(m):
        name = m.group(1)
        if name[0] != "#":
            return _NAMED[name]
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _ENTITY.sub(one, text)


def _plain_xml(text: str) -> str:
    """Comments dropped and CDATA sections written as escaped text, so that the patterns below see plain XML."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return re.sub(r"<!\[CDATA\[(.*?)\]\]>",
                  lambda m: m.group(1).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), text, flags=re.S)
class XlsxSheet:
    """The first worksheet of an .xlsx or .xlsm file, read as a stream of rows."""

    def __init__(self, path):
        try:
            self.zip = zipfile.ZipFile(path)
            self._open()
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError, EOFError, ValueError) as e:
            raise XlsxError(str(e) or type(e).__name__) from e

    def _open(self) -> None:
        names = set(self.zip.namelist())
        book_path = self._main_part(names)
        book = etree.fromstring(self.zip.read(book_path), _SAFE)
        ns = book.tag[1:].split("}")[0]
        pr = book.find(f"{{{ns}}}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
        sheet = book.find(f"{{{ns}}}sheets/{{{ns}}}sheet")
        if sheet is None:
            raise XlsxError("no worksheet")
        rid = next((sheet.get(f"{{{r}}}id") for r in REL_NS if sheet.get(f"{{{r}}}id")), None)
        targets = self._relations(book_path, names)
        self.sheet_path = targets.get(rid) or self._first_worksheet(names)
        self.styles = self._date_styles(targets.get("styles"), names)
        strings = targets.get("sharedStrings")
        if strings in names:
            with self.zip.open(strings) as f:
                self.strings = SharedStrings(f, self.zip.getinfo(strings).file_size)
        else:
            self.strings = SharedStrings()

    def _main_part(self, names) -> str:
        if "_rels/.rels" in names:
            rels = etree.fromstring(self.zip.read("_rels/.rels"), _SAFE)
            for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
                if rel.get("Type", "").endswith("/officeDocument"):
                    target = rel.get("Target", "").lstrip("/")
                    if target in names:
                        return target
        return "xl/workbook.xml"

    def _relations(self, book_path: str, names) -> dict[str, str]:
        """The workbook's relationships: id → part, plus "styles" and "sharedStrings" → part."""
        folder, base = posixpath.split(book_path)
        rels_path = posixpath.join(folder, "_rels", base + ".rels")
        out: dict[str, str] = {}
        if rels_path not in names:
            return out
        rels = etree.fromstring(self.zip.read(rels_path), _SAFE)
        for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id")] = part
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            if kind in ("styles", "sharedStrings"):
                out[kind] = part
        return out

    @staticmethod
    def _first_worksheet(names) -> str:
        sheets = sorted((n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                        key=lambda n: int(re.sub(r"\D", "", n)))
        if not sheets:
            raise XlsxError("no worksheet")
        return sheets[0]

    def _date_styles(self, path, names) -> dict[int, int]:
        """Cell style index → DATE or DURATION, for the styles whose number format is a date or a duration."""
        if path not in names:
            return {}
        root = etree.fromstring(self.zip.read(path), _SAFE)
        ns = root.tag[1:].split("}")[0]
        custom = {int(f.get("numFmtId")): number_format_kind(f.get("formatCode", ""))
                  for f in root.iter(f"{{{ns}}}numFmt") if (f.get("numFmtId") or "").isdigit()}
        out = {}
        xfs = root.find(f"{{{ns}}}cellXfs")
        for index, xf in enumerate(xfs if xfs is not None else ()):
            fmt = int(xf.get("numFmtId") or 0)
            kind = custom[fmt] if fmt in custom else BUILTIN_FORMATS.get(fmt, 0)
            if kind:
                out[index] = kind
        return out

    def dimension(self) -> tuple[int, int] | None:
        """(last row, last column), 1-based, as the sheet's <dimension ref="A1:L1000001"/> states them, or None.

        None too for a one-cell reference (A1): some writers put that on any sheet.
        """
        with self.zip.open(self.sheet_path) as f:
            head = f.read(1 << 16)
        match = DIMENSION.search(head)
        if not match or not match.group(3) or not match.group(4):
            return None
        return int(match.group(4)), column_index(match.group(3).decode()) + 1

    def total(self) -> int:
        """How many rows rows() yields: from the dimension when the sheet states it, else by reading the rows.

        The dimension can count formatted empty rows at the end, which rows() leaves out: fine for a progress bar.
        """
        dim = self.dimension()
        if dim is not None:
            return dim[0]
        return sum(1 for _row in self.rows())

    def rows(self) -> Iterator[list]:
        """Every row from the first to the last that has a value, each padded with "" to the sheet's width.

        Missing rows come as rows of "", missing cells as "", so that positions are the ones the user sees.
        """
        dim = self.dimension()
        width = dim[1] if dim else 0
        blank = 0  # empty rows not yielded yet: only yielded when a row with a value follows
        number = 0
        try:
            for at, cells in self._rows():
                if at <= number:
                    continue  # rows out of order: not written by Excel, WPS or LibreOffice; left out
                if not cells:
                    blank += at - number
                    number = at
                    continue
                blank += at - number - 1
                number = at
                if len(cells) > width:
                    width = len(cells)
                for _ in range(blank):
                    yield [""] * width
                blank = 0
                if len(cells) < width:
                    cells.extend([""] * (width - len(cells)))
                yield cells
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, IndexError, ValueError, UnicodeDecodeError) as e:
            raise XlsxError(str(e) or type(e).__name__) from e

    def _rows(self) -> Iterator[tuple[int, list]]:
        """(row number, its values by column, [] when it has none) for each <row> of <sheetData>.

        A regular expression finds the rows and cells of a chunk in one call: 2.5 times as fast as
        lxml's iterparse, whose Python object per element costs more than the parsing. Cells laid out
        as Excel, WPS and XlsxWriter write them (<c r="B2" s="1" t="s"><v>7</v></c>), and inline strings as
        XlsxWriter writes them in constant-memory mode (<c r="B2" t="inlineStr"><is><t>王</t></is></c>), are read
        from the match; any other cell (a formula, rich or escaped inline text, other attributes or their order, entities,
        comments, CDATA) by the slower general pattern, so every writer's cells are read alike.
        """
        strings, styles, date1904 = self.strings, self.styles, self.date1904
        # The first shared strings are the ones that repeat (a category, a country: written when first met),
        # and dates repeat too: decoded once each.
        seen: dict[int, str] = {}
        dates: dict[tuple, object] = {}
        columns = _COLUMNS
        cells: list | None = None
        at = 0
        with self.zip.open(self.sheet_path) as f:
            tail = ""
            decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
            prefix = None
            done = False
            while not done:
                chunk = f.read(CHUNK)
                text = tail + decoder.decode(chunk, final=not chunk)
                if prefix is None:
                    data = re.search(r"<(\w+:)?sheetData\b[^>]*?(/?)>", text)
                    if data is None:
                        if not chunk:
                            return
                        tail = text
                        continue
                    if data.group(2):
                        return
                    prefix = data.group(1) or ""
                    token, row_end, data_end = _sheet_patterns(prefix)
                    text = text[data.end():]
                stop = text.find(data_end)
                if stop >= 0:
                    text, done = text[:stop], True
                elif not chunk:
                    raise XlsxError("the sheet ends before </sheetData>")
                if done:
                    cut = len(text)
                else:
                    cut = text.rfind(row_end)
                    if cut < 0:
                        tail = text
                        continue
                    cut += len(row_end)
                tail = text[cut:]
                if "<!" in text:
                    text = _plain_xml(text[:cut])
                    cut = len(text)
                for row, row_attrs, letters, s, t, v, inline_letters, inline, attrs, inner in token.findall(text, 0, cut):
                    if row:
                        if cells is not None:
                            yield at, cells
                        r = _ROW_NUMBER.search(row_attrs)
                        at = int(r.group(1)) if r else at + 1
                        cells = []
                        col = -1
                        continue
                    if letters:
                        col = columns.get(letters)
                        if col is None:
                            col = column_index(letters)
                        if t == "s":
                            i = int(v)
                            value = seen.get(i)
                            if value is None:
                                value = strings[i]
                                if i < SEEN_STRINGS:
                                    seen[i] = value
                        elif not t or t == "n":
                            value = dates.get((v, s)) if s else None
                            if value is None:
                                value = _number(v, s, styles, date1904)
                                if s and type(value) is not float and len(dates) < SEEN_DATES:
                                    dates[v, s] = value
                        else:
                            value = _typed(t, v)
                    elif inline_letters:
                        col = columns.get(inline_letters)
                        if col is None:
                            col = column_index(inline_letters)
                        value = inline
                    else:
                        col, value = _cell(attrs, inner, col, prefix, strings, styles, date1904)
                    if value is None or cells is None:
                        continue
                    size = len(cells)
                    if col == size:
                        cells.append(value)
                    elif col > size:
                        cells.extend([""] * (col - size))
                        cells.append(value)
                    else:
                        cells[col] = value
        if cells is not None:
            yield at, cells


_ROW_NUMBER = re.compile(r"""\sr\s*=\s*["'](\d+)""")
_CELL_REF = re.compile(r"""\sr\s*=\s*["']([A-Za-z]+)""")
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@lru_cache(maxsize=4)
def _sheet_patterns(prefix: str):
    """The token pattern of a sheet's XML (the namespace prefix of its elements, usually none)."""
    p = re.escape(prefix)
    token = re.compile(
        rf"<{p}(row)\b([^>]*)>"
        rf"|<{p}c r=\"([A-Z]{{1,3}})\d+\"(?: s=\"(\d+)\")?(?: t=\"(\w+)\")?>\s*<{p}v>([^<&]*)</{p}v>\s*</{p}c>"
        rf"|<{p}c r=\"([A-Z]{{1,3}})\d+\"(?: s=\"\d+\")? t=\"inlineStr\"><{p}is><{p}t(?: xml:space=\"preserve\")?>([^<&]*)</{p}t></{p}is></{p}c>"
        rf"|<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c>)", re.S)
    return token, f"</{prefix}row>", f"</{prefix}sheetData>"


def _number(v: str, s: str, styles: dict, date1904: bool):
    """A number cell: float, or a date, time or duration when its style (s) has such a format."""
    try:
        value = float(v)
    except ValueError:
        return v
    if "_" in v or v != v.strip():
        return v  # what Python reads as a number and python-calamine keeps as text
    if s and styles:
        kind = styles.get(int(s))
        if kind:
            return serial_to_python(value, kind, date1904)
    return value


def _typed(t: str, v: str):
    """A cell of another type than number and shared string, from its <v> text."""
    if t == "str":
        return _unescape(v) if "&" in v else v
    if t == "b":
        return v.strip() not in ("0", "false")
    if t == "e":
        return ""
    if t == "d":
        return iso_to_python(v)
    return _unescape(v) if "&" in v else v


def _cell(attrs: str, inner: str, col: int, prefix: str, strings, styles, date1904):
    """(column, value) of a cell the fast pattern does not read; value None for a cell without a value."""
    found = {m[0]: m[1] or m[2] for m in _ATTR.findall(attrs)}
    ref = found.get("r")
    col = column_index(ref.rstrip("0123456789")) if ref else col + 1
    t = found.get("t")
    if t == "inlineStr":
        if f"<{prefix}is" not in inner:
            return col, None
        return col, _item_text(inner, prefix)
    v = re.search(rf"<{re.escape(prefix)}v(?:\s[^>]*)?(?:/>|>(.*?)</{re.escape(prefix)}v>)", inner or "", re.S)
    if v is None:
        return col, None
    v = v.group(1) or ""
    if t == "s":
        return col, strings[int(v)]
    if t == "str":
        return col, _typed(t, v)
    if not v:
        return col, None
    if not t or t == "n":
        return col, _number(_unescape(v) if "&" in v else v, found.get("s"), styles, date1904)
    return col, _typed(t, v)
