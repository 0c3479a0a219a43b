"""Invoice symbols (KHHDon) and their year. No odoo import.

A symbol like ``C26TAA`` is: C (with authority code) or K (without), the two last digits of
the year of issue (= the year of NLap), the type letter (T, D, L, M, N, B, G, H) and two
letters the seller chooses. A symbol is valid for one calendar year only: on 1 January the
seller issues under the new year's symbol, whose numbers start again at 1.
"""

import re

SYMBOL = re.compile(r"^[CK]\d{2}[TDLMNBGH][A-Z]{2}$")
TEMPLATES = ("1", "2", "3", "4", "5", "6")
# Month from which the seller is reminded to create next year's symbol.
WARNING_MONTH = 12


def is_valid(symbol):
    return bool(SYMBOL.match(symbol or ""))


def year(symbol):
    """The year of issue a valid symbol is for (``C26TAA`` -> 2026), else None."""
    if not is_valid(symbol):
        return None
    return 2000 + int(symbol[1:3])


def next_year_symbol(symbol):
    """The same symbol for the following year (``C26TAA`` -> ``C27TAA``)."""
    current = year(symbol)
    if current is None:
        return None
    return f"{symbol[0]}{(current + 1) % 100:02d}{symbol[3:]}"


def year_mismatch(symbol, invoice_date):
    """True when an invoice dated ``invoice_date`` cannot be issued under ``symbol``."""
    return year(symbol) != invoice_date.year


def needs_next_year(symbol, today, existing):
    """True when it is December of the symbol's year and no symbol of next year exists
    among ``existing`` (the names of the company's symbols of the same template): invoices
    of 1 January would have no symbol to be issued under."""
    current = year(symbol)
    if current is None or today.month < WARNING_MONTH or today.year != current:
        return False
    return not any(year(other) == current + 1 for other in existing)
