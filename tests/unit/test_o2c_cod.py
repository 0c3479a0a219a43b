"""COD remittance statements: reading, checking and matching (no Odoo)."""

import csv
import datetime
import importlib.util
import io
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from o2c_pipeline import cod

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "cod"
GHN_HEADER = [
    "Mã đơn GHN",
    "Mã đơn khách hàng",
    "Tiền thu hộ (COD)",
    "Tổng phí",
    "Tiền chuyển khoản",
    "Ngày đối soát",
]


def csv_bytes(rows, header=GHN_HEADER, delimiter=",", title=(), encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for line in title:
        writer.writerow(line)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=GHN_HEADER, title=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in title:
        sheet.append(list(line))
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(tracking="GA1", cod_amount="350.000", fee="22.000", remitted="328.000", day="20/11/2026"):
    return [tracking, "SO1", cod_amount, fee, remitted, day]


def read_csv(rows, **kw):
    return cod.read_statement("statement.csv", csv_bytes(rows, **kw), cod.GHN_COLUMNS)


def problems_of(exc_info):
    return [(p.line, p.column, p.value) for p in exc_info.value.problems]


def load_sample_script():
    spec = importlib.util.spec_from_file_location(
        "make_ghtk_sample", SAMPLES / "make_ghtk_sample.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------
# Amounts and dates
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "1.234.567",
        "1,234,567",
        "1234567",
        "1 234 567",
        "1\xa0234\xa0567",
        " 1.234.567 đ",
        "1,234,567 VND",
        "1.234.567 VNĐ",
        "₫1.234.567",
        "1.234.567,00",
        "1,234,567.00",
        "1234567.0",
        1234567,
        1234567.0,
        1234567.00000001,  # float noise of an Excel formula
        Decimal("1234567"),
    ],
)
def test_amount_formats(value):
    assert cod.parse_amount(value) == Decimal(1234567)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("12,5x", "is not an amount"),
        ("1.5", "is not a whole amount in VND"),
        ("1,23,456", "is not an amount"),
        ("1.234,567", "is not an amount"),
        ("1.234.567,50", "is not a whole amount in VND"),
        (1234.5, "is not a whole amount in VND"),
        ("-150.000", "must not be negative"),
        ("(150.000)", "must not be negative"),
        (-1, "must not be negative"),
        ("", "is required"),
        (None, "is required"),
        ("-", "is not an amount"),
        (True, "is not an amount"),
        (float("nan"), "is not an amount"),
    ],
)
def test_amount_refused(value, reason):
    with pytest.raises(ValueError, match=reason):
        cod.parse_amount(value)


@pytest.mark.parametrize(
    ("value", "amount"),
    [("-", 0), ("", 0), (None, 0), ("-15.000", -15000), ("(15.000)", -15000), ("0", 0)],
)
def test_fee_blank_or_dash_is_zero_and_may_be_negative(value, amount):
    assert cod.parse_amount(value, allow_negative=True, blank_is_zero=True) == amount


@pytest.mark.parametrize(
    "value",
    [
        "20/11/2026",
        "20-11-2026",
        "2026-11-20",
        "20/11/2026 08:30",
        "20/11/2026 08:30:15",
        "2026-11-20 08:30:15",
        "2026-11-20T08:30:15",
        "2026-11-20T08:30:15.250",
        " 20/11/2026 ",
        datetime.datetime(2026, 11, 20, 8, 30),
        datetime.date(2026, 11, 20),
        46346,  # Excel day number of a date cell without a date format
    ],
)
def test_date_formats(value):
    assert cod.parse_date(value) == datetime.date(2026, 11, 20)


def test_single_digit_day_and_month():
    assert cod.parse_date("5/1/2026") == datetime.date(2026, 1, 5)


@pytest.mark.parametrize(
    "value",
    [
        "31/02/2026",
        "11/20/2026",
        "2026/11/20",
        "20.11.2026",
        "20/11/26",
        "20/11/2026 25:00",
        "20/11-2026",
        "",
        None,
        -3,
    ],
)
def test_date_refused(value):
    with pytest.raises(ValueError, match=r"is required|is not a date"):
        cod.parse_date(value)


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


def test_ghn_sample_csv_below_its_title_block():
    data = (SAMPLES / "ghn_sample.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    statement = cod.read_statement("ghn_sample.csv", data, cod.GHN_COLUMNS)
    assert statement.header_line == 3
    assert statement.carrier_hint == "ghn"
    assert len(statement.lines) == 10  # the totals row is not a line
    first = statement.lines[0]
    assert first == cod.Line(
        number=4,
        tracking_ref="GANX3K7Q",
        client_ref="SO0201",
        cod_collected=Decimal(350000),
        fee=Decimal(22000),
        remitted=Decimal(328000),
        date=datetime.date(2026, 11, 20),
    )
    assert statement.lines[2].fee == 0  # "-"
    assert statement.total_collected == 8882000
    assert statement.total_fee == 230500
    assert statement.total_remitted == 8651500


def test_ghtk_sample_xlsx_below_its_title_block():
    data = (SAMPLES / "ghtk_sample.xlsx").read_bytes()
    statement = cod.read_statement("ghtk_sample.xlsx", data, cod.GHTK_COLUMNS)
    assert statement.header_line == 4
    assert statement.carrier_hint == "ghtk"
    assert len(statement.lines) == 10
    second = statement.lines[1]
    assert second.number == 6
    assert second.tracking_ref == "S1001.SG01.A1.1000002"
    # the shipping fee and the insurance fee (an extra fee column) are added up
    assert second.fee == 30000 + 6250
    assert second.remitted == 1250000 - 36250
    assert second.date == datetime.date(2026, 11, 20)
    assert statement.total_remitted == statement.total_collected - statement.total_fee


def test_sample_script_is_deterministic_and_matches_the_committed_file():
    script = load_sample_script()
    built = script.build()
    assert built == script.build()
    committed = cod.read_statement(
        "x.xlsx", (SAMPLES / "ghtk_sample.xlsx").read_bytes(), cod.GHTK_COLUMNS
    )
    rebuilt = cod.read_statement("x.xlsx", built, cod.GHTK_COLUMNS)
    assert rebuilt.fingerprint == committed.fingerprint


def test_header_too_far_below_is_refused():
    data = csv_bytes([row()], title=[["Bảng đối soát"]] * 10)
    with pytest.raises(cod.StatementError, match="no header row") as exc:
        cod.read_statement("s.csv", data, cod.GHN_COLUMNS)
    assert exc.value.problems[0].column == "Mã đơn GHN"
    data = csv_bytes([row()], title=[["Bảng đối soát"]] * 9)
    assert cod.read_statement("s.csv", data, cod.GHN_COLUMNS).header_line == 10


def test_header_too_far_below_in_xlsx_is_refused():
    data = xlsx_bytes([row()], title=[["Bảng đối soát"]] * 10)
    with pytest.raises(cod.StatementError, match="no header row"):
        cod.read_statement("s.xlsx", data, cod.GHN_COLUMNS)


def test_headers_match_without_case_accents_or_extra_spaces():
    header = [
        "MA DON GHN",
        "ma don khach hang",
        "  Tiền thu hộ   (cod) ",
        "TỔNG PHÍ",
        "tien chuyen khoan",
        "Ngày Đối Soát",
    ]
    statement = read_csv([row()], header=header)
    assert statement.lines[0].cod_collected == 350000


def test_columns_in_any_order_and_extra_columns_ignored():
    header = ["Ghi chú", *reversed(GHN_HEADER)]
    statement = read_csv([["x", *reversed(row())]], header=header)
    assert statement.lines[0].tracking_ref == "GA1"
    assert statement.lines[0].remitted == 328000


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed(delimiter):
    statement = read_csv(
        [row(cod_amount="1,234,567", fee="34,567", remitted="1,200,000")], delimiter=delimiter
    )
    assert statement.lines[0].cod_collected == 1234567
    assert statement.lines[0].remitted == 1200000


def test_utf16_csv():
    data = b"\xff\xfe" + csv_bytes([row()], delimiter="\t").decode().encode("utf-16-le")
    statement = cod.read_statement("s.csv", data, cod.GHN_COLUMNS)
    assert statement.lines[0].fee == 22000


def to_cp1258(text):
    """Vietnamese text as Excel writes it in Windows-1258: a letter the code
    page has, else a letter it has with the remaining tone mark combining."""
    return "".join(_cp1258_char(char) for char in unicodedata.normalize("NFC", text)).encode(
        "cp1258"
    )


def _cp1258_char(char):
    if _encodable(char):
        return char
    base, *marks = unicodedata.normalize("NFD", char)
    for mark in marks:
        joined = unicodedata.normalize("NFC", base + mark)
        if len(joined) == 1 and _encodable(joined):
            return joined + "".join(m for m in marks if m != mark)
    return base + "".join(marks)


def _encodable(char):
    try:
        char.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


def test_windows_1258_csv():
    text = csv_bytes([row(tracking="GA1")], title=[["Giao Hàng Nhanh – đối soát"]]).decode()
    data = to_cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    statement = cod.read_statement("s.csv", data, cod.GHN_COLUMNS)
    assert statement.lines[0].cod_collected == 350000
    assert statement.carrier_hint == "ghn"


def test_blank_rows_and_totals_row_are_skipped():
    statement = read_csv(
        [
            row("GA1"),
            ["", "", "", "", "", ""],
            row("GA2"),
            ["Tổng cộng", "", "700.000", "44.000", "656.000", ""],
        ]
    )
    assert [line.tracking_ref for line in statement.lines] == ["GA1", "GA2"]
    assert [line.number for line in statement.lines] == [2, 4]


def test_xlsx_number_and_date_cells():
    data = xlsx_bytes(
        [
            [8930001, None, 350000, None, 350000, datetime.datetime(2026, 11, 20, 8, 30)],
            ["GA2", "SO2", 100000.0, 5000, 95000, "21/11/2026"],
        ],
        title=[["GHN - Bảng đối soát"], []],
    )
    statement = cod.read_statement("s.xlsx", data, cod.GHN_COLUMNS)
    first, second = statement.lines
    assert first.tracking_ref == "8930001"
    assert first.client_ref is None
    assert first.fee == 0
    assert first.date == datetime.date(2026, 11, 20)
    assert first.number == 4
    assert second.cod_collected == 100000
    assert second.date == datetime.date(2026, 11, 21)


def test_tracking_numbers_are_compared_without_spaces_or_case():
    statement = read_csv([row(" ga 1 ")])
    assert statement.lines[0].tracking_ref == "GA1"


# ---------------------------------------------------------------------------
# Column mapping
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [cod.GHN_COLUMNS, cod.GHTK_COLUMNS])
def test_column_map_json_round_trip(columns):
    text = columns.to_json()
    assert "Tiền" in text or "Thực" in text  # stored readable, not \\u escapes
    assert cod.ColumnMap.from_json(text) == columns


def test_column_map_from_json_reads_a_carrier_account_export():
    mapping = cod.ColumnMap.from_json(
        '{"tracking": "Mã vận đơn", "cod_collected": "Số tiền COD",'
        ' "fee": "Phí vận chuyển", "extra_fees": ["Phí hoàn"],'
        ' "remitted": "Số tiền chuyển", "date": "Ngày"}'
    )
    assert mapping.client_ref is None
    assert mapping.extra_fees == ("Phí hoàn",)
    header = ["Mã vận đơn", "Số tiền COD", "Phí vận chuyển", "Phí hoàn", "Số tiền chuyển", "Ngày"]
    data = csv_bytes([["VT1", "500000", "20000", "10000", "470000", "2026-11-20"]], header=header)
    line = cod.read_statement("vtp.csv", data, mapping).lines[0]
    assert (line.tracking_ref, line.fee, line.remitted) == ("VT1", 30000, 470000)
    assert line.client_ref is None


def test_column_map_from_json_names_the_missing_key():
    text = '{"tracking": "Mã", "cod_collected": "COD", "fee": "Phí", "date": "Ngày"}'
    with pytest.raises(cod.StatementError, match="key 'remitted' is missing"):
        cod.ColumnMap.from_json(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "is not a JSON column mapping"),
        ('["a"]', "is not a JSON object"),
        (
            '{"tracking": "", "cod_collected": "C", "fee": "F", "remitted": "R", "date": "D"}',
            "column 'tracking': '' must be a header name",
        ),
        (
            '{"tracking": "T", "cod_collected": "C", "fee": "F", "remitted": "R",'
            ' "date": "D", "extra_fees": "Phí"}',
            "must be a list of header names",
        ),
        (
            '{"tracking": "T", "cod_collected": "C", "fee": "F", "remitted": "R",'
            ' "date": "D", "remited": "R"}',
            "unknown key 'remited'",
        ),
    ],
)
def test_column_map_from_json_refused(text, message):
    with pytest.raises(cod.StatementError, match=message):
        cod.ColumnMap.from_json(text)


def test_missing_column_is_named_with_the_header_line():
    header = [h for h in GHN_HEADER if h != "Tổng phí"]
    data = csv_bytes([row()[:3] + row()[4:]], header=header, title=[["GHN"]])
    with pytest.raises(cod.StatementError) as exc:
        cod.read_statement("s.csv", data, cod.GHN_COLUMNS)
    assert problems_of(exc) == [(2, "Tổng phí", None)]
    assert "Line 2, column 'Tổng phí': is not in the header" in str(exc.value)


# ---------------------------------------------------------------------------
# Whole-file refusal
# ---------------------------------------------------------------------------


def test_malformed_sample_is_refused_whole_with_line_and_column():
    data = (SAMPLES / "ghn_malformed.csv").read_bytes()
    with pytest.raises(cod.StatementError) as exc:
        cod.read_statement("ghn_malformed.csv", data, cod.GHN_COLUMNS)
    assert problems_of(exc) == [
        (3, "Tiền thu hộ (COD)", "12,5x"),
        (4, "Tiền chuyển khoản", "-135.000"),
        (5, "Ngày đối soát", "31/02/2026"),
        (6, "Mã đơn GHN", "GANX4A01"),
        (7, "Mã đơn GHN", None),
    ]
    text = str(exc.value)
    assert "Line 3, column 'Tiền thu hộ (COD)': '12,5x' is not an amount" in text
    assert "Line 4, column 'Tiền chuyển khoản': '-135.000' must not be negative" in text
    assert "Line 5, column 'Ngày đối soát': '31/02/2026' is not a date" in text
    assert "Line 7, column 'Mã đơn GHN': is empty" in text
    assert isinstance(exc.value, ValueError)


def test_one_bad_line_at_the_end_refuses_all_good_lines():
    rows = [row(f"GA{i}") for i in range(50)] + [row("GA99", cod_amount="abc")]
    with pytest.raises(cod.StatementError) as exc:
        read_csv(rows)
    assert problems_of(exc) == [(52, "Tiền thu hộ (COD)", "abc")]


def test_several_errors_on_one_line_are_all_listed():
    with pytest.raises(cod.StatementError) as exc:
        read_csv([row(cod_amount="", fee="x", remitted="1.2.3", day="hôm nay")])
    assert problems_of(exc) == [
        (2, "Tiền thu hộ (COD)", None),
        (2, "Tổng phí", "x"),
        (2, "Tiền chuyển khoản", "1.2.3"),
        (2, "Ngày đối soát", "hôm nay"),
    ]
    assert "Line 2, column 'Tiền thu hộ (COD)': is required" in str(exc.value)


def test_errors_stop_at_twenty():
    rows = [row(f"GA{i}", cod_amount="x") for i in range(30)]
    with pytest.raises(cod.StatementError) as exc:
        read_csv(rows)
    assert len(exc.value.problems) == cod.MAX_ERRORS
    assert exc.value.truncated
    assert "stopped after 20 errors" in str(exc.value)


def test_duplicate_tracking_names_both_lines():
    with pytest.raises(cod.StatementError) as exc:
        read_csv([row("GA1"), row("GA2"), row("ga 1", cod_amount="99.000")])
    (problem,) = exc.value.problems
    assert (problem.line, problem.column, problem.value) == (4, "Mã đơn GHN", "GA1")
    assert "lines 2 and 4" in str(exc.value)


def test_old_excel_and_broken_xlsx_are_refused():
    with pytest.raises(cod.StatementError, match=r"old Excel \(.xls\)"):
        cod.read_statement(
            "s.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, cod.GHN_COLUMNS
        )
    with pytest.raises(cod.StatementError, match="not a valid XLSX"):
        cod.read_statement("s.xlsx", b"PK\x03\x04 broken", cod.GHN_COLUMNS)
    with pytest.raises(cod.StatementError, match="empty"):
        cod.read_statement("s.csv", b"", cod.GHN_COLUMNS)
    with pytest.raises(cod.StatementError, match="not valid utf-8-sig text"):
        cod.read_statement("s.csv", b"\xef\xbb\xbfM\xe3 \xff", cod.GHN_COLUMNS)


# ---------------------------------------------------------------------------
# Caps
# ---------------------------------------------------------------------------


def test_file_over_ten_mib_is_refused():
    data = csv_bytes([row()]) + b" " * cod.MAX_BYTES
    with pytest.raises(cod.StatementError, match="the limit is 10,485,760 bytes"):
        cod.read_statement("s.csv", data, cod.GHN_COLUMNS)


def test_more_than_100000_lines_is_refused():
    header = ",".join(GHN_HEADER).encode()
    body = b"".join(b"T%d,,1,0,1,2026-11-20\n" % i for i in range(cod.MAX_LINES))
    data = header + b"\n" + body
    assert len(data) < cod.MAX_BYTES
    with pytest.raises(cod.StatementError, match="more than 100,000 lines"):
        cod.read_statement("s.csv", data, cod.GHN_COLUMNS)
    # exactly the cap (header included) is read
    statement = cod.read_statement("s.csv", data[: data.rindex(b"T99999,")], cod.GHN_COLUMNS)
    assert len(statement.lines) == cod.MAX_LINES - 1


# ---------------------------------------------------------------------------
# Fingerprint
# ---------------------------------------------------------------------------


def ghn_sample_as_xlsx(change=None):
    """The GHN sample as the same statement exported to XLSX: other title,
    other column order, numbers and dates as cells, no totals row."""
    text = (SAMPLES / "ghn_sample.csv").read_text(encoding="utf-8-sig")
    records = list(csv.reader(io.StringIO(text)))[3:-1]
    header = ["Ngày đối soát", "Mã đơn khách hàng", "Mã đơn GHN"]
    header += ["Tiền chuyển khoản", "Tổng phí", "Tiền thu hộ (COD)"]
    rows = []
    for _n, tracking, ref, collected, fee, remitted, when in records:
        amounts = [
            int(v.replace(",", "")) if v != "-" else None for v in (collected, fee, remitted)
        ]
        if change and tracking == change[0]:
            amounts[0] = change[1]
        day = datetime.datetime.strptime(when, "%d/%m/%Y %H:%M")
        rows.append([day, ref, tracking, amounts[2], amounts[1], amounts[0]])
    return xlsx_bytes(rows, header=header, title=[["Đối soát COD"]] * 4)


def test_fingerprint_same_for_csv_and_xlsx_of_one_statement():
    from_csv = cod.read_statement(
        "ghn.csv", (SAMPLES / "ghn_sample.csv").read_bytes(), cod.GHN_COLUMNS
    )
    from_xlsx = cod.read_statement("ghn.xlsx", ghn_sample_as_xlsx(), cod.GHN_COLUMNS)
    assert [line.number for line in from_xlsx.lines][:1] == [6]
    assert from_xlsx.fingerprint == from_csv.fingerprint
    assert len(from_csv.fingerprint) == 64


def test_fingerprint_changes_with_one_amount():
    from_csv = cod.read_statement(
        "ghn.csv", (SAMPLES / "ghn_sample.csv").read_bytes(), cod.GHN_COLUMNS
    )
    changed = cod.read_statement(
        "ghn.xlsx", ghn_sample_as_xlsx(change=("GANX3K7T", 489001)), cod.GHN_COLUMNS
    )
    assert changed.fingerprint != from_csv.fingerprint


def test_fingerprint_ignores_line_order_but_not_dates():
    one = read_csv([row("GA1"), row("GA2")])
    two = read_csv([row("GA2"), row("GA1")])
    three = read_csv([row("GA1"), row("GA2", day="21/11/2026")])
    assert one.fingerprint == two.fingerprint
    assert one.fingerprint != three.fingerprint


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


def expected(tracking, cod_expected, state="delivered", already_remitted=False):
    return cod.Expected(tracking, Decimal(cod_expected), state, already_remitted)


def test_each_match_kind():
    statement = read_csv(
        [
            row("OK1", "350.000", "22.000", "328.000"),
            row("LESS", "300.000", "22.000", "278.000"),
            row("NET", "350.000", "22.000", "330.000"),
            row("WHO", "150.000", "10.000", "140.000"),
            row("AGAIN", "350.000", "22.000", "328.000"),
            row("BACK", "350.000", "22.000", "328.000"),
            row("GOINGBACK", "120.000", "22.000", "98.000"),
            row("RETFEE", "0", "-", "0"),
        ]
    )
    shipments = {
        "ok1": expected("ok1", 350000),  # keys are compared like tracking numbers
        "LESS": expected("LESS", 350000),
        "NET": expected("NET", 350000),
        "AGAIN": expected("AGAIN", 350000, already_remitted=True),
        "BACK": expected("BACK", 350000, state="returned"),
        "GOINGBACK": expected("GOINGBACK", 120000, state="returning"),
        "RETFEE": expected("RETFEE", 500000, state="returned"),
        "NOT-IN-FILE": expected("NOT-IN-FILE", 1),
    }
    results = cod.match(statement, shipments)
    assert [(r.line.tracking_ref, r.kind, r.difference) for r in results] == [
        ("OK1", cod.MATCHED, 0),
        ("LESS", cod.COLLECTED_MISMATCH, -50000),
        ("NET", cod.REMITTED_MISMATCH, 2000),
        ("WHO", cod.UNKNOWN_TRACKING, 150000),
        ("AGAIN", cod.ALREADY_REMITTED, 350000),
        ("BACK", cod.RETURNED_WITH_COD, 350000),
        ("GOINGBACK", cod.RETURNED_WITH_COD, 120000),
        ("RETFEE", cod.MATCHED, 0),  # returned, nothing collected, nothing remitted
    ]
    assert results[0].expected is shipments["ok1"]
    assert results[3].expected is None
    assert cod.summarize(results) == {
        "matched": 2,
        "collected_mismatch": 1,
        "remitted_mismatch": 1,
        "unknown_tracking": 1,
        "already_remitted": 1,
        "returned_with_cod": 2,
    }


def test_match_takes_float_amounts_as_odoo_gives_them():
    statement = read_csv([row("GA1", "350.000", "22.000", "328.000")])
    shipment = cod.Expected("GA1", 350000.0, "delivered")
    (result,) = cod.match(statement, {"GA1": shipment})
    assert result.kind == cod.MATCHED


def test_samples_match_their_own_shipments():
    for name, columns in (
        ("ghn_sample.csv", cod.GHN_COLUMNS),
        ("ghtk_sample.xlsx", cod.GHTK_COLUMNS),
    ):
        statement = cod.read_statement(name, (SAMPLES / name).read_bytes(), columns)
        shipments = {
            line.tracking_ref: expected(line.tracking_ref, line.cod_collected)
            for line in statement.lines
        }
        kinds = {r.kind for r in cod.match(statement, shipments)}
        assert kinds == {cod.MATCHED}, name


# ---------------------------------------------------------------------------
# Volume
# ---------------------------------------------------------------------------


def volume_rows(count):
    for i in range(count):
        collected = 100000 + i * 1000
        fee = 15000 + (i % 7) * 500
        yield [f"GV{i:06d}", f"SO{i:06d}", f"{collected:,}", f"{fee:,}", f"{collected - fee:,}"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_five_thousand_line_statement_is_read_and_matched(fmt):
    rows = [[*r, "20/11/2026 08:30"] for r in volume_rows(5000)]
    title = [["GHN - Bảng đối soát COD"], ["Phiên 20/11/2026"]]
    data = csv_bytes(rows, title=title) if fmt == "csv" else xlsx_bytes(rows, title=title)
    statement = cod.read_statement(f"big.{fmt}", data, cod.GHN_COLUMNS)
    assert len(statement.lines) == 5000
    assert statement.lines[-1].number == 5003
    shipments = {f"GV{i:06d}": expected(f"GV{i:06d}", 100000 + i * 1000) for i in range(0, 5000)}
    shipments["GV000010"] = expected("GV000010", 1)
    del shipments["GV000020"]
    counts = cod.summarize(cod.match(statement, shipments))
    assert counts["matched"] == 4998
    assert counts["collected_mismatch"] == 1
    assert counts["unknown_tracking"] == 1
