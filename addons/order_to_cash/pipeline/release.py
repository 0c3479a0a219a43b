"""Release of verified orders to the warehouse, and the packing check.

Pure Python: the models hand in plain values read from stock.picking,
sale.order and stock.move; nothing here imports odoo.

Release order (first released first):

1. channel release priority, higher first (``o2c.channel.release_priority``);
2. promised day, earliest first; orders without one come after those with one
   (the day, not the hour: within a day, VIP customers and age decide);
3. VIP customers before the others;
4. oldest order first (order date), then the lowest picking id, so the order
   is total and the same input always gives the same waves.

Waves are filled in that order, next-fit: a picking that would break a cap
closes the current wave and opens the next one, so a later (less urgent)
picking never jumps ahead of an earlier one to fill a gap. A picking with
more lines than the line cap cannot be split: it goes alone in a wave.
"""

import datetime
from dataclasses import dataclass

# Sort after every real date.
_NO_DATE = datetime.datetime.max
_NO_DAY = datetime.date.max


@dataclass(frozen=True)
class Candidate:
    """What the release needs of one ready delivery picking."""

    picking_id: int
    lines: int = 1
    channel_priority: int = 0
    promised: datetime.datetime | None = None
    vip: bool = False
    ordered: datetime.datetime | None = None


@dataclass(frozen=True)
class Caps:
    """Caps of one release run; 0 means no cap."""

    max_orders: int = 0
    max_lines: int = 0
    max_waves: int = 0

    def __post_init__(self):
        for name in ("max_orders", "max_lines", "max_waves"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")


def priority_key(candidate):
    """Sort key of a candidate: smaller is released first."""
    return (
        -candidate.channel_priority,
        candidate.promised.date() if candidate.promised else _NO_DAY,
        not candidate.vip,
        candidate.ordered or _NO_DATE,
        candidate.picking_id,
    )


def order_candidates(candidates):
    """The candidates in release order."""
    return sorted(candidates, key=priority_key)


def build_waves(candidates, caps):
    """Group the candidates into waves under ``caps``, most urgent first.

    :param candidates: iterable of :class:`Candidate`, in any order
    :param caps: :class:`Caps`
    :return: a list of waves, each a list of picking ids in release order;
        candidates beyond ``caps.max_waves`` waves are left for a later run
    """
    waves = []
    current, lines = [], 0
    for candidate in order_candidates(candidates):
        too_many_orders = caps.max_orders and len(current) >= caps.max_orders
        too_many_lines = caps.max_lines and current and lines + candidate.lines > caps.max_lines
        if current and (too_many_orders or too_many_lines):
            waves.append(current)
            current, lines = [], 0
            if caps.max_waves and len(waves) >= caps.max_waves:
                return waves
        current.append(candidate.picking_id)
        lines += candidate.lines
    if current:
        waves.append(current)
    return waves


# ----------------------------------------------------------------------
# Packing check
# ----------------------------------------------------------------------

WRONG = "wrong"
MISSING = "missing"
EXTRA = "extra"


@dataclass(frozen=True)
class Mismatch:
    """One difference between what was ordered and what was picked."""

    kind: str  # WRONG, MISSING or EXTRA
    product: object  # whatever key the caller uses (id, name)
    ordered: float
    picked: float


def check_packing(ordered, picked, short_allowed=False, precision=1e-6):
    """Compare picked quantities with ordered ones, per product.

    :param ordered: mapping product -> quantity ordered on this delivery
    :param picked: mapping product -> quantity picked (scanned) for it
    :param short_allowed: a quantity below the ordered one is a short pick that
        goes to a backorder, not a missing item
    :return: the list of :class:`Mismatch`, sorted by product key order of
        ``ordered`` then ``picked``; empty when the parcel matches the order
    """
    mismatches = []
    for product, quantity in ordered.items():
        got = picked.get(product, 0.0)
        if got - quantity > precision:
            mismatches.append(Mismatch(EXTRA, product, quantity, got))
        elif quantity - got > precision and not short_allowed:
            mismatches.append(Mismatch(MISSING, product, quantity, got))
    for product, got in picked.items():
        if product not in ordered and got > precision:
            mismatches.append(Mismatch(WRONG, product, 0.0, got))
    return mismatches
