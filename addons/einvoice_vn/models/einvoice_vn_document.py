import datetime
import hashlib
import logging
import uuid
from urllib.parse import quote as url_quote

from babel.numbers import format_decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import archive, builder, corrections, notice, providers, signer, tdiep, viettel
from .einvoice_vn_archive_mixin import is_trusted
from .einvoice_vn_document_messages import CONCURRENCY_ERRORS  # also defines the mixin

_logger = logging.getLogger(__name__)

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
# States from which a document is signed (when it has no XML yet) and sent.
SENDABLE_STATES = ("draft", "signed", "to_send", "error")
BATCH_SIZE = 50
# Two workers signing at once may meet on the number counter: the later one leaves the
# document queued for the next run instead of failing the whole run.
MAX_BACKOFF_MINUTES = 6 * 60
# Transaction UUIDs are derived from the database, the document and its revision: a retry
# after a timeout, a crash or a rolled back transaction computes the same UUID again, so the
# provider's lookup finds the invoice instead of issuing a second one.
UUID_NAMESPACE = uuid.UUID("6f1c8f3e-5a2b-4d0e-9c61-2f8e0b7a4d15")
MANAGER_GROUP = "einvoice_vn.group_einvoice_manager"


class EinvoiceVnDocument(models.Model):
    """One Vietnamese e-invoice: its XML, signature, sending and lifecycle."""

    _name = "einvoice.vn.document"
    _description = "Vietnamese E-invoice"
    _inherit = [
        "einvoice.vn.archive.mixin",
        "einvoice.vn.document.messages",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "id desc"
    _rec_name = "display_ref"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        required=True,
        ondelete="restrict",
        index=True,
        readonly=True,
        check_company=True,
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
        "einvoice.vn.document",
        string="Adjusted/Replaced Invoice",
        readonly=True,
        index=True,
        check_company=True,
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
    sandbox = fields.Boolean(
        string="Sandbox (no legal value)",
        readonly=True,
        copy=False,
        help="Issued by the demo sandbox: the authority code and signature are a demo's, "
        "the invoice has no legal value.",
    )
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
    archive_checked_at = fields.Datetime(
        readonly=True, index=True, help="Last time the daily check re-hashed the archived XML."
    )
    notice_file = fields.Binary(
        string="04/SS Notice File", related="notice_attachment_id.datas", readonly=True
    )
    notice_filename = fields.Char(related="notice_attachment_id.name", readonly=True)
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
    # CRUD: the archive is written by the addon's own code only
    # ------------------------------------------------------------------

    @api.model
    def _einvoice_vn_create_refused(self):
        return self.env._(
            "An e-invoice is created by issuing its invoice, it cannot be created directly."
        )

    @api.model
    def _einvoice_vn_write_refused(self, fields):
        return self.env._(
            "The e-invoice fields %(fields)s are set by issuing the invoice and "
            "archived: they cannot be changed.",
            fields=fields,
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_signed(self):
        """A signed document may have reached the provider: it stays in the archive."""
        signed = self.filtered("xml_attachment_id")
        if signed and not is_trusted(self.env):
            raise AccessError(
                self.env._(
                    "E-invoices %(refs)s are signed and archived: they cannot be deleted.",
                    refs=", ".join(signed.mapped("display_ref")),
                )
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
            **self._goods_line_values(line, tax),
            "discount_amount": gross - line.price_subtotal if line.discount else 0,
        }

    @api.model
    def _goods_line_values(self, line, tax):
        """What a goods line shows, in an original invoice as in an adjustment."""
        return {
            "code": line.product_id.default_code,
            "name": line.name or line.product_id.name,
            "uom": line.product_uom_id.name,
            "quantity": line.quantity,
            "price": line.price_unit,
            "discount_rate": line.discount or None,
            "tax": tax,
        }

    @api.model
    def _adjustment_line_values(self, line, tax, sign):
        """A line of an adjustment invoice: an increase or a decrease of the original."""
        return corrections.adjustment_line(
            self._goods_line_values(line, tax), sign * line.price_subtotal
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
        """What the PDF shows, from the same values and totals as the XML. The printed copy
        is in Vietnamese, so numbers are too (1.234.567,5), whatever the reader's language."""
        self.ensure_one()
        values = self._invoice_values()
        totals = builder.compute(values)
        money = totals["money"]
        amount_format = "#,##0" if money.step == 1 else "#,##0.00"

        def shown(value, pattern="#,##0.###"):
            if value is None or value == "":
                return ""
            return format_decimal(value, format=pattern, locale="vi_VN")

        def amount(value):
            return shown(money.round(value), amount_format)

        date = self.issue_date or fields.Date.context_today(self)
        # The QR code data of QĐ 1450 (Phụ lục XIII), the same string as in DLQRCode.
        qr = builder.qr_data(values, totals) if self.number else ""
        return {
            "title": values["general"]["THDon"],
            "day": f"{date.day:02d}",
            "month": f"{date.month:02d}",
            "year": date.year,
            "general": values["general"],
            "seller": values["seller"],
            "buyer": {k: v for k, v in values["buyer"].items() if v},
            "related": corrections.printed_reference(values.get("related"), totals["total"]),
            "lines": [
                {
                    **line,
                    "quantity": shown(line.get("quantity")),
                    "price": shown(line.get("price"), "#,##0.####"),
                    "amount": amount(line["amount"]),
                }
                for line in totals["lines"]
            ],
            "per_rate": [
                {"rate": r["rate"], "base": amount(r["base"]), "tax": amount(r["tax"])}
                for r in totals["per_rate"]
            ],
            "untaxed": amount(totals["untaxed"]),
            "tax": amount(totals["tax"]),
            "total": amount(totals["total"]),
            "words": totals["words"],
            "qr": qr,
            # For the /report/barcode URL.
            "qr_url_value": url_quote(qr, safe=""),
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
            if move.state != "posted":
                raise UserError(
                    self.env._(
                        "Invoice %(move)s is not posted: post it before its e-invoice is issued.",
                        move=move.display_name,
                    )
                )
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
            company._einvoice_vn_check_authority_setup()
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
                    "transaction_uuid": doc._transaction_uuid(),
                    "state": "signed",
                }
            )

    def _transaction_uuid(self):
        """The idempotency key of this revision: derived (uuid5) from the database, the
        document and its revision, shaped as a version-4 UUID because the T-VAN message
        code MTDiep carries it as the 32 characters of a UUID v4 (QĐ 1450)."""
        self.ensure_one()
        database = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        derived = uuid.uuid5(UUID_NAMESPACE, f"{database}:{self.id}:{self.revision}")
        return str(uuid.UUID(bytes=derived.bytes, version=4))

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _issue_one(self, commit, raise_errors=True):
        """Sign (when not signed yet) and send this document, holding its row lock.

        The signed XML is stored and committed (``commit()``) BEFORE it is sent: once an
        XML may have reached the provider it is never signed again (a new SigningTime would
        make another document). After a crash the document is still queued with that XML;
        sending it again finds the provider's copy by transaction UUID and archives it.
        The caller commits the answer. Returns False when another worker holds the
        document or has already issued it.
        """
        self.ensure_one()
        doc = self.try_lock_for_update(allow_referencing=True)
        if not doc:
            return False
        doc.invalidate_recordset()
        if doc.state not in SENDABLE_STATES:
            return False
        if doc.state == "draft" or not doc.xml_attachment_id:
            try:
                with self.env.cr.savepoint():
                    doc._prepare()
                    doc.write({"state": "to_send", "next_retry_at": False})
            except UserError as exc:
                if raise_errors:
                    raise
                doc.write(
                    {"state": "error", "error_kind": "final", "error_message": str(exc.args[0])}
                )
                return True
            except CONCURRENCY_ERRORS:
                if raise_errors:
                    raise
                return False
            except Exception as exc:
                # Bad data of one invoice (a character XML cannot hold, ...) must not stop
                # a bulk issue: nothing was sent, the document waits for a fix.
                if raise_errors:
                    raise
                _logger.exception("E-invoice %s could not be prepared", doc.display_ref)
                doc._record_failure(exc)
                return True
            commit()
            # The commit ended the lock: take it again, another worker may have sent it.
            doc = doc.try_lock_for_update(allow_referencing=True)
            if not doc:
                return False
            doc.invalidate_recordset()
            if doc.state not in SENDABLE_STATES:
                return False
        doc._send()
        return True

    def _einvoice_vn_commit(self):
        """Commit an interactive issue step, as Odoo's own e-invoicing modules do when
        they send (not inside tests, whose transaction is rolled back); called from a
        cron, this also reports its progress."""
        if self.env["account.move.send"]._can_commit():
            self.env["ir.cron"]._commit_progress()

    def _send(self):
        """Send signed documents; errors are recorded on the document, never raised.

        Any other exception (bad data, a bug) puts that document in error and the others
        are sent. The signed XML and the transaction UUID stay as they are, also when the
        provider may already have accepted the invoice: sending it again looks the invoice
        up at the provider instead of signing another one."""
        for doc in self:
            company = doc.company_id.sudo()
            try:
                with self.env.cr.savepoint():
                    company._einvoice_vn_check_authority_setup()
                    client = company._einvoice_vn_client()
                    payload = {
                        "transaction_uuid": doc.transaction_uuid,
                        "seller_tax_id": company.vat,
                        "xml": doc.xml_attachment_id.raw,
                        "symbol": doc.symbol,
                    }
                    if company.einvoice_vn_provider == "viettel":
                        payload["json"] = viettel.invoice_json(
                            doc._invoice_values(), f"{doc.template}/{doc.symbol}"
                        )
                    issued = client.issue(payload)
                    doc._record_issued(issued)
            except providers.ProviderError as exc:
                doc._record_error(exc)
            except CONCURRENCY_ERRORS:
                # Another worker: the transaction is retried, the XML stays as stored.
                raise
            except UserError as exc:
                # A set-up to complete (who the tax authority is, ...): nothing was sent.
                doc._record_failure(exc)
            except Exception as exc:
                _logger.exception("E-invoice %s could not be sent", doc.display_ref)
                doc._record_failure(exc)

    def _record_failure(self, exc):
        """An unexpected exception while issuing this document: it needs a look."""
        self.ensure_one()
        message = exc.args[0] if isinstance(exc, UserError) and exc.args else str(exc)
        message = f"{type(exc).__name__}: {message or repr(exc)}"
        self.write(
            {
                "state": "error",
                "error_kind": "final",
                "error_message": message,
                "next_retry_at": False,
            }
        )
        self.message_post(
            body=self.env._("Issuing failed: %(message)s", message=message),
            subtype_xmlid="mail.mt_note",
        )

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
        self._einvoice_vn_check_provider_copy(issued.signed_xml)
        values = {
            "state": "accepted",
            # The company's choice, never what a provider's answer says of itself.
            "sandbox": self.company_id.einvoice_vn_provider == "sandbox",
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
            self._einvoice_vn_record_origin_corrected()

    def _einvoice_vn_record_origin_corrected(self):
        """The original of this issued correction is adjusted or replaced, and its 04/SS
        notice made. The provider has issued the correction: a notice that cannot be made
        (company set-up changed since the check before sending) is shown on the original
        as an error, it never undoes the acceptance recorded above."""
        origin = self.origin_id._einvoice_vn_trusted()
        nature = "replace" if self.kind == "replacement" else "adjust"
        origin.state = "replaced" if self.kind == "replacement" else "adjusted"
        try:
            with self.env.cr.savepoint():
                origin._attach_notice(nature, self.reason)
        except CONCURRENCY_ERRORS:
            raise
        except Exception as exc:
            message = exc.args[0] if isinstance(exc, UserError) and exc.args else str(exc)
            _logger.warning("04/SS notice of %s not made: %s", origin.display_ref, message)
            if origin.notice_state not in ("to_send", "sent"):
                # Nothing of an earlier (answered) notice may be sent again for this one:
                # "Send the notice again" makes this correction's notice instead. The
                # earlier files stay attached to the document.
                origin.write(
                    {
                        "notice_state": "error",
                        "notice_result": message,
                        "notice_attachment_id": False,
                        "notice_message_id": False,
                        "notice_answer_attachment_id": False,
                    }
                )
            origin.message_post(
                body=self.env._(
                    "The correction %(ref)s is issued, but the 04/SS-HĐĐT notice of this "
                    "invoice could not be made: %(message)s",
                    ref=self.display_ref,
                    message=message,
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_send_now(self):
        """Button: sign if needed and send now, one document at a time (each signed XML
        is committed before it is sent)."""
        docs = self._einvoice_vn_trusted()
        sendable = docs.filtered(lambda d: d.state in SENDABLE_STATES)
        sendable.company_id._einvoice_vn_check_authority_setup()
        for doc in sendable:
            doc._issue_one(docs._einvoice_vn_commit)
            docs._einvoice_vn_commit()
            # The notice of the adjusted or replaced invoice is recorded and committed with
            # the answer: now it is sent.
            doc.origin_id.filtered(lambda d: d.notice_state == "to_send")._send_notice()
            docs._einvoice_vn_commit()
        return True

    def action_show_invoice(self):
        """The invoice as printed (with its authority code and QR), shown in the browser."""
        self.ensure_one()
        action = self.env.ref("einvoice_vn.action_report_einvoice_vn").report_action(
            self, config=False
        )
        action["report_type"] = "qweb-html"
        return action

    def action_resend(self):
        """Resend a rejected invoice: a new revision with a new transaction UUID."""
        for doc in self._einvoice_vn_trusted().filtered(lambda d: d.state == "rejected"):
            doc.write({"revision": doc.revision + 1, "state": "draft", "retry_count": 0})
        return self.action_send_now()

    def action_queue(self):
        """Queue for the background job (bulk issue)."""
        queued = self._einvoice_vn_trusted().filtered(
            lambda d: d.state in ("draft", "signed", "error")
        )
        queued.company_id._einvoice_vn_check_authority_setup()
        queued.write({"state": "to_send", "next_retry_at": False})
        self.env.ref("einvoice_vn.ir_cron_einvoice_vn_send")._trigger()
        return True

    def action_cancel_einvoice(self):
        for doc in self._einvoice_vn_trusted():
            if doc.state != "accepted":
                raise UserError(self.env._("Only an accepted e-invoice can be cancelled."))
            # Its notice is sent to the authority: refused before anything is recorded.
            doc.company_id._einvoice_vn_check_authority_setup()
            if not doc.company_id._einvoice_vn_can_cancel():
                raise UserError(
                    self.env._(
                        "The e-invoice law set on %(company)s does not allow cancelling an "
                        "issued invoice: issue an adjustment or a replacement invoice instead.",
                        company=doc.company_id.name,
                    )
                )
            doc._attach_notice("cancel", doc.reason)
            doc.state = "cancelled"
            # Recorded and committed before it is sent: a crash leaves it queued for the
            # notice job, which looks its MTDiep up before sending it again.
            doc._einvoice_vn_commit()
            doc.filtered(lambda d: d.notice_state == "to_send")._send_notice()
            doc._einvoice_vn_commit()
        return True

    def _einvoice_vn_notice_root(self, nature, reason):
        """The unsigned 04/SS-HĐĐT notice of this invoice (QĐ 1450's table), checked with
        the certificate that will sign it: a UserError names what is missing. Called
        before a correction is sent too, so that nothing reaches the provider whose notice
        cannot be made."""
        self.ensure_one()
        company = self.company_id
        try:
            root = notice.build_notice(
                {
                    "id": f"TBao-{self.id}-{nature}",
                    "version": self.pban or company.einvoice_vn_pban,
                    "seller": {"Ten": company.name, "MST": company.vat},
                    "tax_office": {
                        "MCQT": company.einvoice_vn_tax_office_code,
                        "TCQT": company.einvoice_vn_tax_office_name,
                    },
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
        except notice.NoticeError as error:
            raise UserError(
                self.env._(
                    "The 04/SS-HĐĐT notice of %(invoice)s cannot be made: %(errors)s. Check "
                    "the company's tax office code (MCQT) and name (TCQT), its tax id and "
                    "city on %(company)s.",
                    invoice=self.display_ref,
                    errors="; ".join(error.errors),
                    company=company.name,
                )
            ) from error
        certificate = company.sudo().einvoice_vn_certificate_id
        if not certificate:
            raise UserError(
                self.env._(
                    "Set a signing certificate on %(company)s: the 04/SS-HĐĐT notice is "
                    "signed by the taxpayer.",
                    company=company.name,
                )
            )
        return root, certificate

    def _einvoice_vn_make_missing_notice(self):
        """Make the 04/SS notice of the latest issued correction of this invoice, when it
        could not be made at the time (see :meth:`_einvoice_vn_record_origin_corrected`)."""
        self.ensure_one()
        correction = self.search(
            [
                ("origin_id", "=", self.id),
                ("kind", "in", ("adjustment", "replacement")),
                ("state", "in", ISSUED_STATES),
            ],
            order="id desc",
            limit=1,
        )
        if not correction:
            raise UserError(
                self.env._(
                    "%(ref)s has no issued correction whose 04/SS notice could be made.",
                    ref=self.display_ref,
                )
            )
        nature = "replace" if correction.kind == "replacement" else "adjust"
        self._attach_notice(nature, correction.reason)

    def _attach_notice(self, nature, reason):
        """Build, sign and keep the 04/SS-HĐĐT notice of this invoice (QĐ 1450's table)."""
        self.ensure_one()
        company = self.company_id
        if self.notice_state in ("to_send", "sent"):
            raise UserError(
                self.env._(
                    "The 04/SS-HĐĐT notice %(notice)s of %(ref)s is still waiting for the "
                    "tax authority: a new notice is made once it is answered.",
                    notice=self.notice_attachment_id.name or self.notice_message_id,
                    ref=self.display_ref,
                )
            )
        root, certificate = self._einvoice_vn_notice_root(nature, reason)
        try:
            signer.sign(root, certificate._load(), holder="NNT", signature_id="NNT")
        except signer.SignError as error:
            raise UserError(
                self.env._("The 04/SS-HĐĐT notice cannot be signed: %(error)s", error=str(error))
            ) from error
        attachment = (
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
        previous = self.notice_attachment_id | self.notice_answer_attachment_id
        if previous:
            # The answered notice is replaced on the form: its files stay on the document
            # and in the chatter.
            self.message_post(
                body=self.env._(
                    "A new 04/SS-HĐĐT notice replaces %(notice)s (%(result)s); the earlier "
                    "notice and its answer stay attached here.",
                    notice=self.notice_attachment_id.name or "-",
                    result=self.notice_result or self.notice_state or "-",
                ),
                attachment_ids=previous.ids,
                subtype_xmlid="mail.mt_note",
            )
        if company._einvoice_vn_sends_notices():
            # The MTDiep is fixed with the notice, before anything is sent: a retry asks
            # the T-VAN for the answers to it instead of sending the notice again.
            self._einvoice_vn_trusted().write(
                {
                    "notice_attachment_id": attachment.id,
                    "notice_state": "to_send",
                    "notice_message_id": tdiep.message_id(
                        company.sudo()._einvoice_vn_sender_code(),
                        f"{self.transaction_uuid}:04SS:{attachment.id}",
                    ),
                    "notice_answer_attachment_id": False,
                    "notice_result": False,
                }
            )
            self.env.ref("einvoice_vn.ir_cron_einvoice_vn_notices")._trigger()
        else:
            # This provider's API takes no 04/SS notice: the user submits the signed file.
            self._einvoice_vn_trusted().write(
                {
                    "notice_attachment_id": attachment.id,
                    "notice_state": "to_submit",
                    "notice_message_id": False,
                    "notice_answer_attachment_id": False,
                    "notice_result": False,
                }
            )
            self.message_post(
                body=self.env._(
                    "The 04/SS-HĐĐT notice %(notice)s is signed but %(provider)s does not "
                    "send it: download it from the 04/SS Notice section and submit it on "
                    "the provider's portal or on the tax authority's portal "
                    "(hoadondientu.gdt.gov.vn), then keep the authority's answer here.",
                    notice=attachment.name,
                    provider=dict(
                        company._fields["einvoice_vn_provider"]._description_selection(self.env)
                    ).get(company.einvoice_vn_provider),
                ),
                attachment_ids=attachment.ids,
                subtype_xmlid="mail.mt_note",
            )
        return attachment

    def _einvoice_vn_notice_refused(self, result):
        """The tax authority refused the 04/SS notice of this invoice's cancellation,
        adjustment or replacement: for it the invoice is still valid as issued, so it is
        shown accepted again, and the responsible user is asked to act."""
        self.ensure_one()
        doc = self._einvoice_vn_trusted()
        if doc.state not in ("cancelled", "adjusted", "replaced"):
            return
        previous = dict(self._fields["state"]._description_selection(self.env))[doc.state]
        doc.state = "accepted"
        note = self.env._(
            "The tax authority did not accept the 04/SS-HĐĐT notice: invoice %(ref)s is "
            "still valid for it, so it is accepted again (it was %(previous)s). Correct "
            "the notice or the invoice and notify again. %(result)s",
            ref=doc.display_ref,
            previous=previous,
            result=result or "",
        )
        doc.message_post(body=note, subtype_xmlid="mail.mt_note")
        doc.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("04/SS notice not accepted"),
            note=note,
            user_id=doc._einvoice_vn_responsible().id,
        )

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------

    @api.model
    def _cron_send(self):
        """Sign and send queued documents and retry temporary failures, one locked
        document at a time, committing its signed XML before it is sent and the answer
        after: several cron workers never send the same document, and a killed worker
        leaves nothing that was sent unrecorded (see :meth:`_issue_one`)."""
        Cron = self.env["ir.cron"]
        now = fields.Datetime.now()
        # "signed" too: a document signed but never sent (an interrupted issue of an
        # earlier version) is sent from its stored XML, never signed again.
        domain = [
            "|",
            ("state", "in", ("to_send", "signed")),
            "&",
            ("state", "=", "error"),
            "&",
            ("error_kind", "=", "retryable"),
            ("next_retry_at", "<=", now),
        ]
        self._einvoice_vn_run_job(
            domain, lambda doc: doc._issue_one(Cron._commit_progress, raise_errors=False)
        )

    @api.model
    def _einvoice_vn_run_job(self, domain, per_doc, lock=False):
        """The loop of the document jobs: ``per_doc(doc)`` on each document of ``domain``,
        in batches, each document in a fresh transaction committed after it. With ``lock``
        the document is locked first (SKIP LOCKED: one held by another worker is skipped,
        and counts for nothing) and read again. ``per_doc`` returns whether it did the
        document's work (counted in the cron's progress). Stops when the cron says so
        (``_commit_progress`` returns False: its time is up)."""
        docs = self._einvoice_vn_trusted()
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=docs.search_count(domain))
        seen = set()
        while True:
            batch = docs.search([*domain, ("id", "not in", list(seen))], limit=BATCH_SIZE)
            if not batch:
                return
            seen.update(batch.ids)
            # Start each document in a fresh transaction: its lock then sees the latest
            # committed state (Odoo's transactions are REPEATABLE READ).
            Cron._commit_progress()
            for record in batch:
                doc = record
                if lock:
                    doc = record.try_lock_for_update(allow_referencing=True)
                    doc.invalidate_recordset()
                done = bool(doc) and per_doc(doc)
                if not Cron._commit_progress(1 if done else 0):
                    return

    @api.model
    def _cron_check_archive(self):
        """Re-hash the archived XML of every signed document once a day, in batches of
        locked documents, committing after each batch; a mismatch gets one activity for a
        responsible user of the document's company, and no other while it is open."""
        docs = self._einvoice_vn_trusted()
        Cron = self.env["ir.cron"]
        now = fields.Datetime.now()
        domain = [
            ("xml_sha256", "!=", False),
            "|",
            ("archive_checked_at", "=", False),
            ("archive_checked_at", "<", now.replace(hour=0, minute=0, second=0, microsecond=0)),
        ]
        Cron._commit_progress(remaining=docs.search_count(domain))
        mismatches = self.browse()
        while True:
            batch = docs.search(domain, limit=BATCH_SIZE).try_lock_for_update(
                allow_referencing=True
            )
            if not batch:
                break
            changed = batch.filtered(lambda doc: doc._einvoice_vn_archive_changed())
            changed._einvoice_vn_warn_archive_changed()
            mismatches |= changed
            batch.write({"archive_checked_at": now})
            if not Cron._commit_progress(len(batch)):
                break
        return mismatches.with_env(self.env)

    def _einvoice_vn_archive_changed(self):
        """Whether a stored XML no longer matches the SHA-256 recorded when archived."""
        self.ensure_one()
        return any(
            digest and hashlib.sha256(attachment.raw or b"").hexdigest() != digest
            for attachment, digest in (
                (self.xml_attachment_id, self.xml_sha256),
                (self.issued_attachment_id, self.issued_sha256),
            )
        )

    def _einvoice_vn_check_provider_copy(self, provider_xml):
        """The provider's copy must be the invoice we signed and archived; when it is not
        (an XML signed again after it had been sent), both are kept and a manager of the
        company is asked to compare them before anything is filed."""
        self.ensure_one()
        ours = self.xml_attachment_id.raw
        if provider_xml and ours and not archive.same_signed_invoice(ours, provider_xml):
            self._einvoice_vn_warn_archive_changed(
                self.env._(
                    "The provider holds another signed XML for %(ref)s than the one archived: "
                    "compare them before filing.",
                    ref=self.display_ref,
                )
            )

    def _einvoice_vn_warn_archive_changed(self, note=None):
        activity_type = self.env.ref("einvoice_vn.mail_activity_type_archive_changed")
        for doc in self:
            if doc.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
                continue
            doc.activity_schedule(
                "einvoice_vn.mail_activity_type_archive_changed",
                summary=self.env._("Archived e-invoice XML changed"),
                note=note
                or self.env._(
                    "The stored XML of %(ref)s no longer matches its SHA-256.", ref=doc.display_ref
                ),
                user_id=doc._einvoice_vn_responsible().id,
            )

    def _einvoice_vn_responsible(self):
        """Who answers for this document: an e-invoice manager of its company (one whose
        main company it is first), else the invoice's salesperson, else its author."""
        self.ensure_one()
        company = self.company_id
        managers = (
            self.env.ref(MANAGER_GROUP)
            .sudo()
            .user_ids.filtered(
                lambda u: (
                    u.active
                    and not u._is_superuser()
                    and u._is_internal()
                    and company in u.company_ids
                )
            )
            .sorted("id")
        )
        main = managers.filtered(lambda u: u.company_id == company)
        return (main or managers)[:1] or self.move_id.invoice_user_id or self.move_id.create_uid
