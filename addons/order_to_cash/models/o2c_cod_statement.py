from collections import defaultdict

from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..pipeline import cod

LINE_KINDS = [
    ("matched", "Matched"),
    ("collected_mismatch", "Collected ≠ expected"),
    ("remitted_mismatch", "Remitted ≠ collected − fee"),
    ("unknown_tracking", "Unknown tracking number"),
    ("already_remitted", "Already remitted"),
    ("returned_with_cod", "Returned parcel with COD"),
    ("not_delivered", "Parcel not delivered"),
    ("no_order", "Parcel without a sales order"),
]


class O2cCodStatement(models.Model):
    """A carrier's cash-on-delivery remittance statement: the lines of the file, each
    matched to a shipment; matched lines are posted to the COD clearing account in one
    entry, the others wait for review."""

    _name = "o2c.cod.statement"
    _description = "COD Remittance Statement"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    carrier_account_id = fields.Many2one(
        "o2c.carrier.account", required=True, readonly=True, check_company=True, index=True
    )
    file_name = fields.Char(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", readonly=True)
    fingerprint = fields.Char(readonly=True, required=True)
    state = fields.Selection(
        [("review", "To post"), ("posted", "Posted")],
        default="review",
        required=True,
        readonly=True,
        tracking=True,
    )
    line_ids = fields.One2many("o2c.cod.statement.line", "statement_id", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    total_collected = fields.Monetary(compute="_compute_totals", store=True)
    total_fee = fields.Monetary(compute="_compute_totals", store=True)
    total_remitted = fields.Monetary(compute="_compute_totals", store=True)
    mismatch_count = fields.Integer(compute="_compute_totals", store=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True)

    _fingerprint_unique = models.UniqueIndex(
        "(carrier_account_id, fingerprint)", "This statement was already imported."
    )

    @api.depends("line_ids.cod_collected", "line_ids.fee", "line_ids.remitted", "line_ids.kind")
    def _compute_totals(self):
        for statement in self:
            lines = statement.line_ids
            statement.total_collected = sum(lines.mapped("cod_collected"))
            statement.total_fee = sum(lines.mapped("fee"))
            statement.total_remitted = sum(lines.mapped("remitted"))
            statement.mismatch_count = len(lines.filtered(lambda ln: ln.kind != "matched"))

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------

    @api.model
    def _o2c_import(self, account, file_name, data):
        """Read a statement file of ``account`` and record it with each line matched.
        The same statement again returns the first import, unchanged. A file that
        cannot be read is refused whole (UserError naming line and column)."""
        account.ensure_one()
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Importing COD statements needs invoicing rights."))
        account.check_access("read")
        user_env = self.env
        # sudo below: statements and their lines are written by this code only (a line
        # marked "matched" by hand would be posted); access was checked above.
        self = self.sudo().with_company(account.company_id)  # noqa: PLW0642
        account = account.sudo()
        try:
            statement = cod.read_statement(file_name, data, account._o2c_cod_columns())
        except cod.StatementError as exc:
            raise UserError(
                self.env._("%(file)s cannot be imported:\n%(reason)s", file=file_name, reason=exc)
            ) from None
        existing = self.search(
            [("carrier_account_id", "=", account.id), ("fingerprint", "=", statement.fingerprint)]
        )
        if existing:
            return existing.with_env(user_env), False
        refs = [line.tracking_ref for line in statement.lines]
        shipments = {}
        Shipment = self.env["o2c.shipment"]
        for start in range(0, len(refs), 5000):
            # Compared as the statement's numbers are: no spaces, upper case.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM o2c_shipment WHERE carrier_account_id = %s AND "
                    "upper(regexp_replace(tracking_ref, '\\s', '', 'g')) = ANY(%s)",
                    account.id,
                    refs[start : start + 5000],
                )
            )
            for shipment in Shipment.browse([row[0] for row in self.env.cr.fetchall()]):
                shipments[cod.normalize_tracking(shipment.tracking_ref)] = shipment
        expected = {
            ref: cod.Expected(
                tracking_ref=ref,
                cod_expected=shipment._o2c_cod_decimal(),
                state=shipment.state,
                already_remitted=shipment.cod_remitted,
            )
            for ref, shipment in shipments.items()
        }
        results = cod.match(statement, expected)
        kinds = {}
        for result in results:
            kind = result.kind
            shipment = shipments.get(result.line.tracking_ref)
            if kind == "matched" and shipment:
                # Only cash of a delivered parcel of an order is posted without review.
                if not shipment._o2c_customer():
                    kind = "no_order"
                elif shipment.state != "delivered" and result.line.cod_collected > 0:
                    kind = "not_delivered"
            kinds[result.line.number] = kind
        try:
            with self.env.cr.savepoint():
                record = self.create(
                    {
                        "name": self.env._(
                            "%(carrier)s statement %(file)s", carrier=account.name, file=file_name
                        ),
                        "company_id": account.company_id.id,
                        "carrier_account_id": account.id,
                        "file_name": file_name,
                        "fingerprint": statement.fingerprint,
                    }
                )
        except pg_errors.UniqueViolation:
            # Imported at the same moment by someone else.
            return self.search(
                [
                    ("carrier_account_id", "=", account.id),
                    ("fingerprint", "=", statement.fingerprint),
                ]
            ).with_env(user_env), False
        record.attachment_id = self.env["ir.attachment"].create(
            {
                "name": file_name,
                "raw": data,
                "res_model": self._name,
                "res_id": record.id,
            }
        )
        self.env["o2c.cod.statement.line"].create(
            [
                {
                    "statement_id": record.id,
                    "sequence": result.line.number,
                    "tracking_ref": result.line.tracking_ref,
                    "shipment_id": shipments.get(result.line.tracking_ref, Shipment).id,
                    "cod_collected": float(result.line.cod_collected),
                    "fee": float(result.line.fee),
                    "remitted": float(result.line.remitted),
                    "date": result.line.date,
                    "kind": kinds[result.line.number],
                    "expected": float(result.expected.cod_expected) if result.expected else 0.0,
                    "difference": float(result.difference or 0),
                }
                for result in results
            ]
        )
        return record.with_env(user_env), True

    # ------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        posted = self.filtered(lambda st: st.state == "posted")
        if posted:
            raise UserError(
                self.env._(
                    "Posted COD statements cannot be deleted: %(names)s",
                    names=", ".join(posted.mapped("name")),
                )
            )

    def action_post(self):
        """Post the matched lines: the cash the carrier collected moves from each
        customer's receivable to the COD clearing account, and its fees to the fee
        account, in one entry; the customers' invoices are reconciled. Lines in
        mismatch stay for review and are not posted."""
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Posting COD statements needs invoicing rights."))
        self.check_access("read")
        for statement in self:
            # sudo: the statement, its parcels and the entry are written by this code
            # only; the user's invoicing rights were checked above.
            statement.sudo()._o2c_post()
        return True

    def _o2c_post(self):
        self.ensure_one()
        statement = self.with_company(self.company_id)
        if statement.state != "review":
            raise UserError(
                self.env._("Statement %(name)s is already posted.", name=statement.name)
            )
        account = statement.carrier_account_id
        missing = [
            account._fields[fname].get_description(self.env)["string"]
            for fname in ("cod_journal_id", "cod_clearing_account_id", "cod_fee_account_id")
            if not account[fname]
        ]
        if missing:
            raise UserError(
                self.env._(
                    "Carrier account %(account)s needs %(fields)s to post COD statements.",
                    account=account.name,
                    fields=", ".join(missing),
                )
            )
        # Lock the statement and its parcels: a second posting of this statement, or of
        # another one with the same parcel, waits, then finds it posted or remitted.
        self.env.cr.execute(
            SQL("SELECT state FROM o2c_cod_statement WHERE id = %s FOR UPDATE", statement.id)
        )
        if self.env.cr.fetchone()[0] != "review":
            raise UserError(
                self.env._("Statement %(name)s is already posted.", name=statement.name)
            )
        lines = statement.line_ids.filtered(lambda ln: ln.kind == "matched")
        shipments = lines.shipment_id.try_lock_for_update(allow_referencing=True)
        if len(shipments) != len(lines.shipment_id):
            raise UserError(
                self.env._("Another statement is being posted for these parcels: try again.")
            )
        shipments.invalidate_recordset(["cod_remitted"])
        already = lines.filtered(lambda ln: ln.shipment_id.cod_remitted)
        if already:
            already.kind = "already_remitted"
            lines -= already
        if not lines:
            statement.state = "posted"
            return
        move = statement._o2c_create_move(lines)
        move.action_post()
        statement._o2c_reconcile(move, lines)
        lines.shipment_id.write({"cod_remitted": True})
        statement.write({"state": "posted", "move_id": move.id})

    def _o2c_create_move(self, lines):
        account = self.carrier_account_id
        by_partner = defaultdict(float)
        for line in lines:
            by_partner[line.shipment_id._o2c_customer()] += line.cod_collected
        fees = sum(lines.mapped("fee"))
        collected = sum(lines.mapped("cod_collected"))
        date = max(filter(None, lines.mapped("date")), default=fields.Date.context_today(self))
        line_vals = [
            Command.create(
                {
                    "name": self.env._("COD collected by %(carrier)s", carrier=account.name),
                    "partner_id": partner.id,
                    "account_id": partner.with_company(
                        self.company_id
                    ).property_account_receivable_id.id,
                    "credit": amount,
                }
            )
            for partner, amount in by_partner.items()
        ]
        line_vals.append(
            Command.create(
                {
                    "name": self.env._("COD to receive from %(carrier)s", carrier=account.name),
                    "account_id": account.cod_clearing_account_id.id,
                    "debit": collected - fees,
                }
            )
        )
        if fees:
            line_vals.append(
                Command.create(
                    {
                        "name": self.env._("%(carrier)s fees", carrier=account.name),
                        "account_id": account.cod_fee_account_id.id,
                        "debit": fees,
                    }
                )
            )
        return self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": account.cod_journal_id.id,
                "date": date,
                "ref": self.name,
                "line_ids": line_vals,
            }
        )

    def _o2c_reconcile(self, move, lines):
        """Reconcile each customer's credit with the open invoices of the orders paid, in
        one reconciliation plan (one pair of lines per customer)."""
        invoices = lines.shipment_id.sale_order_id.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        )
        open_lines = defaultdict(lambda: self.env["account.move.line"])
        for line in invoices.line_ids:
            if line.account_id.reconcile and not line.reconciled and line.balance > 0:
                open_lines[line.account_id, line.partner_id.commercial_partner_id] |= line
        plan = []
        for partner_line in move.line_ids:
            if partner_line.account_id.account_type != "asset_receivable":
                continue
            found = open_lines.get((partner_line.account_id, partner_line.partner_id))
            if found:
                plan.append(partner_line + found)
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)


class O2cCodStatementLine(models.Model):
    _name = "o2c.cod.statement.line"
    _description = "COD Statement Line"
    _order = "statement_id, sequence, id"

    statement_id = fields.Many2one(
        "o2c.cod.statement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="statement_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="statement_id.currency_id")
    sequence = fields.Integer(string="Line", readonly=True)
    tracking_ref = fields.Char(string="Tracking Number", readonly=True, index=True)
    shipment_id = fields.Many2one("o2c.shipment", readonly=True, index="btree_not_null")
    sale_order_id = fields.Many2one(related="shipment_id.sale_order_id")
    cod_collected = fields.Monetary(string="COD collected", readonly=True)
    fee = fields.Monetary(readonly=True)
    remitted = fields.Monetary(readonly=True)
    date = fields.Date(readonly=True)
    kind = fields.Selection(LINE_KINDS, string="Result", readonly=True)
    expected = fields.Monetary(string="COD expected", readonly=True)
    difference = fields.Monetary(readonly=True)
