"""After-sales rules (stage 6) computed from plain values: return quantities,
the split of a return over the deliveries, refund quantities, complaint
resolution time and customer ratings.

Pure Python: the models hand in numbers, ids and dates; nothing here
imports odoo.
"""

from dataclasses import dataclass

REASONS = ("damaged", "wrong_item", "not_as_described", "changed_mind", "failed_delivery")
INSPECTIONS = ("restock", "scrap", "repair")
RESOLUTIONS = ("refund", "replacement")

# A return request or complaint in one of these states keeps its order in stage 6.
RETURN_OPEN_STATES = ("draft", "approved", "received")
RETURN_LIVE_STATES = ("draft", "approved", "received", "done")
COMPLAINT_OPEN_STATES = ("open",)

# action -> (states it starts from, state it leads to)
RETURN_TRANSITIONS = {
    "approve": (("draft",), "approved"),
    "refuse": (("draft",), "refused"),
    "receive": (("approved",), "received"),
    "done": (("received",), "done"),
    "cancel": (("draft", "approved"), "cancel"),
    "draft": (("refused", "cancel"), "draft"),
}

RATING_MIN = 1
RATING_MAX = 5


class TransitionError(ValueError):
    """A return request cannot take this step from its current state."""

    def __init__(self, action, state):
        super().__init__(f"{action} from {state}")
        self.action = action
        self.state = state


def next_state(state, action):
    """The state a return request reaches by ``action`` from ``state``."""
    sources, target = RETURN_TRANSITIONS[action]
    if state not in sources:
        raise TransitionError(action, state)
    return target


def is_return_open(state):
    return state in RETURN_OPEN_STATES


def is_complaint_open(state):
    return state in COMPLAINT_OPEN_STATES


@dataclass(frozen=True)
class Requested:
    """One sale line asked back by a request, with what is known about it.

    ``delivered``: quantity that reached the customer (done deliveries);
    ``returned_elsewhere``: quantity already on other live requests or sent
    back outside any request; all in the sale line's unit.
    """

    key: object
    quantity: float
    delivered: float
    returned_elsewhere: float = 0.0


@dataclass(frozen=True)
class OverReturn:
    key: object
    requested: float
    returnable: float
    delivered: float
    returned_elsewhere: float


def returnable(delivered, returned_elsewhere):
    """What may still be asked back: never below zero."""
    return max(0.0, delivered - returned_elsewhere)


def over_returns(lines, precision=1e-6):
    """The sale lines asked back for more than can be returned.

    Lines of one request for the same sale line add up, so splitting an
    over-return into two lines does not pass.
    """
    totals = {}
    facts = {}
    for line in lines:
        totals[line.key] = totals.get(line.key, 0.0) + line.quantity
        facts.setdefault(line.key, line)
    problems = []
    for key, requested in totals.items():
        line = facts[key]
        allowed = returnable(line.delivered, line.returned_elsewhere)
        if requested > allowed + precision:
            problems.append(
                OverReturn(key, requested, allowed, line.delivered, line.returned_elsewhere)
            )
    return problems


def allocate(quantity, moves, precision=1e-6):
    """Split ``quantity`` over delivered moves, oldest first.

    :param moves: ``(move_id, available)`` pairs in delivery order, where
        ``available`` is what is left to return of that move.
    :return: ``[(move_id, quantity)]``; raises ``ValueError`` when the moves
        cannot hold the whole quantity.
    """
    left = quantity
    plan = []
    for move_id, available in moves:
        if left <= precision:
            break
        take = min(left, available)
        if take > precision:
            plan.append((move_id, take))
            left -= take
    if left > precision:
        raise ValueError(f"{left} left to allocate")
    return plan


def refund_quantity(returned, invoiced, delivered):
    """What a credit note gives back for a returned quantity: the part of it
    that was invoiced and is no longer delivered (a return that was never
    invoiced needs no credit note; the order simply invoices less)."""
    return max(0.0, min(returned, invoiced - delivered))


def resolve_hours(date_open, date_resolved):
    """Hours from opening to resolution, to the hundredth; ``0.0`` while open."""
    if not date_open or not date_resolved:
        return 0.0
    return round(max(0.0, (date_resolved - date_open).total_seconds()) / 3600.0, 2)


def parse_rating(value):
    """A customer rating as an int 1..5; raises ``ValueError`` otherwise.

    Accepts ints and their text ("4", " 4 "); refuses booleans, floats with a
    fraction, and anything outside 1..5.
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            raise ValueError(value)
        value = int(text)
    if not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
        raise ValueError(value)
    return value
