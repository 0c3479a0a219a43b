import datetime
import hashlib
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import builder, corrections, notice, providers, signer, viettel

STATES = [
    ("draft", "Draft"),
    ("signed", "Signed"),
    ("to_send", "Queued"),
    ("error", "Error"),
    ("rejected", "Rejected"),
    ("accepted", "Accepted"),
    ("cancelled", "Cancelled"),
    ("adjusted", "Adjusted"),
    ("replaced", "Replaced"),
]
ISSUED_STATES = ("accepted", "cancelled", "adjusted", "replaced")
BATCH_SIZE = 50
MAX_BACKOFF_MINUTES = 6 * 60
# Transaction UUIDs are derived from the database, the document and its revision: a retry
# after a timeout, a crash or a rolled back transaction computes the same UUID again, so the
# provider's lookup finds the invoice instead of issuing a second one.
UUID_NAMESPACE = uuid.UUID("6f1c8f3e-5a2b-4d0e-9c61-2f8e0b7a4d15")


class EinvoiceVnDocument(models.Model):
    """One Vietnamese e-invoice: its XML, signature, sending and lifecycle."""

    _name = "einvoice.vn.document"
    _description = "Vietnamese E-invoice"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "display_ref"

    move_id = fields.Many2one(
        "account.move", required=True, ondelete="restrict", index=True, readonly=True
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="move_id.partner_id", store=True, string="Buyer")
    kind = fields.Selection(
        [("original", "Original"), ("adjustment", "Adjustment"), ("replacement", "Replacement")],
        required=True,
        default="original",
        readonly=True,
    )
    origin_id = fields.Many2one(
        "einvoice.vn.document", string="Adjusted/Replaced Invoice", readonly=True, index=True
    )
    reason = fields.Char(readonly=True, help="Why the original invoice is adjusted or replaced.")
    state = fields.Selection(STATES, default="draft", required=True, tracking=True, index=True)
    paid = fields.Boolean(compute="_compute_paid", store=True)
    template = fields.Char(string="Template (KHMSHDon)", readonly=True)
    symbol = fields.Char(string="Symbol (KHHDon)", readonly=True, index=True)
    number = fields.Char(string="Number (SHDon)", readonly=True, index=True)
    issue_date = fields.Date(string="Date (NLap)", readonly=True, index=True)
    pban = fields.Char(string="Format Version", readonly=True)
    display_ref = fields.Char(compute="_compute_display_ref", store=True)
    revision = fields.Integer(readonly=True, help="Increased when a rejected invoice is resent.")
    transaction_uuid = fields.Char(readonly=True, copy=False, index=True)
    authority_code = fields.Char(string="Authority Code (MCCQT)", readonly=True, index=True)
    reservation_code = fields.Char(readonly=True)
    xml_attachment_id = fields.Many2one("ir.attachment", string="Signed XML", readonly=True)
    xml_sha256 = fields.Char(string="Signed XML SHA-256", readonly=True)
    issued_attachment_id = fields.Many2one(
        "ir.attachment", string="XML Signed by the Authority", readonly=True
    )
    issued_sha256 = fields.Char(string="Issued XML SHA-256", readonly=True)
    error_kind = fields.Selection(
        [
            ("retryable", "Temporary (retried)"),
            ("auth", "Credentials"),
            ("rejected", "Rejected"),
            ("final", "Needs a fix"),
        ],
        readonly=True,
    )
    error_message = fields.Text(readonly=True)
    retry_count = fields.Integer(readonly=True)
    next_retry_at = fields.Datetime(readonly=True, index=True)
    issued_at = fields.Datetime(readonly=True)
    amount_total = fields.Monetary(related="move_id.amount_total")
    currency_id = fields.Many2one(related="move_id.currency_id")

    _transaction_uuid_unique = models.UniqueIndex(
        "(transaction_uuid) WHERE transaction_uuid IS NOT NULL"
    )
    _number_unique = models.UniqueIndex(
        "(company_id, template, symbol, number) WHERE number IS NOT NULL",
        "This e-invoice number has already been issued under this template and symbol.",
    )

    @api.depends("move_id.payment_state")
    def _compute_paid(self):
        for doc in self:
            doc.paid = doc.move_id.payment_state in ("paid", "in_payment")

    @api.depends("symbol", "number", "move_id.name")
    def _compute_display_ref(self):
        for doc in self:
            doc.display_ref = (
                f"{doc.template or ''}{doc.symbol}-{doc.number}" if doc.number else doc.move_id.name
            )

    # ------------------------------------------------------------------
    # Values, XML, signature
    # ------------------------------------------------------------------

    def _invoice_values(self):
        """Plain values for the pure builder, read from the invoice."""
        self.ensure_one()
        move = self.move_id
        company = move.company_id
        journal = move.journal_id
        partner = move.partner_id
        commercial = partner.commercial_partner_id
        currency = move.currency_id.name
        general = {
            "THDon": journal._einvoice_vn_title(),
            "KHMSHDon": self.template,
            "KHHDon": self.symbol,
            "SHDon": self.number,
            "NLap": self.issue_date,
            "DVTTe": currency,
            "HTTToan": "TM/CK",
        }
        if currency != "VND":
            general["TGia"] = (
                round(abs(move.amount_total_signed / move.amount_total), 2)
                if move.amount_total
                else 1
            )
        if company.einvoice_vn_pban == "2.1.0":
            general["MSTTCGP"] = company.einvoice_vn_software_tax_id
        seller = {
            "Ten": company.name,
            "MST": company.vat,
            "DChi": ", ".join(
                filter(None, [company.street, company.street2, company.city, company.state_id.name])
            ),
            "SDThoai": company.phone,
            "DCTDTu": company.email,
        }
        if commercial.vat:
            buyer = {
                "Ten": commercial.name,
                "MST": commercial.vat,
                "HVTNMHang": partner.name if partner != commercial else None,
            }
        else:
            buyer = {"HVTNMHang": partner.name}
        buyer.update(
            {
                "DChi": ", ".join(
                    filter(
                        None, [partner.street, partner.street2, partner.city, partner.state_id.name]
                    )
                )
                or None,
                "SDThoai": partner.phone,
                "DCTDTu": partner.email,
                "MKHang": commercial.ref,
            }
        )
        lines, tax_amounts = [], {}
        # Signs of an adjustment: a credit note decreases the original invoice.
        sign = -1 if move.move_type == "out_refund" else 1
        for line in move.invoice_line_ids:
            line_values = self._line_values(line, sign)
            if line_values:
                lines.append(line_values)
        for tax_line in move.line_ids.filtered(lambda aml: aml.display_type == "tax"):
            code = self._tax_code(tax_line.tax_line_id)
            # Sales taxes are credits: negative on the books, positive on the invoice (and
            # negative on a credit note, which decreases the adjusted invoice).
            tax_amounts[code] = tax_amounts.get(code, 0.0) - tax_line.amount_currency
        values = {
            "version": company.einvoice_vn_pban,
            "id": f"DLHDon-{self.id}",
            "general": general,
            "seller": seller,
            "buyer": buyer,
            "lines": lines,
            "tax_amounts": tax_amounts,
        }
        origin = self.origin_id
        if origin:
            values["related"] = corrections.related(
                self.kind,
                {
                    "template": origin.template,
                    "symbol": origin.symbol,
                    "number": origin.number,
                    "date": origin.issue_date,
                },
                self.reason,
            )
        return values

    def _line_values(self, line, sign):
        """Plain values of one invoice line (None for lines the e-invoice does not show)."""
        if line.display_type == "line_note":
            return {"nature": "note", "name": line.name}
        if line.display_type != "product":
            return None
        tax = self._tax_code(line.tax_ids)
        if self.kind == "adjustment":
            return self._adjustment_line_values(line, tax, sign)
        if line.price_subtotal < 0:
            return {
                "nature": "discount",
                "name": line.name,
                "amount": -line.price_subtotal,
                "tax": tax,
            }
        if not line.price_unit:
            return {
                "nature": "promotion",
                "name": line.name,
                "quantity": line.quantity,
                "uom": line.product_uom_id.name,
            }
        gross = line.quantity * line.price_unit
        return {
            "code": line.product_id.default_code,
            "name": line.name or line.product_id.name,
            "uom": line.product_uom_id.name,
            "quantity": line.quantity,
            "price": line.price_unit,
            "discount_rate": line.discount or None,
            "discount_amount": gross - line.price_subtotal if line.discount else 0,
            "tax": tax,
        }

    @api.model
    def _adjustment_line_values(self, line, tax, sign):
        """A line of an adjustment invoice: an increase or a decrease of the original."""
        return corrections.adjustment_line(
            {
                "code": line.product_id.default_code,
                "name": line.name or line.product_id.name,
                "uom": line.product_uom_id.name,
                "quantity": line.quantity,
                "price": line.price_unit,
                "discount_rate": line.discount or None,
                "tax": tax,
            },
            sign * line.price_subtotal,
        )

    @api.model
    def _tax_code(self, taxes):
        """TSuat of a line: no tax is KCT (not subject); a 0% tax stays 0%."""
        taxes = taxes.filtered(lambda t: t.amount_type == "percent")
        if not taxes:
            return "KCT"
        rate = taxes[0].amount
        if rate in (0, 5, 8, 10):
            return f"{int(rate)}%"
        return f"KHAC:{rate:05.2f}"

    def _report_values(self):
        """What the PDF shows, from the same values and totals as the XML."""
        self.ensure_one()
        values = self._invoice_values()
        totals = builder.compute(values)
        money = totals["money"]
        date = self.issue_date or fields.Date.context_today(self)
        # Look-up data for the QR code (our layout: MST;template+symbol;number;date;total;MCCQT).
        qr = ";".join(
            str(part or "")
            for part in (
                values["seller"]["MST"],
                f"{self.template or ''}{self.symbol or ''}",
                self.number,
                date,
                money.text(totals["total"]),
                self.authority_code,
            )
        )
        return {
            "title": values["general"]["THDon"],
            "day": f"{date.day:02d}",
            "month": f"{date.month:02d}",
            "year": date.year,
            "general": values["general"],
            "seller": values["seller"],
            "buyer": {k: v for k, v in values["buyer"].items() if v},
            "lines": [{**line, "amount": money.text(line["amount"])} for line in totals["lines"]],
            "per_rate": [
                {"rate": r["rate"], "base": money.text(r["base"]), "tax": money.text(r["tax"])}
                for r in totals["per_rate"]
            ],
            "untaxed": money.text(totals["untaxed"]),
            "tax": money.text(totals["tax"]),
            "total": money.text(totals["total"]),
            "words": totals["words"],
            "qr": qr if self.number else "",
            "signer": self.company_id.einvoice_vn_certificate_id.subject or self.company_id.name,
        }

    def _allocate_number(self):
        """Next number of the journal's symbol, taken under a lock of the symbol's row:
        journals sharing the symbol share its counter."""
        self.ensure_one()
        return self.move_id.journal_id.einvoice_vn_symbol_id._take_number()

    def _prepare(self):
        """Check the set-up, fix template, symbol, number and date, and sign the XML."""
        for doc in self:
            move = doc.move_id
            journal = move.journal_id
            company = move.company_id
            date = move.invoice_date or fields.Date.context_today(doc)
            error = journal._einvoice_vn_symbol_error(date)
            if error:
                raise UserError(error)
            if not company.einvoice_vn_certificate_id:
                raise UserError(
                    self.env._(
                        "Company %(company)s has no e-invoice signing certificate.",
                        company=company.name,
                    )
                )
            if not doc.number:
                doc.write(
                    {
                        "template": journal.einvoice_vn_symbol_id.template,
                        "symbol": journal.einvoice_vn_symbol_id.name,
                        "issue_date": date,
                        "pban": company.einvoice_vn_pban,
                        "number": doc._allocate_number(),
                    }
                )
            values = doc._invoice_values()
            try:
                root = builder.build(values)
            except builder.BuildError as exc:
                raise UserError(
                    self.env._(
                        "Invoice %(move)s cannot make a valid e-invoice:\n%(errors)s",
                        move=move.name,
                        errors="\n".join(exc.errors),
                    )
                ) from exc
            certificate = company.einvoice_vn_certificate_id._load()
            try:
                signer.sign(root, certificate)
            except signer.SignError as exc:
                raise UserError(self.env._("Signing failed: %(error)s", error=str(exc))) from exc
            data = builder.to_bytes(root)
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"{move.name.replace('/', '_')}-einvoice-{doc.revision}.xml",
                        "raw": data,
                        "mimetype": "application/xml",
                        "res_model": doc._name,
                        "res_id": doc.id,
                    }
                )
            )
            doc.write(
                {
                    "xml_attachment_id": attachment.id,
                    "xml_sha256": hashlib.sha256(data).hexdigest(),
                    "transaction_uuid": str(
                        uuid.uuid5(
                            UUID_NAMESPACE,
                            f"{self.env['ir.config_parameter'].sudo().get_param('database.uuid')}"
                            f":{doc.id}:{doc.revision}",
                        )
                    ),
                    "state": "signed",
                }
            )

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _send(self):
        """Send signed documents; errors are recorded on the document, never raised."""
        for doc in self:
            company = doc.company_id.sudo()
            try:
                client = company._einvoice_vn_client()
                payload = {
                    "transaction_uuid": doc.transaction_uuid,
                    "seller_tax_id": company.vat,
                    "xml": doc.xml_attachment_id.raw,
                }
                if company.einvoice_vn_provider == "viettel":
                    payload["json"] = viettel.invoice_json(
                        doc._invoice_values(), f"{doc.template}/{doc.symbol}"
                    )
                issued = client.issue(payload)
            except providers.ProviderError as exc:
                doc._record_error(exc)
                continue
            doc._record_issued(issued)

    def _record_error(self, exc):
        self.ensure_one()
        retry_count = self.retry_count + 1 if exc.kind == providers.RETRYABLE else self.retry_count
        values = {
            "error_kind": exc.kind,
            "error_message": exc.message,
            "retry_count": retry_count,
            "state": "rejected" if exc.kind == providers.REJECTED else "error",
            "next_retry_at": False,
        }
        if exc.kind == providers.RETRYABLE:
            minutes = min(2**retry_count, MAX_BACKOFF_MINUTES)
            values["next_retry_at"] = fields.Datetime.now() + datetime.timedelta(minutes=minutes)
        self.write(values)
        self.message_post(
            body=self.env._(
                "Sending failed (%(kind)s): %(message)s", kind=exc.kind, message=exc.message
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _record_issued(self, issued):
        self.ensure_one()
        values = {
            "state": "accepted",
            "authority_code": issued.authority_code,
            "reservation_code": issued.reservation_code,
            "issued_at": fields.Datetime.now(),
            "error_kind": False,
            "error_message": False,
            "next_retry_at": False,
        }
        if issued.signed_xml:
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"{self.move_id.name.replace('/', '_')}-issued.xml",
                        "raw": issued.signed_xml,
                        "mimetype": "application/xml",
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
            )
            values.update(
                issued_attachment_id=attachment.id,
                issued_sha256=hashlib.sha256(issued.signed_xml).hexdigest(),
            )
        self.write(values)
        if self.origin_id:
            nature = "replace" if self.kind == "replacement" else "adjust"
            self.origin_id._attach_notice(nature, self.reason)
            self.origin_id.state = "replaced" if self.kind == "replacement" else "adjusted"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_send_now(self):
        """Button: sign if needed and send now."""
        self.filtered(lambda d: d.state == "draft")._prepare()
        self.filtered(lambda d: d.state in ("signed", "to_send", "error"))._send()
        return True

    def action_resend(self):
        """Resend a rejected invoice: a new revision with a new transaction UUID."""
        for doc in self.filtered(lambda d: d.state == "rejected"):
            doc.write({"revision": doc.revision + 1, "state": "draft", "retry_count": 0})
        return self.action_send_now()

    def action_queue(self):
        """Queue for the background job (bulk issue)."""
        self.filtered(lambda d: d.state in ("draft", "signed", "error")).write(
            {"state": "to_send", "next_retry_at": False}
        )
        self.env.ref("einvoice_vn.ir_cron_einvoice_vn_send")._trigger()
        return True

    def action_cancel_einvoice(self):
        for doc in self:
            if doc.state != "accepted":
                raise UserError(self.env._("Only an accepted e-invoice can be cancelled."))
            if not doc.company_id._einvoice_vn_can_cancel():
                raise UserError(
                    self.env._(
                        "The e-invoice law set on %(company)s does not allow cancelling an "
                        "issued invoice: issue an adjustment or a replacement invoice instead.",
                        company=doc.company_id.name,
                    )
                )
            doc._attach_notice("cancel", doc.reason or self.env._("Cancelled"))
            doc.state = "cancelled"
        return True

    def _attach_notice(self, nature, reason):
        """Keep the 04/SS-HĐĐT notice for this invoice (to file with the authority)."""
        self.ensure_one()
        company = self.company_id
        root = notice.build_notice(
            {
                "id": f"TBao-{self.id}-{nature}",
                "version": self.pban or company.einvoice_vn_pban,
                "seller": {"Ten": company.name, "MST": company.vat},
                "date": fields.Date.context_today(self),
                "place": company.city or company.state_id.name,
                "invoices": [
                    {
                        "authority_code": self.authority_code,
                        "template": self.template,
                        "symbol": self.symbol,
                        "number": self.number,
                        "date": self.issue_date,
                        "nature": nature,
                        "reason": reason,
                    }
                ],
            }
        )
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"04SS-{self.display_ref}-{nature}.xml",
                    "raw": builder.to_bytes(root),
                    "mimetype": "application/xml",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------

    @api.model
    def _cron_send(self):
        """Sign and send queued documents and retry temporary failures, in batches of
        locked rows: several cron workers never send the same document."""
        Cron = self.env["ir.cron"]
        now = fields.Datetime.now()
        domain = [
            "|",
            ("state", "=", "to_send"),
            "&",
            ("state", "=", "error"),
            "&",
            ("error_kind", "=", "retryable"),
            ("next_retry_at", "<=", now),
        ]
        Cron._commit_progress(remaining=self.search_count(domain))
        done = self.browse()
        while True:
            batch = self.search([*domain, ("id", "not in", done.ids)], limit=BATCH_SIZE)
            batch = batch.try_lock_for_update(allow_referencing=True)
            if not batch:
                break
            done |= batch
            for doc in batch:
                try:
                    with self.env.cr.savepoint():
                        if not doc.xml_attachment_id:
                            doc._prepare()
                except UserError as exc:
                    doc.write(
                        {"state": "error", "error_kind": "final", "error_message": str(exc.args[0])}
                    )
                    continue
                doc._send()
            if not Cron._commit_progress(len(batch)):
                break

    @api.model
    def _cron_check_archive(self):
        """Re-hash the archived XML of issued invoices and report any mismatch."""
        mismatches = self.browse()
        for doc in self.search([("xml_sha256", "!=", False)]):
            for attachment, digest in (
                (doc.xml_attachment_id, doc.xml_sha256),
                (doc.issued_attachment_id, doc.issued_sha256),
            ):
                if digest and hashlib.sha256(attachment.raw or b"").hexdigest() != digest:
                    mismatches |= doc
        for doc in mismatches:
            doc.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=self.env._("Archived e-invoice XML changed"),
                note=self.env._(
                    "The stored XML of %(ref)s no longer matches its SHA-256.", ref=doc.display_ref
                ),
                user_id=self.env.ref("base.user_admin").id,
            )
        return mismatches
