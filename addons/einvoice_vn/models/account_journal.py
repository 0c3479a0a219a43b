import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

SYMBOL = re.compile(r"^[CK]\d{2}[TDLMNBGH][A-Z]{2}$")
TEMPLATES = [
    ("1", "1 - VAT invoice"),
    ("2", "2 - Sales invoice"),
    ("3", "3 - Public asset sales invoice"),
    ("4", "4 - National reserve sales invoice"),
    ("5", "5 - Stamps, tickets, cards"),
    ("6", "6 - Delivery notes"),
]
TITLES = {"1": "Hóa đơn giá trị gia tăng", "2": "Hóa đơn bán hàng"}


class AccountJournal(models.Model):
    _inherit = "account.journal"

    einvoice_vn_enabled = fields.Boolean(string="Vietnamese E-invoices")
    einvoice_vn_template = fields.Selection(TEMPLATES, string="Invoice Template (KHMSHDon)")
    einvoice_vn_symbol = fields.Char(
        string="Invoice Symbol (KHHDon)",
        help="6 characters, e.g. C26TAA: C (with authority code) or K (without), the year "
        "of issue on 2 digits, the type letter (T, D, L, M, N, B, G, H), two letters.",
    )

    einvoice_vn_next_number = fields.Integer(
        string="Next E-invoice Number",
        default=1,
        copy=False,
        help="Next SHDon for this symbol; restart at 1 with the new year's symbol.",
    )

    def _einvoice_vn_title(self):
        return TITLES.get(self.einvoice_vn_template, "Hóa đơn")

    @api.constrains("einvoice_vn_enabled", "einvoice_vn_template", "einvoice_vn_symbol")
    def _check_einvoice_vn_symbol(self):
        for journal in self.filtered("einvoice_vn_enabled"):
            if not journal.einvoice_vn_template:
                raise ValidationError(
                    self.env._(
                        "Journal %(journal)s: choose an invoice template (KHMSHDon).",
                        journal=journal.name,
                    )
                )
            if not SYMBOL.match(journal.einvoice_vn_symbol or ""):
                raise ValidationError(
                    self.env._(
                        "Journal %(journal)s: invoice symbol %(symbol)r is not valid "
                        "(expected like C26TAA).",
                        journal=journal.name,
                        symbol=journal.einvoice_vn_symbol or "",
                    )
                )

    def _einvoice_vn_symbol_error(self, invoice_date):
        """The symbol carries the year of issue: it must match the invoice date."""
        self.ensure_one()
        year = (self.einvoice_vn_symbol or "")[1:3]
        if invoice_date and year != invoice_date.strftime("%y"):
            return self.env._(
                "Invoice symbol %(symbol)s is for 20%(year)s, the invoice is dated %(date)s: "
                "set this year's symbol on journal %(journal)s.",
                symbol=self.einvoice_vn_symbol,
                year=year,
                date=invoice_date,
                journal=self.name,
            )
        return False
