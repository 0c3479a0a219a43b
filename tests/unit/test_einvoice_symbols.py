"""Invoice symbols without Odoo: the year in KHHDon, the year check and the December
reminder to create next year's symbol."""

import datetime

import pytest
from einvoice_tools import symbols


@pytest.mark.parametrize(
    ("symbol", "year"),
    [("C26TAA", 2026), ("K27DBN", 2027), ("C2026TA", None), ("X26TAA", None), ("", None)],
)
def test_year_of_a_symbol(symbol, year):
    assert symbols.year(symbol) == year


def test_next_year_symbol_keeps_the_rest():
    assert symbols.next_year_symbol("C26TAA") == "C27TAA"
    assert symbols.next_year_symbol("K99MBN") == "K00MBN"


def test_invoice_date_must_be_in_the_symbols_year():
    assert not symbols.year_mismatch("C26TAA", datetime.date(2026, 12, 31))
    assert symbols.year_mismatch("C26TAA", datetime.date(2027, 1, 1))
    assert symbols.year_mismatch("C26TAA", datetime.date(2025, 12, 31))


def test_december_reminder_until_next_years_symbol_exists():
    december = datetime.date(2026, 12, 1)
    assert not symbols.needs_next_year("C26TAA", datetime.date(2026, 11, 30), [])
    assert symbols.needs_next_year("C26TAA", december, [])
    assert symbols.needs_next_year("C26TAA", december, ["C26TBB"])
    assert not symbols.needs_next_year("C26TAA", december, ["C27TBB"])
    # Last year's symbol, still listed in December: nothing to create for it.
    assert not symbols.needs_next_year("C25TAA", december, [])
