from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AccountJournal(models.Model):
    _inherit = "account.journal"

    einvoice_vn_enabled = fields.Boolean(string="Vietnamese E-invoices")
    einvoice_vn_symbol_id = fields.Many2one(
        "einvoice.vn.symbol",
        string="E-invoice Symbol",
        check_company=True,
        index="btree_not_null",
        ondelete="restrict",
        help="Template and symbol the journal's e-invoices are issued under; journals "
        "sharing a symbol share its numbers.",
    )
    einvoice_vn_year_warning = fields.Char(
        string="E-invoice Year Warning", related="einvoice_vn_symbol_id.year_warning"
    )

    @api.constrains("einvoice_vn_enabled", "einvoice_vn_symbol_id")
    def _check_einvoice_vn_symbol(self):
        for journal in self.filtered("einvoice_vn_enabled"):
            if not journal.einvoice_vn_symbol_id:
                raise ValidationError(
                    self.env._(
                        "Journal %(journal)s: choose the e-invoice symbol (template KHMSHDon "
                        "and symbol KHHDon) its invoices are issued under.",
                        journal=journal.name,
                    )
                )

    def _einvoice_vn_title(self):
        return self.einvoice_vn_symbol_id._title()

    def _einvoice_vn_symbol_error(self, invoice_date):
        """Why an invoice dated ``invoice_date`` cannot be issued under the journal's symbol
        (the symbol is for another year), or False."""
        self.ensure_one()
        if not self.einvoice_vn_symbol_id:
            return self.env._(
                "Journal %(journal)s has no e-invoice symbol: set the symbol (template "
                "KHMSHDon and symbol KHHDon) its invoices are issued under.",
                journal=self.name,
            )
        return self.einvoice_vn_symbol_id._issue_date_error(invoice_date)
