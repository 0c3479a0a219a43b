"""Verification rules of stage 2, evaluated on plain values.

Each rule returns an :class:`Outcome`: whether it passed, a stable code and
the values that explain the result. The model turns the code and values into
a translated sentence and decides, from the rule's configuration, whether a
failure blocks the order or only warns.
"""

import re
from dataclasses import dataclass, field

from stdnum.vn import mst as vn_mst

CUSTOMER_DATA = "customer_data"
TAX_ID = "tax_id"
PAYMENT_METHOD = "payment_method"
CREDIT = "credit"
STOCK = "stock"
DUPLICATE = "duplicate"
MARGIN = "margin"

RULES = (CUSTOMER_DATA, TAX_ID, PAYMENT_METHOD, CREDIT, STOCK, DUPLICATE, MARGIN)


@dataclass(frozen=True)
class Outcome:
    passed: bool
    code: str
    values: dict = field(default_factory=dict)


def _ok(code="ok", **values):
    return Outcome(True, code, values)


def _fail(code, **values):
    return Outcome(False, code, values)


def check_customer_data(name, phone, street, province, ward, country_code):
    """Name, phone and a delivery address down to province and ward.

    Vietnam has two levels of local units since 1 July 2025 (province and
    ward/commune), so a district is never required. Outside Vietnam the
    province is only required where the caller says the country uses one
    (``province`` is then passed as ``True`` when not applicable).
    """
    missing = []
    if not (name or "").strip():
        missing.append("name")
    if not (phone or "").strip():
        missing.append("phone")
    if not (street or "").strip():
        missing.append("street")
    if not province:
        missing.append("province")
    if country_code == "VN" and not (ward or "").strip():
        missing.append("ward")
    if missing:
        return _fail("missing", fields=missing)
    return _ok()


def is_valid_vn_tax_id(vat):
    """A Vietnamese MST: 10 digits with check digit, or 13 for a branch
    (``0100233488-001``, the dash optional), or a 12-digit citizen id which
    is a personal tax id since 1 July 2025 (no check digit defined)."""
    value = vn_mst.compact(vat or "")
    if value.upper().startswith("VN"):
        value = value[2:]
    return bool(re.fullmatch(r"\d{12}", value)) or vn_mst.is_valid(value)


def check_tax_id(is_company, vat, country_code, valid):
    """Companies need a tax id, and it must be valid.

    ``valid`` is the result of the partner's own VAT check (or ``None``
    when no check applies to that country).
    """
    if not is_company:
        return _ok("not_company")
    if not (vat or "").strip():
        return _fail("missing")
    if valid is False:
        return _fail("invalid", vat=vat, country=country_code or "")
    return _ok(vat=vat)


def check_payment_method(method, allowed):
    """The order's payment method must be one the channel accepts;
    a channel with no list accepts all methods."""
    if not method:
        return _fail("missing")
    if allowed and method not in allowed:
        return _fail("not_allowed", method=method, allowed=sorted(allowed))
    return _ok(method=method)


def check_credit(receivable, to_invoice, order_amount, limit, trust="normal"):
    """Open receivables + confirmed orders not invoiced + this order must stay
    within the limit (no limit when ``limit`` is 0). A customer whose trust
    is "bad" (set by collections) is blocked whatever the amounts."""
    exposure = round(receivable + to_invoice + order_amount, 2)
    if trust == "bad":
        return _fail("bad_trust", exposure=exposure, limit=limit)
    if limit and exposure > limit:
        return _fail(
            "over_limit", exposure=exposure, limit=limit, excess=round(exposure - limit, 2)
        )
    return _ok(exposure=exposure, limit=limit)


def check_stock(lines):
    """Every stored product line must be covered by the free quantity of its
    warehouse at the commitment date.

    ``lines``: iterable of dicts with ``product``, ``needed`` and ``free``.
    """
    short = [
        {"product": line["product"], "needed": line["needed"], "free": line["free"]}
        for line in lines
        if line["needed"] > line["free"]
    ]
    if short:
        return _fail("short", lines=short)
    return _ok()


def line_signature(lines):
    """Order-independent signature of (product, quantity) lines."""
    merged = {}
    for product_id, qty in lines:
        merged[product_id] = round(merged.get(product_id, 0.0) + qty, 4)
    return tuple(sorted(merged.items()))


def check_duplicate(signature, others):
    """Same customer, same lines, same day: ``others`` maps an order name to
    its signature, for the customer's other orders of that day."""
    if not signature:
        return _ok()
    twins = sorted(name for name, other in others.items() if other == signature)
    if twins:
        return _fail("duplicate", orders=twins)
    return _ok()


def check_margin(lines, min_margin_pct):
    """No line below cost, and the order's margin at least ``min_margin_pct``
    percent of its untaxed amount.

    ``lines``: iterable of dicts with ``product``, ``subtotal`` (untaxed, in
    company currency) and ``cost`` (quantity times unit cost).
    """
    lines = list(lines)
    below = [line["product"] for line in lines if line["cost"] and line["subtotal"] < line["cost"]]
    if below:
        return _fail("below_cost", products=below)
    revenue = sum(line["subtotal"] for line in lines)
    cost = sum(line["cost"] for line in lines)
    if not revenue:
        return _ok()
    margin_pct = round((revenue - cost) / revenue * 100, 2)
    if min_margin_pct and margin_pct < min_margin_pct:
        return _fail("low_margin", margin=margin_pct, minimum=min_margin_pct)
    return _ok(margin=margin_pct)
