"""Per-stage SLA arithmetic: working-hour deadlines, peak stretch, status, alerts.

Pure Python: the models hand in plain values (naive UTC datetimes, the work
intervals Odoo's ``resource.calendar`` computed for a window, the profile and
peak values); nothing here imports odoo.

Transitions, each named by the stage it reaches, timed from the previous one:
accepted -> verified, verified -> packed, packed -> shipped, shipped -> delivered.

A deadline is the moment ``target hours x stretch`` working hours after the
previous stage was reached; the stretch is that of the peak period active on
that day (the largest, if several overlap). The status of the open transition:

- ``breached`` once the deadline has passed;
- ``at_risk`` once ``AT_RISK_RATIO`` of the budget (in working time) has
  elapsed, i.e. after the "risk date" computed the same way;
- ``on_track`` before; ``none`` when no SLA applies.

An alert is keyed ``(stage, level)``: the same key is never alerted twice, a
higher level (at_risk -> breached) or another stage is a new alert.
"""

import bisect
import datetime
from dataclasses import dataclass, field

STAGES = ("accepted", "verified", "packed", "shipped", "delivered")
# Transition target -> its source stage.
TRANSITIONS = {
    "verified": "accepted",
    "packed": "verified",
    "shipped": "packed",
    "delivered": "shipped",
}
AT_RISK_RATIO = 0.8
LEVELS = {"at_risk": 1, "breached": 2}
NONE, ON_TRACK, AT_RISK, BREACHED = "none", "on_track", "at_risk", "breached"


class NotEnoughWorkTime(Exception):
    """The work intervals handed in end before the hours are used up: fetch a longer window."""


def _hours(delta):
    return delta.total_seconds() / 3600.0


def add_working_hours(start, hours, intervals):
    """The moment ``hours`` working hours after ``start``.

    :param start: naive datetime (UTC)
    :param hours: working hours to add, >= 0
    :param intervals: sorted, non-overlapping ``(begin, end)`` naive UTC datetimes
        of working time covering at least ``start`` to the answer
    :raise NotEnoughWorkTime: the intervals end before the hours are used up
    :raise ValueError: negative hours
    """
    if hours < 0:
        raise ValueError(f"hours must be >= 0, got {hours!r}")
    remaining = float(hours)
    # First interval ending after start.
    index = bisect.bisect_right([end for _begin, end in intervals], start)
    for begin, end in intervals[index:]:
        begin = max(begin, start)  # noqa: PLW2901
        available = _hours(end - begin)
        if remaining <= available:
            return begin + datetime.timedelta(hours=remaining)
        remaining -= available
    raise NotEnoughWorkTime(f"{remaining:.2f} working hours left after the last interval")


def working_hours_between(start, end, intervals):
    """Working hours in ``[start, end)`` (0 when ``end <= start``)."""
    total = 0.0
    for begin, stop in intervals:
        begin, stop = max(begin, start), min(stop, end)  # noqa: PLW2901
        if stop > begin:
            total += _hours(stop - begin)
    return total


@dataclass(frozen=True)
class Peak:
    """A peak period: inclusive local dates and a stretch factor per transition target."""

    date_from: datetime.date
    date_to: datetime.date
    stretch: dict = field(default_factory=dict)

    def active_on(self, day):
        return self.date_from <= day <= self.date_to


def stretch_factor(peaks, day, target):
    """The stretch of ``target`` on local ``day``: the largest of the active peaks, else 1."""
    factors = [peak.stretch.get(target) or 1.0 for peak in peaks if peak.active_on(day)]
    return max(factors, default=1.0)


def peak_cap(peaks_caps, day):
    """Smallest non-zero cap among ``(Peak, cap)`` active on ``day``; 0 when none."""
    caps = [cap for peak, cap in peaks_caps if cap and peak.active_on(day)]
    return min(caps, default=0)


def smallest_cap(*caps):
    """The smallest non-zero cap (0 means no cap)."""
    return min((c for c in caps if c), default=0)


def transition_start(dates, target):
    """When the transition to ``target`` started: the date its previous stage was
    reached, or None. A stage skipped (packing in a one-step delivery) has no
    start, so no deadline for the next one; the open transition, after the latest
    stage reached, always has one."""
    return dates.get(TRANSITIONS[target]) or None


def open_transition(dates):
    """The transition target not reached yet after the latest stage reached, or None
    (nothing reached, or delivered)."""
    latest = None
    for index, stage in enumerate(STAGES):
        if dates.get(stage):
            latest = index
    if latest is None or latest == len(STAGES) - 1:
        return None
    return STAGES[latest + 1]


def delivery_end(dates, carrier_tracked):
    """When the shipped -> delivered transition ended, or None while it runs.

    The carrier's delivery date when there is one; for an order no carrier
    tracks (pickup, own van) the shipping date, the delivery being the handover;
    otherwise the first later stage reached (``paid``, ``after_sales`` or
    ``closed`` in ``dates``): a paid or closed order is not waiting for a parcel.
    """
    if dates.get("delivered"):
        return dates["delivered"]
    if not dates.get("shipped"):
        return None
    if not carrier_tracked:
        return dates["shipped"]
    later = [dates[key] for key in ("paid", "after_sales", "closed") if dates.get(key)]
    return min(later, default=None)


def in_scope(state, has_channel, verify_manual_orders):
    """Whether an order in sale ``state`` has entered the pipeline and so has SLAs:
    confirmed orders; quotations only when a sales channel brought them or the
    company verifies manual orders; never cancelled ones."""
    if state == "cancel":
        return False
    if state in ("draft", "sent"):
        return bool(has_channel or verify_manual_orders)
    return True


@dataclass(frozen=True)
class Due:
    """Deadline and risk date of one transition."""

    target: str
    start: datetime.datetime
    budget_hours: float
    deadline: datetime.datetime
    risk_date: datetime.datetime


def due(target, start, target_hours, stretch, intervals, ratio=AT_RISK_RATIO):
    """The :class:`Due` of reaching ``target`` from ``start`` within
    ``target_hours x stretch`` working hours."""
    if target_hours <= 0:
        raise ValueError(f"target hours must be > 0, got {target_hours!r}")
    budget = target_hours * stretch
    return Due(
        target=target,
        start=start,
        budget_hours=budget,
        deadline=add_working_hours(start, budget, intervals),
        risk_date=add_working_hours(start, budget * ratio, intervals),
    )


def status(now, deadline, risk_date):
    """SLA status of an open transition at ``now``."""
    if not deadline:
        return NONE
    if now >= deadline:
        return BREACHED
    if risk_date and now >= risk_date:
        return AT_RISK
    return ON_TRACK


def alert_key(stage, level):
    return f"{stage}:{level}"


def needs_alert(alerted, stage, level):
    """Whether ``(stage, level)`` is a new alert after the last one ``alerted``
    (``"stage:level"`` or empty): the same stage at the same or a lower level is not."""
    if level not in LEVELS:
        return False
    if not alerted:
        return True
    last_stage, _sep, last_level = alerted.partition(":")
    if last_stage != stage:
        return True
    return LEVELS[level] > LEVELS.get(last_level, 0)


@dataclass(frozen=True)
class ProfileRule:
    """What profile matching needs of an ``o2c.sla.profile``."""

    profile_id: int
    sequence: int = 10
    channel_ids: frozenset = frozenset()
    tag_ids: frozenset = frozenset()

    @property
    def specificity(self):
        return bool(self.channel_ids) + bool(self.tag_ids)

    def matches(self, channel_id, tag_ids):
        if self.channel_ids and channel_id not in self.channel_ids:
            return False
        return not (self.tag_ids and not self.tag_ids & set(tag_ids))


def match_profile(rules, channel_id, tag_ids):
    """The profile id for an order of ``channel_id`` whose customer has ``tag_ids``:
    the matching profile giving both channel and tag first, then one of them, then
    generic ones; by sequence within each; None when none matches."""
    matching = [rule for rule in rules if rule.matches(channel_id, tag_ids)]
    if not matching:
        return None
    best = min(matching, key=lambda r: (-r.specificity, r.sequence, r.profile_id))
    return best.profile_id


def pick_zone_hours(lines, state_id):
    """Target hours among ``(state_ids, hours)`` lines of one transition: the line
    naming the delivery province first, else the line without provinces, else None."""
    default = None
    for state_ids, hours in lines:
        if state_ids and state_id in state_ids:
            return hours
        if not state_ids and default is None:
            default = hours
    return default
