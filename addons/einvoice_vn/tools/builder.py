"""Build the ``HDon`` XML of a Vietnamese e-invoice from plain values.

The model collects plain values from account.move; this module computes the totals
(per tax rate, trade discounts, amount in words), writes the elements in the order of the
field tables and checks the result with the validator. No odoo import.

Input (``invoice`` dict):
  version     "2.0.1" or "2.1.0"
  id          the DLHDon Id attribute (referenced by signatures)
  general     TTChung values: THDon, KHMSHDon, KHHDon, SHDon, NLap (date), DVTTe, TGia,
              HTTToan, MSTTCGP, HDCTTChinh...
  related     optional TTHDLQuan values (replacement/adjustment of another invoice)
  seller      NBan values (Ten, MST, DChi, ...)
  buyer       NMua values (a retail buyer may give only HVTNMHang)
  lines       dicts: nature ("goods", "promotion", "discount", "note"), code, name, uom,
              quantity, price, discount_rate, discount_amount, tax ("10%", "0%", "KCT"...),
              decrease (True on a decreasing line of an adjustment invoice: its price,
              discount and amount are written negative)
  tax_amounts optional {tax code: amount}: tax per rate as the accounting computed it
              (otherwise base x rate, rounded)
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from . import fields as tables
from . import qr
from .amount_words import amount_in_words

NATURES = {"goods": 1, "promotion": 2, "discount": 3, "note": 4}
NO_VAT = ("KCT", "KKKNT")
RATE_VALUES = {
    "0%": Decimal(0),
    "5%": Decimal("0.05"),
    "8%": Decimal("0.08"),
    "10%": Decimal("0.1"),
}


class BuildError(ValueError):
    """The values cannot make a valid invoice; ``errors`` lists why."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


def _dec(value):
    return Decimal(str(value or 0))


def rate_value(code):
    if code in RATE_VALUES:
        return RATE_VALUES[code]
    if code and code.startswith("KHAC:"):
        return Decimal(code[5:]) / 100
    return Decimal(0)  # KCT, KKKNT: no VAT


class Money:
    """Rounding and formatting of amounts in one currency: VND in integers."""

    def __init__(self, currency):
        self.currency = currency
        self.step = Decimal("1") if currency == "VND" else Decimal("0.01")

    def round(self, value):
        return _dec(value).quantize(self.step, rounding=ROUND_HALF_UP)

    def text(self, value):
        return format_number(self.round(value))


def format_number(value):
    """Plain decimal text: '.' separator, no exponent, no trailing zeros."""
    value = _dec(value)
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def compute(invoice):
    """Line amounts and totals, as Decimals, in the invoice currency."""
    money = Money(invoice["general"].get("DVTTe", "VND"))
    lines, rates = [], {}
    discount_total = Decimal(0)
    for line in invoice["lines"]:
        nature = line.get("nature", "goods")
        quantity, price = _dec(line.get("quantity")), _dec(line.get("price"))
        discount = money.round(line.get("discount_amount") or 0)
        if nature == "goods":
            amount = money.round(quantity * price) - discount
        elif nature == "discount":
            amount = money.round(line.get("amount", quantity * price))
        else:  # promotion and notes carry no amount
            amount = Decimal(0)
        computed = {**line, "amount": amount, "discount_amount": discount}
        if line.get("decrease"):
            # A decrease of an adjustment invoice: the money is written negative, the
            # quantity stays positive (SLuong x DGia - STCKhau = ThTien still holds).
            computed.update(amount=-amount, discount_amount=-discount, price=-price)
        lines.append(computed)
        if nature in ("goods", "discount"):
            tax = line.get("tax") or "KCT"
            sign = -1 if nature == "discount" else 1
            rates.setdefault(tax, Decimal(0))
            rates[tax] += sign * computed["amount"]
            if nature == "discount":
                discount_total += computed["amount"]
    tax_amounts = invoice.get("tax_amounts") or {}
    per_rate = []
    for code in sorted(rates, key=lambda c: (rate_value(c), c)):
        base = rates[code]
        if code in tax_amounts:
            tax = money.round(tax_amounts[code])
        else:
            tax = money.round(base * rate_value(code))
        per_rate.append({"rate": code, "base": base, "tax": tax})
    untaxed = sum((r["base"] for r in per_rate), Decimal(0))
    tax_total = sum((r["tax"] for r in per_rate), Decimal(0))
    total = untaxed + tax_total
    return {
        "money": money,
        "lines": lines,
        "per_rate": per_rate,
        "untaxed": untaxed,
        "tax": tax_total,
        "discount": discount_total,
        "total": total,
        "words": amount_in_words(total, money.currency),
    }


def _sub(parent, name, value):
    if value is None or value == "" or value is False:
        return None
    node = etree.SubElement(parent, name)
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.strftime("%Y-%m-%d")
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        value = format_number(value)
    node.text = str(value)
    return node


def _fill(parent, table, values, version, template):
    """Write ``values`` under ``parent`` in the order of the field table, leaving out the
    rows the invoice's version or template (KHMSHDon) does not have."""
    for field in tables.TABLES[table]:
        if field.kind in ("g", "r") or not field.known_in(version, template):
            continue
        _sub(parent, field.name, values.get(field.name))


def _known(table, name, version, template):
    return next(f for f in tables.TABLES[table] if f.name == name).known_in(version, template)


def _discount_rate(rate):
    """TLCKhau is a number of 6 digits with 4 decimals (QĐ 1450, line 649), so at most
    99.9999: a 100 % discount is shown by its amount (STCKhau) alone, TLCKhau being optional."""
    if not rate:
        return None
    rate = _dec(rate)
    return rate if abs(rate) < 100 else None


def build(invoice):
    """Return the ``HDon`` element; raise BuildError when the result is not valid."""
    version = invoice.get("version", tables.V201)
    totals = compute(invoice)
    money = totals["money"]
    root = etree.Element("HDon")
    data = etree.SubElement(root, "DLHDon", Id=invoice["id"])

    general = etree.SubElement(data, "TTChung")
    values = {"PBan": version, **invoice["general"]}
    template = str(values.get("KHMSHDon") or "") or None
    if values.get("DVTTe", "VND") == "VND":
        values.pop("TGia", None)
    for field in tables.TABLES["TTChung"]:
        if field.name == "TTHDLQuan" and invoice.get("related"):
            related = etree.SubElement(general, "TTHDLQuan")
            _fill(related, "TTHDLQuan", invoice["related"], version, template)
        elif field.kind not in ("g", "r") and field.known_in(version, template):
            _sub(general, field.name, values.get(field.name))

    content = etree.SubElement(data, "NDHDon")
    _fill(etree.SubElement(content, "NBan"), "NBan", invoice["seller"], version, template)
    _fill(etree.SubElement(content, "NMua"), "NMua", invoice["buyer"], version, template)

    items = etree.SubElement(content, "DSHHDVu")
    for number, line in enumerate(totals["lines"], start=1):
        item = etree.SubElement(items, "HHDVu")
        nature = line.get("nature", "goods")
        priced = nature in ("goods", "discount")
        _fill(
            item,
            "HHDVu",
            {
                "TChat": NATURES[nature],
                "STT": number,
                "MHHDVu": line.get("code"),
                "THHDVu": line.get("name"),
                "DVTinh": line.get("uom") if nature != "note" else None,
                "SLuong": _dec(line.get("quantity")) if nature in ("goods", "promotion") else None,
                "DGia": money.round(line.get("price")) if nature == "goods" else None,
                "TLCKhau": _discount_rate(line.get("discount_rate")),
                "STCKhau": line["discount_amount"] if line["discount_amount"] else None,
                # Mandatory on every line but a note (TChat 4), line 651: a promotion's is 0.
                "ThTien": line["amount"] if nature != "note" else None,
                "TSuat": (line.get("tax") or "KCT") if priced else None,
            },
            version,
            template,
        )

    payment = etree.SubElement(content, "TToan")
    # Only the VAT invoice's table (and that of other invoices of the VAT kind) has the
    # VAT rows: a sales invoice with VAT on its lines would show a total it cannot explain.
    vat = _known("TToan", "THTTLTSuat", version, template)
    vat_rates = [r["rate"] for r in totals["per_rate"] if r["rate"] not in NO_VAT or r["tax"]]
    if vat_rates and not vat:
        raise BuildError(
            [f"TSuat: KHMSHDon {template} has no VAT rate, the lines have {', '.join(vat_rates)}"]
        )
    if totals["per_rate"] and vat:
        per_rate = etree.SubElement(payment, "THTTLTSuat")
        for rate in totals["per_rate"]:
            node = etree.SubElement(per_rate, "LTSuat")
            _sub(node, "TSuat", rate["rate"])
            _sub(node, "ThTien", rate["base"])
            _sub(node, "TThue", rate["tax"])
    if vat:
        _sub(payment, "TgTCThue", totals["untaxed"])
        _sub(payment, "TgTThue", totals["tax"])
    if totals["discount"]:
        _sub(payment, "TTCKTMai", totals["discount"])
    _sub(payment, "TgTTTBSo", totals["total"])
    _sub(payment, "TgTTTBChu", totals["words"])

    qr_text = qr_data(invoice, totals)
    if qr_text:
        _sub(root, "DLQRCode", qr_text)

    errors = tables.validate(root, version)
    if errors:
        raise BuildError(errors)
    return root


def qr_data(invoice, totals=None):
    """The QR string (QĐ 1450, Phụ lục XIII) of a numbered invoice, else ''."""
    general = invoice["general"]
    if not general.get("SHDon"):
        return ""
    totals = totals or compute(invoice)
    try:
        return qr.invoice_qr(
            invoice["seller"].get("MST"),
            general.get("KHMSHDon"),
            general.get("KHHDon"),
            general.get("SHDon"),
            general.get("NLap"),
            totals["money"].text(totals["total"]),
        )
    except ValueError as error:
        raise BuildError([str(error)]) from error


def to_bytes(root):
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
