import logging

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import providers

_logger = logging.getLogger(__name__)

# Errors of a concurrent transaction: raised again so the job retries, never recorded.
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.LockNotAvailable,
    pg_errors.DeadlockDetected,
)


class EinvoiceVnDocumentMessages(models.AbstractModel):
    """What an issued e-invoice exchanges with its provider after the issue: the 04/SS-HĐĐT
    notice of its cancellation, adjustment or replacement, sent as T-VAN message 300 with
    the tax authority's answer (301) kept, and the authority code Viettel gives later than
    the creation (``codeOfTax``). Used by ``einvoice.vn.document`` only; kept apart so that
    the document's own file stays readable."""

    _name = "einvoice.vn.document.messages"
    _description = "E-invoice messages with the provider"

    notice_state = fields.Selection(
        [
            ("to_send", "To send"),
            ("sent", "Awaiting the answer"),
            ("accepted", "Accepted by the tax authority"),
            ("refused", "Not accepted"),
            ("error", "Error"),
            ("to_submit", "To submit on the provider's or tax authority's portal"),
        ],
        string="04/SS Notice Status",
        readonly=True,
        index=True,
        copy=False,
        help="The 04/SS-HĐĐT notice of this invoice's cancellation, adjustment or "
        "replacement, sent to the tax authority as message 300, and its answer (301).",
    )
    notice_attachment_id = fields.Many2one(
        "ir.attachment", string="04/SS Notice (signed)", readonly=True, copy=False
    )
    notice_message_id = fields.Char(string="04/SS Message Code (MTDiep)", readonly=True, copy=False)
    notice_answer_attachment_id = fields.Many2one(
        "ir.attachment", string="Tax Authority Answer (301)", readonly=True, copy=False
    )
    notice_result = fields.Text(string="04/SS Notice Result", readonly=True, copy=False)

    def action_resend_notice(self):
        """Send again a 04/SS notice that ended in Error, once its cause is fixed (settings,
        credentials): it goes back to the notice job with the SAME MTDiep, so the T-VAN
        recognises it (the job asks for the answers to that MTDiep before posting, and a
        T-VAN dedupes a message it already holds). E-invoice managers only."""
        if not self.env.user.has_group("einvoice_vn.group_einvoice_manager"):
            raise AccessError(self.env._("Only e-invoice managers can send a 04/SS notice again."))
        docs = self._einvoice_vn_trusted().filtered(lambda d: d.notice_state == "error")
        # A notice that was never made (its correction was issued while the company's
        # set-up could not make it) is made now, from the latest issued correction.
        unmade = docs.filtered(lambda d: not (d.notice_attachment_id and d.notice_message_id))
        for doc in unmade:
            doc._einvoice_vn_make_missing_notice()
        docs -= unmade
        for doc in docs:
            if not doc.company_id._einvoice_vn_sends_notices():
                raise UserError(
                    self.env._(
                        "%(provider)s does not send 04/SS notices: submit the signed file of "
                        "%(ref)s on the provider's or the tax authority's portal.",
                        provider=doc.company_id.einvoice_vn_provider,
                        ref=doc.display_ref,
                    )
                )
        # Still not configured: say so now rather than fail again in the job.
        docs.company_id._einvoice_vn_check_authority_setup()
        docs.write({"notice_state": "to_send", "notice_result": False})
        for doc in docs:
            doc.message_post(
                body=self.env._(
                    "04/SS notice put back to be sent again (message %(mtdiep)s).",
                    mtdiep=doc.notice_message_id,
                ),
                subtype_xmlid="mail.mt_note",
            )
        if docs:
            self.env.ref("einvoice_vn.ir_cron_einvoice_vn_notices")._trigger()
        return True

    def _send_notice(self):
        """Send the recorded 04/SS notices (message 300) and store the answers (301);
        errors are recorded on the document, never raised. Each document is locked first
        (one held by another worker is left to it), and sending asks the T-VAN for the
        answers to the notice's MTDiep first, so a notice is never sent twice."""
        for record in self._einvoice_vn_trusted():
            doc = record.try_lock_for_update(allow_referencing=True)
            if not doc:
                continue
            doc.invalidate_recordset()
            if doc.notice_state not in ("to_send", "sent"):
                continue
            company = doc.company_id.sudo()
            try:
                with self.env.cr.savepoint():
                    if not company._einvoice_vn_sends_notices():
                        # The provider changed since the notice was recorded.
                        raise UserError(
                            self.env._(
                                "%(provider)s does not send 04/SS notices: submit the signed "
                                "file on the provider's or the tax authority's portal.",
                                provider=company.einvoice_vn_provider,
                            )
                        )
                    if not (doc.notice_attachment_id and doc.notice_message_id):
                        raise UserError(self.env._("No 04/SS notice was made to send."))
                    company._einvoice_vn_check_authority_setup()
                    client = company._einvoice_vn_client()
                    payload = {
                        "message_id": doc.notice_message_id,
                        "seller_tax_id": company.vat,
                        "xml": doc.notice_attachment_id.raw,
                    }
                    if doc.notice_state == "sent":
                        outcome = client.notice_outcome(
                            doc.notice_message_id, company.vat, doc.notice_attachment_id.raw
                        )
                    else:
                        _mtdiep, outcome = client.send_notice(payload)
                    doc._record_notice_outcome(outcome)
            except providers.ProviderError as exc:
                doc._record_notice_error(exc)
            except UserError as exc:
                doc._record_notice_error(providers.ProviderError(providers.FINAL, exc.args[0]))
            except CONCURRENCY_ERRORS:
                raise
            except Exception as exc:
                _logger.exception("04/SS notice of %s not sent", doc.display_ref)
                doc._record_notice_error(
                    providers.ProviderError(providers.FINAL, f"{type(exc).__name__}: {exc}")
                )

    def _record_notice_outcome(self, outcome):
        """``outcome``: False while the authority has not answered, else its 301."""
        self.ensure_one()
        if outcome is None:
            # The T-VAN knows no such message: sent by nobody yet.
            self.notice_state = "to_send"
            return
        if outcome is False:
            self.write({"notice_state": "sent", "notice_result": False})
            return
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"301-{self.display_ref}-{outcome.number or 'answer'}.xml",
                    "raw": outcome.xml,
                    "mimetype": "application/xml",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        reasons = [str(reason) for reason in outcome.all_reasons()]
        if outcome.accepted:
            result = self.env._(
                "Accepted by the tax authority (notice %(number)s of %(date)s).",
                number=outcome.number,
                date=outcome.date,
            )
        else:
            result = self.env._(
                "Not accepted by the tax authority (notice %(number)s of %(date)s): %(reasons)s",
                number=outcome.number,
                date=outcome.date,
                reasons="; ".join(reasons) or "-",
            )
        self.write(
            {
                "notice_state": "accepted" if outcome.accepted else "refused",
                "notice_answer_attachment_id": attachment.id,
                "notice_result": result,
            }
        )
        self.message_post(body=result, subtype_xmlid="mail.mt_note")
        if not outcome.accepted:
            self._einvoice_vn_notice_refused(result)

    def _record_notice_error(self, exc):
        """A failed sending or answer: temporary ones are retried by the notice job; a
        refusal (999) is 'not accepted'; anything else needs a look."""
        self.ensure_one()
        if exc.kind == providers.RETRYABLE:
            self.notice_result = exc.message
            return
        # Only the authority's refusal (999 TTTNhan 1) means the notice was not taken; an
        # HTTP error page or a refused login on the way needs a look, and changes nothing.
        refused = exc.kind == providers.REJECTED and exc.authority
        self.write(
            {
                "notice_state": "refused" if refused else "error",
                "notice_result": exc.message,
            }
        )
        self.message_post(
            body=self.env._("04/SS notice: %(message)s", message=exc.message),
            subtype_xmlid="mail.mt_note",
        )
        if refused:
            self._einvoice_vn_notice_refused(exc.message)

    @api.model
    def _cron_send_notices(self):
        """Send the recorded 04/SS notices and poll the answers of those sent, one locked
        document at a time, committing each: two workers never send the same notice."""

        def send(doc):
            # Locks the document itself; counted even when another worker holds it.
            doc._send_notice()
            return True

        self._einvoice_vn_run_job([("notice_state", "in", ("to_send", "sent"))], send)

    @api.model
    def _cron_fetch_authority_codes(self):
        """Viettel: read the authority code (``codeOfTax``) of accepted invoices with code
        that have none yet. SInvoice fills it on creation only for cash-register invoices;
        the others get it later, read by the search call."""
        domain = [
            ("state", "=", "accepted"),
            ("authority_code", "=", False),
            ("symbol", "=like", "C%"),
            ("company_id.einvoice_vn_provider", "=", "viettel"),
        ]

        def fetch(doc):
            doc.filtered(lambda d: not d.authority_code)._fetch_authority_code()
            return True

        self._einvoice_vn_run_job(domain, fetch, lock=True)

    def _fetch_authority_code(self):
        for doc in self._einvoice_vn_trusted():
            company = doc.company_id.sudo()
            try:
                found = company._einvoice_vn_client().lookup(company.vat, doc.transaction_uuid)
            except providers.ProviderError as exc:
                _logger.warning("Authority code of %s not read: %s", doc.display_ref, exc.message)
                continue
            if found and found.authority_code:
                doc.authority_code = found.authority_code
                doc.message_post(
                    body=self.env._(
                        "Authority code (MCCQT) received: %(code)s", code=found.authority_code
                    ),
                    subtype_xmlid="mail.mt_note",
                )
