"""Stage derivation of an order from the states of its real documents.

Pure Python: the model hands in plain values read from sale.order,
stock.picking and account.move; nothing here imports odoo.

A stage is reached only when every earlier stage is reached too, so the
stage of an order is the furthest point of an unbroken run: an order paid
in advance but not shipped stays before "shipped".
"""

from dataclasses import dataclass, field

ACCEPTED = 1
VERIFIED = 2
PACKED = 3
SHIPPED = 4
PAID = 5
AFTER_SALES = 6
CLOSED = 7

STAGES = (
    (ACCEPTED, "accepted"),
    (VERIFIED, "verified"),
    (PACKED, "packed"),
    (SHIPPED, "shipped"),
    (PAID, "paid"),
    (AFTER_SALES, "after_sales"),
    (CLOSED, "closed"),
)
STAGE_KEYS = dict(STAGES)
STAGE_NUMBERS = {key: number for number, key in STAGES}

PAID_STATES = ("paid", "in_payment", "reversed")


@dataclass(frozen=True)
class Picking:
    """What the stage rules need of one stock.picking."""

    state: str
    to_customer: bool = False
    from_customer: bool = False
    picked: bool = False


@dataclass(frozen=True)
class Invoice:
    """What the stage rules need of one account.move."""

    move_type: str
    state: str
    payment_state: str = "not_paid"


@dataclass
class OrderFacts:
    """Plain facts about one sale order."""

    state: str
    invoice_status: str = "no"
    locked: bool = False
    after_sales_window_over: bool = False
    pickings: list = field(default_factory=list)
    invoices: list = field(default_factory=list)
    has_complaint: bool = False
    # A return request of the order is open (draft, approved or received).
    open_returns: bool = False
    # A return request or complaint was handled: the order went through
    # after-sales even when no return picking or credit note shows it.
    had_after_sales: bool = False


def _live(pickings):
    return [p for p in pickings if p.state != "cancel"]


def is_verified(facts):
    return facts.state == "sale"


def _outbound(facts):
    """Live transfers that move the goods towards the customer: the
    delivery itself and the pick/pack steps before it (returns excluded)."""
    return [p for p in _live(facts.pickings) if not p.from_customer]


def is_packed(facts):
    """Goods are ready to leave: the pick (and pack) transfers of a
    multi-step route are done, or, with one-step delivery, the delivery is
    reserved and marked picked. Anything already delivered was packed. An
    order with nothing to ship is packed as soon as it is confirmed."""
    outbound = _outbound(facts)
    deliveries = [p for p in outbound if p.to_customer]
    preparations = [p for p in outbound if not p.to_customer]
    if not outbound or any(p.state == "done" for p in deliveries):
        return True
    if preparations:
        return all(p.state == "done" for p in preparations)
    return all(p.state == "assigned" and p.picked for p in deliveries)


def is_shipped(facts):
    """Every outbound transfer is done and at least one reached the customer
    (in multi-step routes the delivery is created once the pick is done)."""
    outbound = _outbound(facts)
    if not outbound:
        return True
    deliveries = [p for p in outbound if p.to_customer]
    return bool(deliveries) and all(p.state == "done" for p in outbound)


def is_paid(facts):
    invoices = [i for i in facts.invoices if i.move_type == "out_invoice" and i.state == "posted"]
    if facts.invoice_status != "invoiced" or not invoices:
        return False
    return all(i.payment_state in PAID_STATES for i in invoices)


def has_after_sales(facts):
    if facts.has_complaint or facts.open_returns or facts.had_after_sales:
        return True
    if any(p.from_customer for p in _live(facts.pickings)):
        return True
    return any(i.move_type == "out_refund" and i.state == "posted" for i in facts.invoices)


def after_sales_open(facts):
    returns = [p for p in _live(facts.pickings) if p.from_customer]
    return any(p.state != "done" for p in returns) or facts.has_complaint or facts.open_returns


def derive_stage(facts):
    """Return the stage number (1..7) the documents prove."""
    if not is_verified(facts):
        return ACCEPTED
    if not is_packed(facts):
        return VERIFIED
    if not is_shipped(facts):
        return PACKED
    after_sales = has_after_sales(facts)
    paid = is_paid(facts)
    if not paid and not after_sales:
        return SHIPPED
    if after_sales and after_sales_open(facts):
        return AFTER_SALES
    if paid and (facts.locked or facts.after_sales_window_over):
        return CLOSED
    return AFTER_SALES if after_sales else PAID


def reached_stages(facts, stage):
    """Stage numbers the order has passed on its way to ``stage``.

    Paid and after-sales can be passed over: an order returned before it is
    paid sits in after-sales without ever having been paid, and a paid order
    can close without any after-sales.
    """
    reached = []
    for number, _key in STAGES:
        if number > stage:
            break
        if number == PAID and not is_paid(facts):
            continue
        if number == AFTER_SALES and not has_after_sales(facts):
            continue
        reached.append(number)
    return reached
