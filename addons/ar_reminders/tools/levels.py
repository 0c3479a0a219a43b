"""Which reminder level is due for an open invoice.

Levels are offsets in days relative to the due date (-3 is a friendly notice three days
before, +7 a week after). An invoice gets the highest level whose offset is reached and that
it has not received yet; lower levels it missed are not sent any more (a customer does not
get three letters on the same day).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    id: int
    offset: int


def due_level(levels, due_date, today, sent_level_ids=()):
    """The level to send now, or None."""
    days = (today - due_date).days
    reached = [level for level in levels if level.offset <= days]
    if not reached:
        return None
    best = max(reached, key=lambda level: (level.offset, level.id))
    sent = set(sent_level_ids)
    if best.id in sent:
        return None
    # A higher level already sent (e.g. offsets were edited) also means nothing to send.
    if any(level.id in sent and level.offset > best.offset for level in levels):
        return None
    return best


def paused(today, promise_date=None, promise_broken=False, disputed=False, opted_out=False):
    """Whether reminders are held back for this invoice, and why (None when not)."""
    if opted_out:
        return "opted_out"
    if disputed:
        return "disputed"
    if promise_date and not promise_broken and today <= promise_date:
        return "promise"
    return None
