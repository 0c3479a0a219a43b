"""Adjustment and replacement invoices: the related-invoice block and signed lines.
No odoo import.

An adjustment invoice (TCHDon 2) carries only the differences to the original invoice:
Circular 78/2021 art. 7.1.g, to which the field tables of 1450/QĐ-TCT refer for invoices with
errors, writes an increase with a positive sign and a decrease with a negative sign (the
tables allow the minus sign in every number, I.IV.2.a). A line is therefore an increase or a
decrease of its own: a credit note decreases every line, an adjustment invoice may mix both.
A replacement invoice (TCHDon 1) is a complete new invoice: positive, like an original.
"""

KINDS = {"replacement": 1, "adjustment": 2}  # TCHDon
# LHDCLQuan (Appendix VI): the corrected invoice is an e-invoice under Decree 123/2020.
RELATED_DECREE_123 = 1


def related(kind, origin, reason):
    """TTHDLQuan values referencing ``origin`` (dict: template, symbol, number, date)."""
    return {
        "TCHDon": KINDS[kind],
        "LHDCLQuan": RELATED_DECREE_123,
        "KHMSHDCLQuan": origin["template"],
        "KHHDCLQuan": origin["symbol"],
        "SHDCLQuan": origin["number"],
        "NLHDCLQuan": origin["date"],
        "GChu": reason,
    }


def printed_reference(related, total=0):
    """The sentence the printed copy of a replacing or adjusting invoice carries (Decree
    123/2020, art. 19: "Thay thế cho hóa đơn" / "Điều chỉnh cho hóa đơn Mẫu số... ký
    hiệu... số... ngày... tháng... năm..."), "tăng"/"giảm" after "Điều chỉnh" by the sign
    of the adjustment's total; "" for an ordinary invoice."""
    if not related:
        return ""
    if related["TCHDon"] == KINDS["replacement"]:
        head = "Thay thế cho hóa đơn"
    elif total < 0:
        head = "Điều chỉnh giảm cho hóa đơn"
    elif total > 0:
        head = "Điều chỉnh tăng cho hóa đơn"
    else:
        head = "Điều chỉnh cho hóa đơn"
    date = related["NLHDCLQuan"]
    return (
        f"{head} Mẫu số {related['KHMSHDCLQuan']} ký hiệu {related['KHHDCLQuan']} "
        f"số {related['SHDCLQuan']} ngày {date.day:02d} tháng {date.month:02d} "
        f"năm {date.year}"
    )


def adjustment_line(values, signed_subtotal):
    """A goods line of an adjustment invoice from an accounting line.

    ``values``: code, name, uom, quantity, price, discount_rate, tax as on the accounting line
    (quantity and price may be negative); ``signed_subtotal``: the line's amount without tax
    as it changes the original invoice (negative on a credit note). Quantities and prices
    are given as magnitudes; ``decrease`` tells the builder to write the amounts negative.
    """
    quantity = abs(values.get("quantity") or 0)
    price = abs(values.get("price") or 0)
    subtotal = abs(signed_subtotal)
    gross = quantity * price
    return {
        **values,
        "nature": "goods",
        "quantity": quantity,
        "price": price,
        "discount_amount": gross - subtotal if values.get("discount_rate") else 0,
        "decrease": signed_subtotal < 0,
    }


def is_information_only(lines):
    """An adjustment that changes no amount only corrects information (names, addresses)."""
    return not any(line.get("amount") for line in lines)
