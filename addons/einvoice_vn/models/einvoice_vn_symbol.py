from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import symbols

TEMPLATES = [
    ("1", "1 - VAT invoice"),
    ("2", "2 - Sales invoice"),
    ("3", "3 - Public asset sales invoice"),
    ("4", "4 - National reserve sales invoice"),
    ("5", "5 - Stamps, tickets, cards"),
    ("6", "6 - Delivery notes"),
]
TITLES = {"1": "Hóa đơn giá trị gia tăng", "2": "Hóa đơn bán hàng"}


class EinvoiceVnSymbol(models.Model):
    """A registered invoice symbol (template KHMSHDon + symbol KHHDon) of a company, for one
    year; it owns the counter of its numbers (SHDon), shared by every journal using it."""

    _name = "einvoice.vn.symbol"
    _description = "Vietnamese E-invoice Symbol"
    _order = "year desc, template, name"
    _check_company_auto = True

    name = fields.Char(
        string="Symbol (KHHDon)",
        required=True,
        help="6 characters, e.g. C26TAA: C (with authority code) or K (without), the year "
        "of issue on 2 digits, the type letter (T, D, L, M, N, B, G, H), two letters.",
    )
    template = fields.Selection(TEMPLATES, string="Template (KHMSHDon)", required=True, default="1")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    year = fields.Integer(
        compute="_compute_year", store=True, help="Year of issue, from the symbol's 2 digits."
    )
    next_number = fields.Integer(
        default=1,
        required=True,
        copy=False,
        help="Next SHDon issued under this symbol, whichever journal issues it.",
    )
    journal_ids = fields.One2many("account.journal", "einvoice_vn_symbol_id", string="Journals")
    active = fields.Boolean(default=True)
    year_warning = fields.Char(compute="_compute_year_warning")

    _symbol_unique = models.UniqueIndex(
        "(company_id, template, name)", "This symbol already exists for this template."
    )
    _next_number_positive = models.Constraint(
        "CHECK (next_number >= 1)", "The next e-invoice number starts at 1."
    )

    @api.constrains("name")
    def _check_name(self):
        for symbol in self:
            if not symbols.is_valid(symbol.name):
                raise ValidationError(
                    self.env._(
                        "Invoice symbol %(symbol)r is not valid (expected like C26TAA).",
                        symbol=symbol.name or "",
                    )
                )

    @api.constrains("next_number")
    def _check_next_number(self):
        """Going back below an issued number would issue that number twice."""
        self.flush_model(["next_number"])
        for symbol in self:
            issued = symbol._highest_issued_number()
            if symbol.next_number <= issued:
                raise ValidationError(
                    self.env._(
                        "Next number %(number)s of symbol %(symbol)s: number %(issued)s has "
                        "already been issued, the next number must be higher.",
                        number=symbol.next_number,
                        symbol=symbol.name,
                        issued=issued,
                    )
                )

    @api.depends("name")
    def _compute_year(self):
        for symbol in self:
            symbol.year = symbols.year(symbol.name) or 0

    @api.depends("name", "template", "company_id")
    def _compute_year_warning(self):
        today = fields.Date.context_today(self)
        for symbol in self:
            warning = False
            # Outside December nothing is read; in December, one look-up per symbol shown.
            if symbols.needs_next_year(symbol.name, today, []):
                next_year = self.sudo().search(
                    [
                        ("company_id", "=", symbol.company_id.id),
                        ("template", "=", symbol.template),
                        ("year", "=", symbol.year + 1),
                    ]
                )
                if symbols.needs_next_year(symbol.name, today, next_year.mapped("name")):
                    warning = symbol._year_warning_text()
            symbol.year_warning = warning

    @api.depends("template", "name")
    def _compute_display_name(self):
        for symbol in self:
            symbol.display_name = f"{symbol.template or ''}{symbol.name or ''}"

    def write(self, vals):
        if {"name", "template", "company_id"} & set(vals):
            for symbol in self:
                if symbol._highest_issued_number():
                    raise UserError(
                        self.env._(
                            "Symbol %(symbol)s has issued invoices: its template, symbol and "
                            "company cannot change. Create a new symbol instead.",
                            symbol=symbol.display_name,
                        )
                    )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        """A symbol with issued numbers is part of the archive; one set on journals
        would leave them unable to issue."""
        for symbol in self:
            if symbol._highest_issued_number():
                raise UserError(
                    self.env._(
                        "Symbol %(symbol)s has issued invoices and cannot be deleted: "
                        "archive it instead.",
                        symbol=symbol.display_name,
                    )
                )
            journals = symbol.with_context(active_test=False).journal_ids
            if journals:
                raise UserError(
                    self.env._(
                        "Symbol %(symbol)s is used by journal(s) %(journals)s: set another "
                        "symbol on them first.",
                        symbol=symbol.display_name,
                        journals=", ".join(journals.mapped("name")),
                    )
                )

    def _year_warning_text(self):
        return self.env._(
            "Symbol %(symbol)s is for %(year)s only: create the symbol for %(next_year)s "
            "(e.g. %(next_symbol)s) and set it on the journals before 1 January, or "
            "invoices of %(next_year)s cannot be issued.",
            symbol=self.name,
            year=self.year,
            next_year=self.year + 1,
            next_symbol=symbols.next_year_symbol(self.name),
        )

    def _highest_issued_number(self):
        self.ensure_one()
        Document = self.env["einvoice.vn.document"]
        Document.flush_model(["company_id", "template", "symbol", "number"])
        self.env.cr.execute(
            SQL(
                "SELECT MAX(number::bigint) FROM einvoice_vn_document "
                "WHERE company_id = %s AND template = %s AND symbol = %s AND number ~ '^[0-9]+$'",
                self.company_id.id,
                self.template,
                self.name,
            )
        )
        return self.env.cr.fetchone()[0] or 0

    def _title(self):
        """THDon: the invoice's name for this template."""
        return TITLES.get(self.template, "Hóa đơn")

    def _issue_date_error(self, invoice_date):
        """Why an invoice dated ``invoice_date`` cannot be issued under this symbol (it is
        for another year), or False."""
        self.ensure_one()
        if not invoice_date or not symbols.year_mismatch(self.name, invoice_date):
            return False
        return self.env._(
            "Invoice symbol %(symbol)s is for the year %(year)s, the invoice is dated "
            "%(date)s: create the symbol for %(invoice_year)s (e.g. %(example)s) and set it "
            "on journal(s) %(journals)s.",
            symbol=self.name,
            year=self.year,
            date=invoice_date,
            invoice_year=invoice_date.year,
            example=f"{self.name[0]}{invoice_date.year % 100:02d}{self.name[3:]}",
            journals=", ".join(self.journal_ids.mapped("name")),
        )

    def _take_number(self):
        """The next number of this symbol. The symbol row stays locked (SELECT ... FOR
        UPDATE) until the transaction ends, so two workers, even issuing from two journals,
        never get the same number; a rolled back issue gives its number back."""
        self.ensure_one()
        self.flush_recordset(["next_number"])
        self.env.cr.execute(
            SQL(
                "SELECT next_number FROM einvoice_vn_symbol WHERE id = %s FOR UPDATE",
                self.id,
            )
        )
        number = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL(
                "UPDATE einvoice_vn_symbol SET next_number = %s WHERE id = %s",
                number + 1,
                self.id,
            )
        )
        self.invalidate_recordset(["next_number"])
        return str(number)
