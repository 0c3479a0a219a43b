"""Builds ghtk_sample.xlsx, a GHTK-style COD statement of 10 lines.

The file is laid out as the default ``GHTK_COLUMNS`` mapping of
``addons/order_to_cash/pipeline/cod.py`` expects (a title block above the
table, amounts as number cells, dates as date cells, a totals row). The
column names are assumed, not copied from a real GHTK export (see cod.py).
Tracking numbers and shops are made up.

Deterministic: the same bytes on every run (fixed document times, fixed zip
entry times), so the committed file can be checked against this script:

    python3 data/cod/make_ghtk_sample.py        # rewrites ghtk_sample.xlsx
"""

import datetime
import io
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
TARGET = HERE / "ghtk_sample.xlsx"
FIXED = datetime.datetime(2026, 11, 20, 9, 0, 0)

HEADER = (
    "STT",
    "Mã đơn GHTK",
    "Mã đơn shop",
    "Tiền CoD",
    "Phí ship",
    "Phí bảo hiểm",
    "Thực nhận",
    "Ngày đối soát",
)
# tracking, shop reference, COD collected, shipping fee, insurance fee
ROWS = (
    ("S1001.SG01.A1.1000001", "SO0101", 350_000, 22_000, 0),
    ("S1001.SG01.A1.1000002", "SO0102", 1_250_000, 30_000, 6_250),
    ("S1001.SG01.A1.1000003", "SO0103", 180_000, 22_000, 0),
    ("S1001.HN02.B4.1000004", "SO0104", 489_000, 25_000, 0),
    ("S1001.HN02.B4.1000005", "SO0105", 2_100_000, 35_000, 10_500),
    ("S1001.DN03.C2.1000006", "SO0106", 159_000, 18_000, 0),
    ("S1001.DN03.C2.1000007", "SO0107", 720_000, 22_000, 3_600),
    ("S1001.SG01.A1.1000008", "SO0108", 99_000, 16_500, 0),
    ("S1001.HN02.B4.1000009", "SO0109", 3_450_000, 40_000, 17_250),
    ("S1001.SG01.A1.1000010", "SO0110", 265_000, 22_000, 0),
)
REMITTED_ON = datetime.datetime(2026, 11, 20, 8, 30)


def build():
    """The XLSX statement as bytes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Doi soat"
    sheet.append(["BẢNG ĐỐI SOÁT TIỀN THU HỘ - GIAO HÀNG TIẾT KIỆM"])
    sheet.append(["Shop: Cửa hàng mẫu O2C", None, "Phiên đối soát: 20/11/2026"])
    sheet.append([])
    sheet.append(list(HEADER))
    total = [0, 0, 0, 0]
    for number, (tracking, ref, cod, ship, insurance) in enumerate(ROWS, start=1):
        remitted = cod - ship - insurance
        sheet.append([number, tracking, ref, cod, ship, insurance, remitted, REMITTED_ON])
        sheet.cell(sheet.max_row, 8).number_format = "dd/mm/yyyy hh:mm"
        for i, value in enumerate((cod, ship, insurance, remitted)):
            total[i] += value
    sheet.append(["Tổng cộng", None, None, *total, None])
    workbook.properties.creator = "o2c sample"
    workbook.properties.created = FIXED
    workbook.properties.modified = FIXED
    raw = io.BytesIO()
    workbook.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data):
    """The same archive with fixed entry times (zip stores the save time)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 20, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


if __name__ == "__main__":
    TARGET.write_bytes(build())
    print(f"wrote {TARGET}")
