"""Cash-on-delivery remittance statements of carriers (stage 5).

Pure Python: reads a carrier's COD statement (CSV or XLSX, as exported from
the carrier's customer portal), checks every line, and matches the lines to
the shipments the caller knows. Nothing here imports odoo; the model reads
shipments into ``Expected`` values, calls ``read_statement`` and ``match``,
and posts only the ``matched`` lines.

A bad file is refused whole: every line is parsed first and up to
``MAX_ERRORS`` problems are gathered into one ``StatementError``, each
naming the line (as numbered in the file or spreadsheet, 1-based), the
column (its header) and the value.

Statement fingerprint
---------------------
``Statement.fingerprint`` is the SHA-256 of the normalised lines sorted by
tracking number: tracking number, client reference, COD collected, fee,
remitted amount (integers in VND) and date (ISO), one line each. It leaves
out everything about the file itself (format, encoding, delimiter, title
block, line numbers, column order), so the same statement exported again
as CSV or XLSX has the same fingerprint, and a changed amount does not.
The caller stores it to refuse importing a statement twice.
"""

import csv
import datetime
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 100_000
MAX_ERRORS = 20
HEADER_SEARCH_LINES = 10
# An XLSX is a zip: refuse archives that inflate past this (zip bombs).
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024

# Our shipment states in which the parcel goes (or went) back to the sender:
# the carrier collected nothing, so COD on such a line needs a look.
RETURN_STATES = frozenset({"returning", "returned"})

MATCHED = "matched"
COLLECTED_MISMATCH = "collected_mismatch"
REMITTED_MISMATCH = "remitted_mismatch"
UNKNOWN_TRACKING = "unknown_tracking"
ALREADY_REMITTED = "already_remitted"
RETURNED_WITH_COD = "returned_with_cod"
KINDS = (
    MATCHED,
    COLLECTED_MISMATCH,
    REMITTED_MISMATCH,
    UNKNOWN_TRACKING,
    ALREADY_REMITTED,
    RETURNED_WITH_COD,
)

_REQUIRED_KEYS = ("tracking", "cod_collected", "fee", "remitted", "date")
_OPTIONAL_KEYS = ("client_ref", "extra_fees")


@dataclass(frozen=True)
class Problem:
    """One refused value. ``line`` and ``column`` are None for problems of
    the whole file (size, encoding, no header)."""

    line: int | None
    column: str | None
    value: object
    message: str

    def __str__(self):
        where = []
        if self.line is not None:
            where.append(f"Line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        text = self.message if self.value is None else f"{_shown(self.value)!r} {self.message}"
        return f"{prefix}: {text}" if prefix else text


class StatementError(ValueError):
    """A statement or a column mapping refused, with every problem found
    (at most ``MAX_ERRORS``); ``problems`` lists them as ``Problem``."""

    def __init__(self, problems, truncated=False):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        self.truncated = truncated
        text = "\n".join(str(p) for p in self.problems)
        if truncated:
            text += f"\n(stopped after {len(self.problems)} errors; the file may have more)"
        super().__init__(text)


def _shown(value):
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:80] + "..."


def normalize_header(text):
    """Header text compared case- and accent-insensitively, spaces collapsed:
    'Tiền thu hộ  (COD)' and 'tien thu ho (cod)' are the same column."""
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def normalize_tracking(ref):
    """Tracking numbers as compared: no spaces, upper case."""
    return "".join(str(ref).split()).upper()


# ---------------------------------------------------------------------------
# Column mapping
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMap:
    """Header names of a carrier's export, as they appear in the file
    (matched case- and accent-insensitively). ``extra_fees`` are further fee
    columns added to ``fee`` (insurance, return, COD fee...)."""

    tracking: str
    cod_collected: str
    fee: str
    remitted: str
    date: str
    client_ref: str | None = None
    extra_fees: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, text):
        """The mapping stored on a carrier account as a JSON object with the
        keys tracking, cod_collected, fee, remitted, date (required) and
        client_ref, extra_fees (optional)."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise StatementError(
                Problem(None, None, text, f"is not a JSON column mapping ({exc})")
            ) from exc
        if not isinstance(data, dict):
            raise StatementError(Problem(None, None, text, "is not a JSON object"))
        problems = []
        for key in _REQUIRED_KEYS:
            value = data.get(key)
            if value is None:
                problems.append(
                    Problem(None, None, None, f"Column mapping: key '{key}' is missing")
                )
            elif not isinstance(value, str) or not value.strip():
                problems.append(Problem(None, key, value, "must be a header name"))
        for key in sorted(set(data) - set(_REQUIRED_KEYS) - set(_OPTIONAL_KEYS)):
            problems.append(Problem(None, None, None, f"Column mapping: unknown key '{key}'"))
        client_ref = data.get("client_ref")
        if client_ref is not None and (not isinstance(client_ref, str) or not client_ref.strip()):
            problems.append(Problem(None, "client_ref", client_ref, "must be a header name"))
        extra = data.get("extra_fees") or []
        if not isinstance(extra, list) or not all(isinstance(v, str) and v.strip() for v in extra):
            problems.append(Problem(None, "extra_fees", extra, "must be a list of header names"))
        if problems:
            raise StatementError(problems)
        return cls(
            **{key: data[key].strip() for key in _REQUIRED_KEYS},
            client_ref=client_ref.strip() if client_ref else None,
            extra_fees=tuple(v.strip() for v in extra),
        )

    def to_json(self):
        """The mapping as the JSON text ``from_json`` reads."""
        data = {key: getattr(self, key) for key in _REQUIRED_KEYS}
        if self.client_ref:
            data["client_ref"] = self.client_ref
        if self.extra_fees:
            data["extra_fees"] = list(self.extra_fees)
        return json.dumps(data, ensure_ascii=False, sort_keys=True)


# Default mappings. Neither carrier publishes the column list of its COD
# reconciliation ("đối soát COD") export, and no copy of one was found, so the
# header names below are ASSUMED, in the carriers' own wording where a public
# page gives it; each carrier account can override them with its own JSON
# mapping. What public material does say:
# - GHN: the statement is downloaded from khachhang.ghn.vn, menu "COD và đối
#   soát" (https://ghn.vn/blogs/tam-thu-phi-dich-vu-phien-cod-24-08-2021/
#   trong-file-doi-soat-khong-xac-dinh-cac-khoan-tam-thu-ro-rang); its API
#   calls the tracking number OrderCode ("mã đơn GHN" in its customer pages),
#   the shop's reference ClientOrderCode, the amount CODAmount and the
#   remittance date CODTransferDate.
# - GHTK: its API calls the tracking number label_id, the shop's reference
#   partner_id and the COD amount pick_money; shops reconcile on "Mã vận đơn",
#   "Số tiền COD" and "Phí vận chuyển" in the import templates of platforms
#   built on these exports (Haravan: https://support.haravan.com/support/
#   solutions/articles/42000099116).
GHN_COLUMNS = ColumnMap(
    tracking="Mã đơn GHN",
    client_ref="Mã đơn khách hàng",
    cod_collected="Tiền thu hộ (COD)",
    fee="Tổng phí",
    remitted="Tiền chuyển khoản",
    date="Ngày đối soát",
)
GHTK_COLUMNS = ColumnMap(
    tracking="Mã đơn GHTK",
    client_ref="Mã đơn shop",
    cod_collected="Tiền CoD",
    fee="Phí ship",
    extra_fees=("Phí bảo hiểm",),
    remitted="Thực nhận",
    date="Ngày đối soát",
)


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

_SPACES = str.maketrans({"\xa0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})
_CURRENCY = re.compile(r"(?i)^(?:vnđ|vnd|đ|₫)\s*|\s*(?:vnđ|vnd|đ|₫)$")
_PLAIN = re.compile(r"^\d+$")
_GROUPED = re.compile(r"^\d{1,3}(?P<sep>[., ])\d{3}(?:(?P=sep)\d{3})*$")
_WITH_DECIMALS = re.compile(
    r"^(?P<int>\d+|\d{1,3}(?P<sep>[., ])\d{3}(?:(?P=sep)\d{3})*)(?P<dec>[.,])(?P<frac>\d{1,2})$"
)
_DMY = re.compile(
    r"^(?P<d>\d{1,2})(?P<s>[/-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
_YMD = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?$"
)


def parse_amount(value, allow_negative=False, blank_is_zero=False):
    """An amount in VND as a whole Decimal, from an XLSX number or text
    ('1.234.567', '1,234,567', '1 234 567', '1234567', '150.000 đ',
    '1.234.567,00'). Raises ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError("is not an amount")
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise ValueError("is not an amount")
        whole = number.to_integral_value()
        # Excel formulas leave float noise (150000.00000001) on whole amounts.
        if abs(number - whole) > Decimal("0.000001"):
            raise ValueError("is not a whole amount in VND")
        return _signed(whole, allow_negative)
    text = "" if value is None else str(value).translate(_SPACES).strip()
    if text in ("", "-"):
        if blank_is_zero:
            return Decimal(0)
        raise ValueError("is required" if not text else "is not an amount")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    elif text.startswith("-"):
        negative, text = True, text[1:].strip()
    number = _unsigned_amount(_CURRENCY.sub("", text).strip())
    return _signed(-number if negative else number, allow_negative)


def _unsigned_amount(text):
    if _PLAIN.match(text):
        return Decimal(text)
    if _GROUPED.match(text):
        return Decimal(re.sub(r"[., ]", "", text))
    found = _WITH_DECIMALS.match(text)
    if not found or found["dec"] == found["sep"]:
        raise ValueError("is not an amount")
    if int(found["frac"]):
        raise ValueError("is not a whole amount in VND")
    return Decimal(re.sub(r"[., ]", "", found["int"]))


def _signed(number, allow_negative):
    if number < 0 and not allow_negative:
        raise ValueError("must not be negative")
    return number + 0  # drops a negative zero


def parse_date(value):
    """A date from an XLSX date cell or text: dd/mm/yyyy, dd-mm-yyyy or
    yyyy-mm-dd, with an optional time (dropped). Raises ValueError."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date cell without a date format comes out as Excel's day number.
        if 1 <= value < 2958466:
            return (datetime.datetime(1899, 12, 30) + datetime.timedelta(days=value)).date()
        raise ValueError("is not a date")
    text = "" if value is None else str(value).translate(_SPACES).strip()
    if not text:
        raise ValueError("is required")
    found = _DMY.match(text) or _YMD.match(text)
    if not found:
        raise ValueError("is not a date (dd/mm/yyyy or yyyy-mm-dd)")
    try:
        moment = datetime.datetime(
            int(found["y"]),
            int(found["m"]),
            int(found["d"]),
            int(found["H"] or 0),
            int(found["M"] or 0),
            int(found["S"] or 0),
        )
    except ValueError as exc:
        raise ValueError("is not a date (dd/mm/yyyy or yyyy-mm-dd)") from exc
    return moment.date()


def _text(value):
    """A reference cell as text; XLSX gives numbers for digit-only codes."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).translate(_SPACES).strip()


# ---------------------------------------------------------------------------
# Statement
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One checked line of a statement; amounts are whole VND Decimals.
    ``fee`` is the sum of the fee column and of the extra fee columns."""

    number: int
    tracking_ref: str
    client_ref: str | None
    cod_collected: Decimal
    fee: Decimal
    remitted: Decimal
    date: datetime.date

    def normalized(self):
        """The line as it enters the fingerprint (no line number)."""
        return "\t".join(
            (
                self.tracking_ref,
                self.client_ref or "",
                str(int(self.cod_collected)),
                str(int(self.fee)),
                str(int(self.remitted)),
                self.date.isoformat(),
            )
        )


@dataclass(frozen=True)
class Statement:
    """A whole checked statement. ``carrier_hint`` is 'ghn' or 'ghtk' when
    the file name or its title block names the carrier, else None."""

    lines: tuple[Line, ...]
    fingerprint: str
    carrier_hint: str | None
    header_line: int = 1

    @property
    def total_collected(self):
        return sum((line.cod_collected for line in self.lines), Decimal(0))

    @property
    def total_fee(self):
        return sum((line.fee for line in self.lines), Decimal(0))

    @property
    def total_remitted(self):
        return sum((line.remitted for line in self.lines), Decimal(0))


def fingerprint(lines):
    """SHA-256 of the normalised lines sorted by tracking number (see the
    module docstring)."""
    digest = hashlib.sha256(b"o2c-cod-statement-v1\n")
    for text in sorted(line.normalized() for line in lines):
        digest.update(text.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


_CARRIER_WORDS = (
    ("ghtk", ("ghtk", "giao hang tiet kiem", "giaohangtietkiem")),
    ("ghn", ("ghn", "giao hang nhanh")),
)


def _carrier_hint(texts):
    blob = normalize_header(" ".join(t for t in texts if t))
    words = set(re.findall(r"[a-z0-9]+", blob))
    for carrier, keys in _CARRIER_WORDS:
        for key in keys:
            if (" " in key and key in blob) or key in words:
                return carrier
    return None


def read_statement(filename, data, columns):
    """Read and check a COD statement; returns a ``Statement`` or raises one
    ``StatementError`` listing the problems (nothing is half-read).

    ``filename`` decides the format with the content (XLSX is a zip, .xls is
    refused); ``columns`` is the carrier account's ``ColumnMap``.
    """
    filename = filename or ""
    if not data:
        raise StatementError(Problem(None, None, None, "The statement file is empty."))
    if len(data) > MAX_BYTES:
        raise StatementError(
            Problem(
                None,
                None,
                None,
                f"The statement file is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes.",
            )
        )
    lower = filename.lower()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or lower.endswith(".xls"):
        raise StatementError(
            Problem(
                None,
                None,
                None,
                f"{filename or 'The file'} is an old Excel (.xls) file: "
                "save it as XLSX or CSV and import it again.",
            )
        )
    if data[:4] == b"PK\x03\x04" or lower.endswith((".xlsx", ".xlsm")):
        rows, header_index = _xlsx_rows(data), None
    else:
        text = _decode(data)
        delimiter, header_index = _sniff(text, columns)
        rows = _csv_rows(text, delimiter)
    try:
        return _read_rows(filename, rows, columns, header_index)
    finally:
        rows.close()  # closes the workbook when the rows were not all read


def _decode(data):
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-8-sig" if data[:1] == b"\xef" else "utf-16"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise StatementError(
                Problem(None, None, None, f"The statement is not valid {encoding} text ({exc}).")
            ) from exc
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Excel on Vietnamese Windows saves "CSV" in Windows-1258, whose
            # tone marks are combining characters: compose them below.
            text = data.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text)


def _csv_reader(text, delimiter):
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _sniff(text, columns):
    """The delimiter (, ; or tab) under which a row of the first lines holds
    the tracking header as one cell, and that row's index."""
    wanted = normalize_header(columns.tracking)
    for delimiter in (",", ";", "\t"):
        try:
            for index, row in enumerate(_csv_reader(text, delimiter)):
                if index >= HEADER_SEARCH_LINES:
                    break
                if any(normalize_header(cell) == wanted for cell in row):
                    return delimiter, index
        except csv.Error:
            continue
    raise StatementError(
        Problem(
            None,
            columns.tracking,
            None,
            f"no header row with this column in the first {HEADER_SEARCH_LINES} lines "
            "(is this the carrier's COD statement, and the right column mapping?)",
        )
    )


def _csv_rows(text, delimiter):
    reader = _csv_reader(text, delimiter)
    number = 0
    try:
        for row in reader:
            number += 1
            yield number, row
    except csv.Error as exc:
        raise StatementError(
            Problem(number + 1, None, None, f"cannot be read as CSV ({exc})")
        ) from exc


def _xlsx_rows(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise StatementError(
            Problem(None, None, None, f"The statement is not a valid XLSX file ({exc}).")
        ) from exc
    if inflated > MAX_XLSX_UNCOMPRESSED:
        raise StatementError(
            Problem(None, None, None, "The XLSX statement unpacks to more than the size limit.")
        )
    import openpyxl  # noqa: PLC0415 -- only XLSX statements need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise StatementError(
            Problem(None, None, None, f"The statement is not a valid XLSX file ({exc}).")
        ) from exc
    return _sheet_rows(workbook)


def _sheet_rows(workbook):
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def _is_blank(row):
    return all(_text(cell) == "" for cell in row)


def _cell(row, index):
    return row[index] if index is not None and index < len(row) else None


def _read_rows(filename, rows, columns, header_index):
    """Check every row after the header; ``header_index`` is known for CSV
    (found while sniffing), searched in the first rows for XLSX."""
    wanted = normalize_header(columns.tracking)
    above = [filename]
    header = None
    header_number = None
    for number, row in rows:
        if header_index is not None:
            found = number - 1 == header_index
        else:
            found = any(normalize_header(_text(cell)) == wanted for cell in row)
        if found:
            header, header_number = row, number
            break
        if number >= HEADER_SEARCH_LINES:
            break
        above.extend(_text(cell) for cell in row)
    if header is None:
        raise StatementError(
            Problem(
                None,
                columns.tracking,
                None,
                f"no header row with this column in the first {HEADER_SEARCH_LINES} lines "
                "(is this the carrier's COD statement, and the right column mapping?)",
            )
        )
    index = _column_index(header, header_number, columns)
    lines, problems, truncated = _check_rows(rows, index, columns)
    if problems:
        raise StatementError(problems, truncated=truncated)
    return Statement(
        lines=tuple(lines),
        fingerprint=fingerprint(lines),
        carrier_hint=_carrier_hint(above),
        header_line=header_number,
    )


def _column_index(header, header_number, columns):
    positions = {}
    for position, cell in enumerate(header):
        positions.setdefault(normalize_header(_text(cell)), position)
    index = {}
    missing = []
    names = [
        ("tracking", columns.tracking),
        ("cod_collected", columns.cod_collected),
        ("fee", columns.fee),
        ("remitted", columns.remitted),
        ("date", columns.date),
    ]
    if columns.client_ref:
        names.append(("client_ref", columns.client_ref))
    names.extend((f"extra_fee_{i}", name) for i, name in enumerate(columns.extra_fees))
    for key, name in names:
        position = positions.get(normalize_header(name))
        if position is None:
            missing.append(name)
        index[key] = position
    if missing:
        found = ", ".join(repr(_text(c)) for c in header if _text(c))
        raise StatementError(
            [
                Problem(header_number, name, None, f"is not in the header (found: {found})")
                for name in missing
            ]
        )
    return index


def _check_rows(rows, index, columns):
    lines = []
    problems = []
    seen = {}
    for number, row in rows:
        if number > MAX_LINES:
            if _is_blank(row):
                if number > MAX_LINES + 1000:
                    break
                continue
            problems.append(
                Problem(None, None, None, f"The statement has more than {MAX_LINES:,} lines.")
            )
            return lines, problems, False
        if _is_blank(row):
            continue
        line = _check_row(number, row, index, columns, seen, problems)
        if len(problems) >= MAX_ERRORS:
            return lines, problems[:MAX_ERRORS], True
        if line is not None and not problems:
            lines.append(line)
    return lines, problems, False


def _check_row(number, row, index, columns, seen, problems):
    """One data row as a Line, or None with its problems appended."""
    count = len(problems)
    raw_tracking = _text(_cell(row, index["tracking"]))
    first = next((_text(c) for c in row if _text(c)), "")
    if _is_totals_label(first) and (not raw_tracking or raw_tracking == first):
        return None  # carriers end the table with a totals row ("Tổng cộng")
    tracking = normalize_tracking(raw_tracking)
    if not tracking:
        problems.append(Problem(number, columns.tracking, None, "is empty"))
    else:
        first_line = seen.setdefault(tracking, number)
        if first_line != number:
            problems.append(
                Problem(
                    number,
                    columns.tracking,
                    tracking,
                    f"appears twice in the statement (lines {first_line} and {number})",
                )
            )
    values = {"fee": Decimal(0)}
    fee_columns = [("fee", columns.fee)] + [
        (f"extra_fee_{i}", name) for i, name in enumerate(columns.extra_fees)
    ]
    for key, name in [("cod_collected", columns.cod_collected), *fee_columns]:
        raw = _cell(row, index[key])
        fee = key != "cod_collected"
        try:
            amount = parse_amount(raw, allow_negative=fee, blank_is_zero=fee)
        except ValueError as exc:
            problems.append(Problem(number, name, _shown_raw(raw), str(exc)))
            continue
        if fee:
            values["fee"] += amount
        else:
            values[key] = amount
    raw = _cell(row, index["remitted"])
    try:
        values["remitted"] = parse_amount(raw)
    except ValueError as exc:
        problems.append(Problem(number, columns.remitted, _shown_raw(raw), str(exc)))
    raw = _cell(row, index["date"])
    try:
        values["date"] = parse_date(raw)
    except ValueError as exc:
        problems.append(Problem(number, columns.date, _shown_raw(raw), str(exc)))
    if len(problems) > count:
        return None
    client_ref = _text(_cell(row, index.get("client_ref"))) or None
    return Line(number, tracking, client_ref, **values)


def _is_totals_label(text):
    label = normalize_header(text).rstrip(":")
    return label in ("tong", "cong", "total") or label.startswith(("tong cong", "total "))


def _shown_raw(raw):
    """The cell as echoed in a problem; None for a blank cell."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return raw


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What we know of one shipment: the COD it should collect, our state
    ('delivered', 'returned', 'returning', ...) and whether a statement
    already remitted it."""

    tracking_ref: str
    cod_expected: Decimal
    state: str
    already_remitted: bool = False


@dataclass(frozen=True)
class LineResult:
    """The outcome of one line. ``difference`` is, per kind:
    collected - expected COD (collected_mismatch), remitted - (collected -
    fee) (remitted_mismatch), the COD collected (unknown_tracking,
    already_remitted, returned_with_cod), 0 when matched."""

    line: Line
    kind: str
    expected: Expected | None
    difference: Decimal


def match(statement, expected):
    """Sort each line of ``statement`` into one kind (``KINDS``), checked in
    this order: unknown_tracking, already_remitted, returned_with_cod,
    collected_mismatch, remitted_mismatch, else matched. ``expected`` maps
    tracking numbers (compared as ``normalize_tracking``) to ``Expected``.

    Only ``matched`` lines are to be posted. A returned parcel with nothing
    collected matches when its remitted amount is consistent (the carrier
    only charged its fee). One dict lookup per line: O(n).
    """
    known = {normalize_tracking(ref): value for ref, value in expected.items()}
    results = []
    for line in statement.lines:
        shipment = known.get(line.tracking_ref)
        collected = line.cod_collected
        if shipment is None:
            results.append(LineResult(line, UNKNOWN_TRACKING, None, collected))
            continue
        if shipment.already_remitted:
            results.append(LineResult(line, ALREADY_REMITTED, shipment, collected))
            continue
        returned = shipment.state in RETURN_STATES
        if returned and collected > 0:
            results.append(LineResult(line, RETURNED_WITH_COD, shipment, collected))
            continue
        expected_cod = Decimal(0) if returned else _money(shipment.cod_expected)
        if collected != expected_cod:
            results.append(LineResult(line, COLLECTED_MISMATCH, shipment, collected - expected_cod))
            continue
        net = collected - line.fee
        if line.remitted != net:
            results.append(LineResult(line, REMITTED_MISMATCH, shipment, line.remitted - net))
            continue
        results.append(LineResult(line, MATCHED, shipment, Decimal(0)))
    return results


def _money(value):
    # Odoo's monetary fields are floats: go through str, not the binary value.
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def summarize(results):
    """Count of results per kind, every kind present (zero included)."""
    counts = dict.fromkeys(KINDS, 0)
    for result in results:
        counts[result.kind] += 1
    return counts
