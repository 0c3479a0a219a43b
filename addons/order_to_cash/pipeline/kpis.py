"""Stage 7 KPIs from plain per-order facts (no Odoo import).

The model fetches one :class:`OrderFacts` per order with SQL (stored stage timestamps and
documents, never the chatter) and calls :func:`compute` once per group and once for the
total. Every rule a KPI depends on is here, so that it is tested without a database.

Definitions (times are POSIX seconds, durations are reported in hours):

- Population: the orders accepted (``o2c_date_accepted``) in the period, any state; the
  model cuts the days (period bounds, group by day/week/month) in the time zone of each
  order's company (its partner's tz, else the user's, else UTC).
  "Confirmed" orders are those in state ``sale``; cancelled orders only count for the
  cancellation rate.
- Cycle time of a transition a -> b: ``b - a`` for the orders having both timestamps with
  ``b >= a`` (an order paid before it was delivered has no delivered -> paid time, it is
  not a negative one). Order to cash is accepted -> paid. Median and p90 by linear
  interpolation between closest ranks (numpy's default, PostgreSQL ``percentile_cont``,
  Excel ``PERCENTILE.INC``): with the n sorted values x[0..n-1], the p-th percentile is
  x[h] interpolated at h = (n - 1) * p.
- Delivered at: the carrier's delivery (``o2c_date_delivered``); for an order without any
  carrier shipment (own fleet, pick-up) the shipping of its delivery order is its delivery.
- Due date of the delivery, by the on-time rule: ``promised`` = the commitment date, else
  the expected date Odoo shows (order date + customer lead time of the goods lines,
  smallest with "as soon as possible", largest with "when all products are ready");
  ``sla`` = the SLA deadline of the delivered stage (``o2c_sla_due_delivered``).
- Measured for OTIF / perfect order: confirmed orders with a due date that are delivered,
  or whose due date has passed at ``now`` (an undelivered order past due is late).
  On time: delivered at or before the due date (to the second).
- In full: the order shipped, has goods lines, and every goods line had at least its
  ordered quantity in its first delivery (done delivery orders to the customer that are
  not backorders); what came later in a backorder does not make it in full.
- Perfect order: measured, on time, in full, no return (any reason, on a return that was
  not refused or cancelled) and no parcel lost or damaged, and a correct invoice (fully
  invoiced, no posted credit note, no billing complaint). Orders meeting all are counted;
  this is not the product of the separate rates.
- Fill rate over the shipped (not cancelled) orders: lines = goods lines complete in
  their first delivery / goods lines; units = sum over lines of min(first-delivery
  quantity, ordered) / ordered quantity.
- SLA compliance of stage X (verified, packed, shipped, delivered) over not cancelled
  orders with a due date for X that reached X or whose due date passed: met when
  ``o2c_date_X <= o2c_sla_due_X``; the delivered stage is reached at "delivered at"
  above (own fleet: the shipping), the same date OTIF by SLA uses.
- Cancellation rate: cancelled / all orders. Return rate (overall and by reason): orders
  with a return line / shipped orders (a lost parcel is no return: it only makes the order
  not perfect). Complaint rate: confirmed orders with a (not
  cancelled) complaint / confirmed orders. Rating: average of the given ratings (1..5) of
  the not cancelled orders.
- COD outstanding: cash on delivery of the period's orders that carriers delivered and
  have not remitted yet (what the "COD held by carriers" report shows).
"""

from typing import NamedTuple

HOUR = 3600.0

CYCLE_TRANSITIONS = (
    ("accepted_verified", "accepted", "verified"),
    ("verified_packed", "verified", "packed"),
    ("packed_shipped", "packed", "shipped"),
    ("shipped_delivered", "shipped", "delivered"),
    ("order_to_cash", "accepted", "paid"),
)
SLA_STAGES = ("verified", "packed", "shipped", "delivered")
RETURN_REASONS = ("damaged", "wrong_item", "not_as_described", "changed_mind", "failed_delivery")
ON_TIME_RULES = ("promised", "sla")
PERCENTILE_METHOD = (
    "linear interpolation between closest ranks (numpy default, PostgreSQL "
    "percentile_cont, Excel PERCENTILE.INC): h = (n - 1) * p"
)


class KpiError(ValueError):
    """A parameter of the KPI computation is not valid."""


class OrderFacts(NamedTuple):
    """What the KPIs need to know of one order (timestamps in POSIX seconds or None)."""

    state: str = "sale"
    accepted: float | None = None
    verified: float | None = None
    packed: float | None = None
    shipped: float | None = None
    delivered: float | None = None
    paid: float | None = None
    promised: float | None = None
    due_verified: float | None = None
    due_packed: float | None = None
    due_shipped: float | None = None
    due_delivered: float | None = None
    has_shipment: bool = False
    goods_lines: int = 0
    lines_in_full: int = 0
    units_ordered: float = 0.0
    units_filled: float = 0.0
    fully_invoiced: bool = False
    credit_notes: int = 0
    return_reasons: tuple = ()
    damaged: bool = False
    complaints: int = 0
    billing_complaint: bool = False
    rating: int = 0
    cod_outstanding: float = 0.0
    cod_shipments: int = 0


def percentile(values, p):
    """The ``p`` (0..1) percentile of ``values`` by linear interpolation between closest
    ranks; None for no values. ``values`` must be sorted."""
    if not values:
        return None
    if not 0 <= p <= 1:
        raise KpiError(f"percentile must be between 0 and 1, not {p!r}")
    h = (len(values) - 1) * p
    low = int(h)
    if low + 1 >= len(values):
        return float(values[-1])
    return values[low] + (h - low) * (values[low + 1] - values[low])


def ratio(part, whole):
    return part / whole if whole else None


def delivered_at(order):
    """When the customer got the order (see the module docstring), or None."""
    if order.delivered is not None:
        return order.delivered
    if not order.has_shipment:
        return order.shipped
    return None


def in_full(order):
    return bool(
        order.shipped is not None and order.goods_lines and order.lines_in_full >= order.goods_lines
    )


def due_date(order, rule):
    if rule == "sla":
        return order.due_delivered
    return order.promised


def otif_status(order, rule, now):
    """``None`` when the order is not measured, else ``(on_time, in_full)``."""
    if order.state != "sale":
        return None
    due = due_date(order, rule)
    if due is None:
        return None
    delivered = delivered_at(order)
    if delivered is None and due >= now:
        return None
    return (delivered is not None and delivered <= due, in_full(order))


def returned(order):
    """A return line (any reason) on a return not refused or cancelled; a lost parcel is
    no return (it only spoils the perfect order)."""
    return bool(order.return_reasons)


def correct_invoice(order):
    return order.fully_invoiced and not order.credit_notes and not order.billing_complaint


def is_perfect(order, rule, now):
    status = otif_status(order, rule, now)
    return bool(
        status
        and status[0]
        and status[1]
        and not returned(order)
        and not order.damaged
        and correct_invoice(order)
    )


def check_rule(rule):
    if rule not in ON_TIME_RULES:
        raise KpiError(f"on_time_rule must be one of {', '.join(ON_TIME_RULES)}, not {rule!r}")
    return rule


class _Tally:
    """Counters of one group of orders, filled order by order."""

    def __init__(self, now, rule):
        self.now = now
        self.rule = rule
        self.durations = {key: [] for key, _a, _b in CYCLE_TRANSITIONS}
        self.sla = {stage: [0, 0] for stage in SLA_STAGES}
        self.reasons = dict.fromkeys(RETURN_REASONS, 0)
        self.count = self.cancelled = self.confirmed = 0
        self.measured = self.on_time = self.in_full = self.otif = self.perfect = 0
        self.shipped = self.lines = self.lines_filled = 0
        self.units = self.units_filled = 0.0
        self.returned = self.complained = self.complaints = 0
        self.rated = self.rating_sum = 0
        self.cod_amount = 0.0
        self.cod_shipments = 0

    def add(self, order):
        self.count += 1
        if order.state == "cancel":
            self.cancelled += 1
            return
        if order.rating > 0:
            self.rated += 1
            self.rating_sum += order.rating
        self._add_times(order)
        self.cod_amount += order.cod_outstanding
        self.cod_shipments += order.cod_shipments
        if order.shipped is not None:
            self._add_shipped(order)
        if order.state == "sale":
            self._add_confirmed(order)

    def _add_times(self, order):
        for key, start, end in CYCLE_TRANSITIONS:
            a, b = getattr(order, start), getattr(order, end)
            if a is not None and b is not None and b >= a:
                self.durations[key].append((b - a) / HOUR)
        for stage in SLA_STAGES:
            due = getattr(order, "due_" + stage)
            if due is None:
                continue
            # the delivered stage is reached when the customer got the order (own fleet:
            # when it shipped), as for OTIF by SLA
            reached = delivered_at(order) if stage == "delivered" else getattr(order, stage)
            if reached is None and due >= self.now:
                continue
            counts = self.sla[stage]
            counts[0] += 1
            counts[1] += reached is not None and reached <= due

    def _add_shipped(self, order):
        self.shipped += 1
        self.lines += order.goods_lines
        self.lines_filled += min(order.lines_in_full, order.goods_lines)
        self.units += order.units_ordered
        self.units_filled += order.units_filled
        self.returned += returned(order)
        for reason in set(order.return_reasons):
            if reason in self.reasons:
                self.reasons[reason] += 1

    def _add_confirmed(self, order):
        self.confirmed += 1
        if order.complaints:
            self.complained += 1
            self.complaints += order.complaints
        status = otif_status(order, self.rule, self.now)
        if status is None:
            return
        on_time, full = status
        self.measured += 1
        self.on_time += on_time
        self.in_full += full
        self.otif += on_time and full
        self.perfect += (
            on_time
            and full
            and not returned(order)
            and not order.damaged
            and correct_invoice(order)
        )

    def cycle_times(self):
        cycle = {}
        for key, values in self.durations.items():
            values.sort()
            cycle[key] = {
                "count": len(values),
                "median": percentile(values, 0.5),
                "p90": percentile(values, 0.9),
            }
        return cycle

    def result(self):
        return {
            "orders": self.count,
            "confirmed_orders": self.confirmed,
            "cycle_time_hours": self.cycle_times(),
            "sla_compliance": {
                stage: {"measured": measured, "met": met, "rate": ratio(met, measured)}
                for stage, (measured, met) in self.sla.items()
            },
            "otif": {
                "on_time_rule": self.rule,
                "measured": self.measured,
                "on_time": self.on_time,
                "in_full": self.in_full,
                "otif": self.otif,
                "rate": ratio(self.otif, self.measured),
                "on_time_rate": ratio(self.on_time, self.measured),
                "in_full_rate": ratio(self.in_full, self.measured),
            },
            "perfect_order": {
                "measured": self.measured,
                "perfect": self.perfect,
                "rate": ratio(self.perfect, self.measured),
            },
            "fill_rate": {
                "shipped_orders": self.shipped,
                "lines": self.lines,
                "lines_filled": self.lines_filled,
                "lines_rate": ratio(self.lines_filled, self.lines),
                "units": self.units,
                "units_filled": self.units_filled,
                "units_rate": ratio(self.units_filled, self.units),
            },
            "cancellation": {
                "orders": self.count,
                "cancelled": self.cancelled,
                "rate": ratio(self.cancelled, self.count),
            },
            "returns": {
                "shipped_orders": self.shipped,
                "returned_orders": self.returned,
                "rate": ratio(self.returned, self.shipped),
                "by_reason": {
                    reason: {"orders": n, "rate": ratio(n, self.shipped)}
                    for reason, n in self.reasons.items()
                },
            },
            "complaints": {
                "confirmed_orders": self.confirmed,
                "orders_with_complaint": self.complained,
                "complaints": self.complaints,
                "rate": ratio(self.complained, self.confirmed),
            },
            "rating": {"rated": self.rated, "average": ratio(self.rating_sum, self.rated)},
            "cod_outstanding": {"amount": self.cod_amount, "shipments": self.cod_shipments},
        }


def compute(orders, now, rule="promised"):
    """Every KPI of ``orders`` (an iterable of :class:`OrderFacts`) as plain JSON-able
    values, evaluated at ``now`` (POSIX seconds). Rates are fractions (0..1), None when
    nothing is measured."""
    tally = _Tally(now, check_rule(rule))
    for order in orders:
        tally.add(order)
    return tally.result()


def compute_grouped(keyed_orders, now, rule="promised"):
    """``({key: kpis}, total_kpis)`` for ``(key, OrderFacts)`` pairs; the total is
    computed from all the orders (medians do not add up)."""
    check_rule(rule)
    tallies = {}
    total = _Tally(now, rule)
    for key, order in keyed_orders:
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = _Tally(now, rule)
        tally.add(order)
        total.add(order)
    return {key: tally.result() for key, tally in tallies.items()}, total.result()


# Each KPI a snapshot stores: (snapshot field, its path in the result of :func:`compute`).
# A path ending in a rate (a fraction, 0..1) is stored as a percentage.
SNAPSHOT_FIELDS = [
    ("order_count", "orders"),
    ("cancelled_count", "cancellation.cancelled"),
    ("cancellation_rate", "cancellation.rate"),
    ("otif_rate", "otif.rate"),
    ("on_time_rate", "otif.on_time_rate"),
    ("in_full_rate", "otif.in_full_rate"),
    ("perfect_order_rate", "perfect_order.rate"),
    ("fill_rate_lines", "fill_rate.lines_rate"),
    ("fill_rate_units", "fill_rate.units_rate"),
    ("return_rate", "returns.rate"),
    ("complaint_rate", "complaints.rate"),
    ("rating_avg", "rating.average"),
    ("cod_outstanding", "cod_outstanding.amount"),
    ("sla_verified_rate", "sla_compliance.verified.rate"),
    ("sla_packed_rate", "sla_compliance.packed.rate"),
    ("sla_shipped_rate", "sla_compliance.shipped.rate"),
    ("sla_delivered_rate", "sla_compliance.delivered.rate"),
    ("cycle_verify", "cycle_time_hours.accepted_verified.median"),
    ("cycle_verify_p90", "cycle_time_hours.accepted_verified.p90"),
    ("cycle_pack", "cycle_time_hours.verified_packed.median"),
    ("cycle_pack_p90", "cycle_time_hours.verified_packed.p90"),
    ("cycle_ship", "cycle_time_hours.packed_shipped.median"),
    ("cycle_ship_p90", "cycle_time_hours.packed_shipped.p90"),
    ("cycle_deliver", "cycle_time_hours.shipped_delivered.median"),
    ("cycle_deliver_p90", "cycle_time_hours.shipped_delivered.p90"),
    ("cycle_o2c", "cycle_time_hours.order_to_cash.median"),
    ("cycle_o2c_p90", "cycle_time_hours.order_to_cash.p90"),
]


def percent(rate):
    """A rate (0..1) as a percentage with 2 decimals; None (nothing measured) stays."""
    return None if rate is None else round(rate * 100.0, 2)


def snapshot_values(kpi):
    """``{snapshot field: value}`` of one result of :func:`compute`, as
    ``SNAPSHOT_FIELDS`` says."""
    values = {}
    for field_name, path in SNAPSHOT_FIELDS:
        value = kpi
        for key in path.split("."):
            value = value[key]
        values[field_name] = percent(value) if path.endswith("rate") else value
    return values
