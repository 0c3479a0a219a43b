"""Three-way match rules from plain values (no Odoo import).

A vendor bill line is compared with the purchase order line it bills and
with the quantity received on that order line:

* price: the bill's unit price against the order's unit price, both in the
  bill's currency and the order line's unit of measure;
* quantity: the quantity billed (this line plus what other posted bills
  already billed on the same order line) against the quantity received
  (or ordered, for lines that are never received, e.g. services).

Tolerances exist for price and quantity, each as a percentage of the
reference and as an absolute amount; the allowed deviation is the greater
of the two (``allowed = max(percent / 100 * reference, absolute)``).
They are set at three levels; for each of the four values the most specific
level that sets it wins: vendor, then product category, then company.
A level that is not set (``None``) falls through to the next one; the
company level is always set (0 when nothing is configured, which means
"no deviation allowed").
"""

from dataclasses import dataclass, field

LINE_MATCHED = "matched"
LINE_WITHIN_TOLERANCE = "within_tolerance"
LINE_EXCEPTION = "exception"

BILL_READY = "ready"
BILL_HOLD = "hold"
BILL_EXCEPTION = "exception"
BILL_APPROVED = "approved"
# States in which a bill must not be paid.
BLOCKING_STATES = (BILL_HOLD, BILL_EXCEPTION)

NO_PO = "no_po"
PRICE_OVER_TOLERANCE = "price_over_tolerance"
QTY_OVER_RECEIVED = "qty_over_received"
ALREADY_BILLED = "already_billed"
UOM_MISMATCH = "uom_mismatch"
LINE_REASONS = (
    NO_PO,
    PRICE_OVER_TOLERANCE,
    QTY_OVER_RECEIVED,
    ALREADY_BILLED,
    UOM_MISMATCH,
)
# Reasons that may clear by themselves (the goods are still to be received):
# they put the bill on hold. Every other reason (including unknown codes from
# other modules' checks, unless listed in ``hold_reasons``) is an exception
# that needs a person.
HOLD_REASONS = frozenset({QTY_OVER_RECEIVED})
# Reasons a receiver (not the buyer) resolves.
RECEIVER_REASONS = frozenset({QTY_OVER_RECEIVED})

TOLERANCE_FIELDS = ("price_percent", "price_amount", "qty_percent", "qty_amount")

# Float comparisons: quantities and prices are compared with this slack so
# that values rounded to the unit's precision do not create variances.
EPSILON = 1e-6


@dataclass(frozen=True)
class Tolerance:
    """Tolerances of one level; ``None`` means "not set at this level"."""

    price_percent: float | None = None
    price_amount: float | None = None
    qty_percent: float | None = None
    qty_amount: float | None = None

    def __post_init__(self):
        for name in TOLERANCE_FIELDS:
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"Tolerance {name} must not be negative, got {value!r}")


def covers(open_qty, qty):
    """Whether an order line with ``open_qty`` not yet billed can take a bill line of
    ``qty`` (same unit)."""
    return qty <= open_qty + EPSILON


def resolve_tolerance(company, category=None, vendor=None):
    """Effective tolerance: vendor > category > company.

    Each argument is a :class:`Tolerance` or ``None`` (level not set, skipped). A value
    ``None`` inside a level falls through to the next level; values unset everywhere
    resolve to 0. The Odoo models pass whole levels: a vendor or category with "Own match
    tolerances" gives all four values, 0 meaning no tolerance.
    """
    levels = [level for level in (vendor, category, company) if level is not None]
    values = {}
    for name in TOLERANCE_FIELDS:
        values[name] = next(
            (getattr(level, name) for level in levels if getattr(level, name) is not None),
            0.0,
        )
    return Tolerance(**values)


def allowed_deviation(reference, percent, absolute):
    """The greater of ``percent`` % of ``reference`` and ``absolute``."""
    return max(abs(reference) * (percent or 0.0) / 100.0, absolute or 0.0)


@dataclass(frozen=True)
class LineInput:
    """Plain values of one bill line, already converted by the caller.

    ``bill_price_unit`` and ``po_price_unit`` are net unit prices in the
    bill's currency per order-line unit; ``bill_qty``, ``billed_before``
    (other posted bills on the same order line, credit notes deducted),
    ``received_qty`` and ``ordered_qty`` are in the order line's unit.
    ``needs_receipt`` is False for lines billed against the ordered
    quantity (services): their reference is ``ordered_qty``.
    ``uom_convertible`` is False when the bill's unit cannot be converted
    into the order line's unit; quantities and prices are then meaningless.
    """

    has_po: bool
    bill_qty: float = 0.0
    bill_price_unit: float = 0.0
    po_price_unit: float = 0.0
    received_qty: float = 0.0
    ordered_qty: float = 0.0
    billed_before: float = 0.0
    needs_receipt: bool = True
    uom_convertible: bool = True
    same_uom: bool = True


@dataclass
class LineResult:
    state: str
    reasons: list = field(default_factory=list)
    price_variance: float = 0.0
    qty_variance: float = 0.0
    allowed_price: float = 0.0
    allowed_qty: float = 0.0


def evaluate_line(values, tolerance):
    """Match one bill line; returns a :class:`LineResult`.

    * ``no_po``: the line bills no purchase order line;
    * ``uom_mismatch``: its unit cannot be converted into the order's unit
      (prices and quantities are then not compared);
    * ``already_billed``: other bills already billed the whole reference
      quantity (received, or ordered when the line needs no receipt) or the
      whole ordered quantity;
    * ``qty_over_received``: this bill brings the billed quantity above the
      reference by more than the quantity tolerance;
    * ``price_over_tolerance``: the unit price is above the order's by more
      than the price tolerance. A lower price is a favourable variance,
      stored but never an exception.

    Billing less than what is open is normal (partial bills): no variance.
    """
    if not values.has_po:
        return LineResult(LINE_EXCEPTION, [NO_PO])
    if not values.uom_convertible:
        return LineResult(LINE_EXCEPTION, [UOM_MISMATCH])

    reasons = []
    reference_qty = values.received_qty if values.needs_receipt else values.ordered_qty
    open_qty = reference_qty - values.billed_before
    allowed_qty = allowed_deviation(reference_qty, tolerance.qty_percent, tolerance.qty_amount)
    qty_variance = max(values.bill_qty - open_qty, 0.0)
    # Already billed: earlier bills took the whole ordered quantity. Billing more than
    # received while the rest of the order is still due is a quantity problem (hold).
    nothing_open = values.billed_before >= values.ordered_qty - EPSILON
    if values.bill_qty > EPSILON and values.billed_before > EPSILON and nothing_open:
        reasons.append(ALREADY_BILLED)
    elif qty_variance > allowed_qty + EPSILON:
        reasons.append(QTY_OVER_RECEIVED)

    price_variance = values.bill_price_unit - values.po_price_unit
    allowed_price = allowed_deviation(
        values.po_price_unit, tolerance.price_percent, tolerance.price_amount
    )
    if price_variance > allowed_price + EPSILON:
        reasons.append(PRICE_OVER_TOLERANCE)

    if reasons:
        state = LINE_EXCEPTION
    elif qty_variance > EPSILON or abs(price_variance) > EPSILON:
        state = LINE_WITHIN_TOLERANCE
    else:
        state = LINE_MATCHED
    return LineResult(
        state,
        reasons,
        price_variance=0.0 if abs(price_variance) <= EPSILON else price_variance,
        qty_variance=qty_variance if qty_variance > EPSILON else 0.0,
        allowed_price=allowed_price,
        allowed_qty=allowed_qty,
    )


def evaluate_bill(line_reasons, extra_reasons=(), hold_reasons=HOLD_REASONS):
    """Bill state from the reason codes of its lines and of extra checks.

    ``line_reasons`` is an iterable of reason lists (one per line);
    ``extra_reasons`` are codes from other modules' checks
    (``_bill_match_extra_holds``), which put the bill on hold. A reason not
    in ``hold_reasons`` and coming from a line is an exception.
    Returns ``ready``, ``hold`` or ``exception``.
    """
    codes = [code for reasons in line_reasons for code in reasons]
    if any(code not in hold_reasons for code in codes):
        return BILL_EXCEPTION
    if codes or list(extra_reasons):
        return BILL_HOLD
    return BILL_READY


def route_owner(reasons):
    """Who resolves the problem: ``receiver`` when every reason is about the
    received quantity, else ``buyer``."""
    reasons = set(reasons)
    if reasons and reasons <= RECEIVER_REASONS:
        return "receiver"
    return "buyer"
