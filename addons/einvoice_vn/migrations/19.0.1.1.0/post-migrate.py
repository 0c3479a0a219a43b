"""Numbering moved from the journal to the symbol (einvoice.vn.symbol).

A database that ran the journal counter still has the journal's old columns
(einvoice_vn_template, einvoice_vn_symbol, einvoice_vn_next_number): make one symbol per
distinct (company, template, symbol), whose counter continues after the highest number
any of its journals had reached, and point the journals to it.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)
OLD_COLUMNS = ("einvoice_vn_template", "einvoice_vn_symbol", "einvoice_vn_next_number")


def migrate(cr, version):
    if not all(column_exists(cr, "account_journal", column) for column in OLD_COLUMNS):
        return
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    cr.execute(
        SQL(
            """
            SELECT company_id, einvoice_vn_template, einvoice_vn_symbol,
                   MAX(COALESCE(einvoice_vn_next_number, 1)), ARRAY_AGG(id)
              FROM account_journal
             WHERE einvoice_vn_symbol IS NOT NULL AND einvoice_vn_symbol != ''
               AND einvoice_vn_symbol_id IS NULL
          GROUP BY company_id, einvoice_vn_template, einvoice_vn_symbol
            """
        )
    )
    Symbol = env["einvoice.vn.symbol"]
    for company_id, old_template, name, old_next, journal_ids in cr.fetchall():
        template = old_template or "1"
        symbol = Symbol.search(
            [("company_id", "=", company_id), ("template", "=", template), ("name", "=", name)],
            limit=1,
        )
        if not symbol:
            symbol = Symbol.create({"company_id": company_id, "template": template, "name": name})
        # Never below a number already issued under this symbol (whichever journal).
        next_number = max(old_next, symbol.next_number, symbol._highest_issued_number() + 1)
        symbol.next_number = next_number
        env["account.journal"].browse(journal_ids).write({"einvoice_vn_symbol_id": symbol.id})
        _logger.info(
            "E-invoice symbol %s%s of company %s: next number %s, journals %s",
            template,
            name,
            company_id,
            next_number,
            journal_ids,
        )
