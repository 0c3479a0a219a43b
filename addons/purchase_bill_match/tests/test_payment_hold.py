from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import BillMatchCommon


@tagged("post_install", "-at_install")
class TestPaymentHold(BillMatchCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Billed 10, received 6: on hold. Another bill matches.
        cls.order = cls._po_cls([(cls.product, 10, 100)])
        cls._receive_cls(cls.order, 6)
        cls.held = cls._bill_cls(cls.order.order_line, 10, 100)
        cls.order_ok = cls._po_cls([(cls.product_b, 5, 20)])
        cls._receive_cls(cls.order_ok, None)
        cls.ready = cls._bill_cls(cls.order_ok.order_line, 5, 20)

    # setUpClass needs class-level helpers: run the instance ones on a
    # throwaway instance sharing the class environment.
    @classmethod
    def _po_cls(cls, lines):
        return cls._po(cls, lines)

    @classmethod
    def _receive_cls(cls, order, qty):
        return cls._receive(cls, order, qty)

    @classmethod
    def _bill_cls(cls, po_line, qty, price):
        return cls._bill(cls, [{"po_line": po_line, "qty": qty, "price": price}])

    def _wizard(self, bills):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=bills.ids)
            .create({"journal_id": self.bank_journal.id})
        )

    def _outbound_payment(self, amount, **vals):
        return self.env["account.payment"].create(
            {
                "payment_type": "outbound",
                "partner_type": "supplier",
                "partner_id": self.vendor.id,
                "amount": amount,
                "journal_id": self.bank_journal.id,
                **vals,
            }
        )

    def test_states(self):
        self.assertEqual(self.held.bill_match_state, "hold")
        self.assertEqual(self.ready.bill_match_state, "ready")

    def test_pay_button_is_blocked(self):
        with self.assertRaisesRegex(UserError, self.held.name):
            self.held.action_register_payment()

    def test_single_payment_wizard_is_blocked(self):
        wizard = self._wizard(self.held)
        with self.assertRaisesRegex(UserError, "Payment blocked"):
            wizard.action_create_payments()
        self.assertEqual(self.held.payment_state, "not_paid")

    def test_batch_payment_wizard_is_blocked_and_names_the_held_bill(self):
        for group_payment in (False, True):
            wizard = self._wizard(self.held | self.ready)
            wizard.group_payment = group_payment
            with self.assertRaises(UserError) as caught:
                wizard.action_create_payments()
            self.assertIn(self.held.name, str(caught.exception))
            self.assertNotIn(self.ready.name, str(caught.exception))
        self.assertEqual(self.held.payment_state, "not_paid")
        self.assertEqual(self.ready.payment_state, "not_paid")

    def test_ready_bill_is_paid_through_the_wizard(self):
        self._wizard(self.ready).action_create_payments()
        self.assertIn(self.ready.payment_state, ("paid", "in_payment"))

    def test_api_payment_register_as_rpc_user(self):
        # what an RPC client calls: create the wizard with the context, then
        # action_create_payments, as a plain accountant
        accountant = self._bm_user("bm_api", "account.group_account_invoice")
        wizard = (
            self.env["account.payment.register"]
            .with_user(accountant)
            .with_context(active_model="account.move", active_ids=self.held.ids)
            .create({})
        )
        with self.assertRaisesRegex(UserError, "Payment blocked"):
            wizard.action_create_payments()

    def test_api_payment_posted_and_reconciled_is_blocked(self):
        payment = self._outbound_payment(1000)
        payment.action_post()  # an unallocated payment is fine
        with self.assertRaisesRegex(UserError, self.held.name):
            (self._payable(payment.move_id) + self._payable(self.held)).reconcile()
        self.assertEqual(self.held.payment_state, "not_paid")

    def test_api_payment_linked_to_bill_is_blocked(self):
        payment = self._outbound_payment(1000, invoice_ids=[Command.set(self.held.ids)])
        with self.assertRaisesRegex(UserError, self.held.name):
            payment.action_post()

    def test_bank_statement_line_reconciliation_is_blocked(self):
        st_line = self.env["account.bank.statement.line"].create(
            {
                "payment_ref": "Trả NCC A",
                "journal_id": self.bank_journal.id,
                "partner_id": self.vendor.id,
                "amount": -1000,
                "date": fields.Date.today(),
            }
        )
        __, suspense, __ = st_line.with_context(
            skip_account_move_synchronization=True
        )._seek_for_lines()
        payable = self._payable(self.held)
        suspense.account_id = payable.account_id
        with self.assertRaisesRegex(UserError, "Payment blocked"):
            (suspense + payable).reconcile()
        self.assertEqual(self.held.payment_state, "not_paid")

    def test_draft_bill_cannot_be_paid_before_it_is_matched(self):
        # Odoo lets a payment be registered on a draft bill; posting it later would
        # mark it paid whatever the match finds.
        order = self._po([(self.product_b, 2, 50)])
        self._receive(order)
        draft = self._bill([{"po_line": order.order_line, "qty": 2, "price": 50}], post=False)
        with self.assertRaisesRegex(UserError, "not matched yet"):
            draft.action_force_register_payment()
        wizard = self._wizard(draft)
        self.assertTrue(wizard.is_register_payment_on_draft)
        with self.assertRaisesRegex(UserError, "not matched yet"):
            wizard.action_create_payments()
        payment = self._outbound_payment(100, invoice_ids=[Command.set(draft.ids)])
        with self.assertRaisesRegex(UserError, "not matched yet"):
            payment.action_post()
        # Only the draft payment made over the API is there, still a draft.
        self.assertEqual(draft.matched_payment_ids, payment)
        self.assertEqual(payment.state, "draft")
        payment.unlink()
        # Once posted and matched, it is paid like any ready bill.
        draft.action_post()
        self.assertEqual(draft.bill_match_state, "ready")
        self._wizard(draft).action_create_payments()
        self.assertIn(draft.payment_state, ("in_payment", "paid"))

    def test_credit_note_at_another_rate_reconciles_with_exchange_difference(self):
        # Reconciling a held bill with its own credit note: Odoo posts an exchange
        # difference entry and reconciles it with the bill inside the same plan.
        currency = self.setup_other_currency("EUR")
        fee = self._bm_product("Phí vận chuyển")

        def move(move_type, day, **vals):
            return self.env["account.move"].create(
                {
                    "move_type": move_type,
                    "partner_id": self.vendor.id,
                    "currency_id": currency.id,
                    "invoice_date": day,
                    "date": day,
                    "invoice_line_ids": [
                        Command.create({"product_id": fee.id, "quantity": 1, "price_unit": 300.0})
                    ],
                    **vals,
                }
            )

        bill = move("in_invoice", "2016-06-01")
        bill.action_post()
        self.assertEqual(bill.bill_match_state, "exception")
        refund = move("in_refund", "2017-06-01", reversed_entry_id=bill.id)
        refund.action_post()
        lines = self._payable(bill) + self._payable(refund)
        if not lines.filtered("reconciled"):
            lines.reconcile()
        self.assertTrue(self._payable(bill).reconciled)
        self.assertTrue(self._payable(bill).matched_debit_ids.exchange_move_id)
        # Paying it is still refused.
        with self.assertRaisesRegex(UserError, "Payment blocked"):
            self._outbound_payment(1, invoice_ids=[Command.set(bill.ids)]).action_post()

    def test_credit_note_reconciles_with_cash_basis_entries(self):
        # Cash basis taxes: reconciling the held bill with its own credit note makes
        # Odoo post cash basis entries and reconcile them with the bill's tax line.
        transition = self.env["account.account"].create(
            {
                "code": "BMCABA",
                "name": "Thuế GTGT chờ khấu trừ",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        self.company.tax_exigibility = True
        tax = self.env["account.tax"].create(
            {
                "name": "VAT 10% on payment",
                "amount": 10,
                "type_tax_use": "purchase",
                "tax_exigibility": "on_payment",
                "cash_basis_transition_account_id": transition.id,
            }
        )
        fee = self._bm_product("Phí kiểm định")

        def move(move_type, **vals):
            return self.env["account.move"].create(
                {
                    "move_type": move_type,
                    "partner_id": self.vendor.id,
                    "invoice_date": fields.Date.today(),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": fee.id,
                                "quantity": 1,
                                "price_unit": 1000.0,
                                "tax_ids": [Command.set(tax.ids)],
                            }
                        )
                    ],
                    **vals,
                }
            )

        bill = move("in_invoice")
        bill.action_post()
        self.assertEqual(bill.bill_match_state, "exception")
        refund = move("in_refund", reversed_entry_id=bill.id)
        refund.action_post()
        self.assertTrue(self._payable(bill).reconciled)
        caba = self.env["account.move"].search([("tax_cash_basis_origin_move_id", "=", bill.id)])
        self.assertTrue(caba)

    def test_own_credit_note_may_be_reconciled(self):
        today = fields.Date.today()
        reversal = self.held._reverse_moves([{"invoice_date": today, "date": today}], cancel=True)
        self.assertEqual(reversal.reversed_entry_id, self.held)
        self.assertIn(self.held.payment_state, ("reversed", "paid"))

    def test_approval_releases_the_payment(self):
        wizard = (
            self.env["purchase.bill.match.approve"]
            .with_context(active_model="account.move", active_ids=self.held.ids)
            .create({"reason": "Phần còn lại giao tuần sau, đã xác nhận với NCC"})
        )
        wizard.action_approve()
        self.assertEqual(self.held.bill_match_state, "approved")
        self.assertEqual(self.held.bill_match_approved_by_id, self.env.user)
        self.assertIn("giao tuần sau", self.held.bill_match_approval_reason)
        self._wizard(self.held).action_create_payments()
        self.assertIn(self.held.payment_state, ("paid", "in_payment"))

    def test_approval_is_tracked_in_chatter(self):
        held = self.held.with_context(tracking_disable=False, mail_notrack=False)
        held._bill_match_approve("Giá mới theo phụ lục HĐ")
        bodies = " ".join(held.message_ids.mapped("body"))
        self.assertIn("Giá mới theo phụ lục HĐ", bodies)

    def test_approval_needs_a_reason(self):
        with self.assertRaisesRegex(UserError, "reason"):
            self.held._bill_match_approve("  ")

    def test_non_manager_cannot_approve(self):
        accountant = self._bm_user("bm_clerk", "account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.held.with_user(accountant)._bill_match_approve("tôi muốn trả")
        with self.assertRaises(AccessError):
            self.env["purchase.bill.match.approve"].with_user(accountant).create(
                {"move_ids": [Command.set(self.held.ids)], "reason": "x"}
            )
        self.assertEqual(self.held.bill_match_state, "hold")

    def test_approved_bill_stays_approved_when_matched_again(self):
        self.held._bill_match_approve("ok")
        self.held.action_bill_match_evaluate()
        self.assertEqual(self.held.bill_match_state, "approved")

    def test_turning_the_match_off_keeps_held_bills_held(self):
        self.company.bill_match_enabled = False
        # held before the company turned the match off: still needs a match or an approval
        with self.assertRaisesRegex(UserError, "Payment blocked"):
            self._wizard(self.held).action_create_payments()
        self.assertEqual(self.held.payment_state, "not_paid")
        # and nothing else is blocked: a bill that matched is paid as before
        self._wizard(self.ready).action_create_payments()
        self.assertIn(self.ready.payment_state, ("paid", "in_payment"))

    def test_reset_to_draft_while_the_match_is_off_keeps_the_hold(self):
        self.company.bill_match_enabled = False
        self.held.button_draft()
        self.held.action_post()
        self.assertEqual(self.held.bill_match_state, "hold")
        with self.assertRaisesRegex(UserError, "Payment blocked"):
            self._wizard(self.held).action_create_payments()

    def test_fake_reversals_do_not_pay_a_held_bill(self):
        payable = self._payable(self.held)
        bank_account = self.bank_journal.default_account_id
        # 1. A journal entry claiming to reverse the bill, paid from the bank.
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.bank_journal.id,
                "reversed_entry_id": self.held.id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": payable.account_id.id,
                            "partner_id": self.vendor.id,
                            "debit": 1000.0,
                        }
                    ),
                    Command.create({"account_id": bank_account.id, "credit": 1000.0}),
                ],
            }
        )
        with self.assertRaisesRegex(UserError, "Payment blocked"):
            entry.action_post()
        # 2. A payment whose entry is made to look like a reversal.
        payment = self._outbound_payment(1000.0)
        payment.action_post()
        payment.move_id.reversed_entry_id = self.held
        pay_line = payment.move_id.line_ids.filtered(lambda ln: ln.account_id == payable.account_id)
        if pay_line:
            with self.assertRaisesRegex(UserError, "Payment blocked"):
                (pay_line + payable).reconcile()
        # 3. A real credit note of the bill whose line is put on the bank account.
        refund = self.held._reverse_moves(
            [{"invoice_date": fields.Date.today(), "date": fields.Date.today()}]
        )
        refund.invoice_line_ids.account_id = bank_account
        with self.assertRaisesRegex(UserError, "Payment blocked"):
            refund.action_post()
        self.assertEqual(self.held.payment_state, "not_paid")

    def test_purchase_receipt_is_held_like_a_bill(self):
        receipt = self.env["account.move"].create(
            {
                "move_type": "in_receipt",
                "partner_id": self.vendor.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "purchase_line_id": self.order.order_line.id,
                            "quantity": 100,
                            "price_unit": 100,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        receipt.action_post()
        self.assertIn(receipt.bill_match_state, ("hold", "exception"))
        with self.assertRaisesRegex(UserError, "Payment blocked"):
            self._wizard(receipt).action_create_payments()

    def test_line_match_fields_cannot_be_written_by_hand(self):
        line = self.held.invoice_line_ids[:1]
        with self.assertRaisesRegex(UserError, "match sets"):
            line.bill_match_state = "matched"
        with self.assertRaisesRegex(UserError, "match sets"):
            line.write({"bill_match_reasons": False, "name": "x"})

    def test_match_fields_cannot_be_written_by_hand(self):
        billing = self._bm_user(login="bm_billing", groups="account.group_account_invoice")
        accountant = self.env["account.move"].with_user(billing)
        with self.assertRaisesRegex(UserError, "bill_match_state"):
            self.held.with_user(billing).write({"bill_match_state": "ready"})
        self.assertEqual(self.held.bill_match_state, "hold")
        with self.assertRaisesRegex(UserError, "bill_match_state"):
            accountant.create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.vendor.id,
                    "bill_match_state": "approved",
                }
            )

    def test_payment_created_in_process_for_a_held_bill_is_refused(self):
        # Journals without an outstanding account book no entry: the payment alone
        # marks its bills paid.
        self.bank_journal.outbound_payment_method_line_ids.payment_account_id = False
        with self.assertRaisesRegex(UserError, "Payment blocked"), self.env.cr.savepoint():
            self.env["account.payment"].create(
                {
                    "payment_type": "outbound",
                    "partner_type": "supplier",
                    "partner_id": self.vendor.id,
                    "amount": self.held.amount_residual,
                    "journal_id": self.bank_journal.id,
                    "state": "in_process",
                    "invoice_ids": [Command.set(self.held.ids)],
                }
            )
        self.env.invalidate_all()
        self.assertFalse(self.env["account.payment"].search([("invoice_ids", "in", self.held.ids)]))
        self.assertEqual(self.held.payment_state, "not_paid")

    def test_payment_linked_from_the_bill_side_is_refused(self):
        self.bank_journal.outbound_payment_method_line_ids.payment_account_id = False
        payment = self.env["account.payment"].create(
            {
                "payment_type": "outbound",
                "partner_type": "supplier",
                "partner_id": self.vendor.id,
                "amount": self.held.amount_residual,
                "journal_id": self.bank_journal.id,
            }
        )
        payment.action_post()
        self.assertEqual(payment.state, "in_process")
        with self.assertRaisesRegex(UserError, "Payment blocked"), self.env.cr.savepoint():
            self.held.write({"matched_payment_ids": [Command.link(payment.id)]})
        self.env.invalidate_all()
        self.assertFalse(self.held.matched_payment_ids)
        self.assertEqual(self.held.payment_state, "not_paid")

    def test_partial_reconcile_created_directly_is_refused(self):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "outbound",
                "partner_type": "supplier",
                "partner_id": self.vendor.id,
                "amount": self.held.amount_residual,
                "journal_id": self.bank_journal.id,
            }
        )
        payment.action_post()
        pay_line = payment.move_id.line_ids.filtered(
            lambda ln: ln.account_id == self._payable(self.held).account_id
        )
        bill_line = self._payable(self.held)
        with self.assertRaisesRegex(UserError, "Payment blocked"), self.env.cr.savepoint():
            self.env["account.partial.reconcile"].create(
                {
                    "debit_move_id": pay_line.id,
                    "credit_move_id": bill_line.id,
                    "amount": bill_line.amount_residual * -1,
                    "debit_amount_currency": bill_line.amount_residual * -1,
                    "credit_amount_currency": bill_line.amount_residual * -1,
                }
            )
        self.env.invalidate_all()
        self.assertFalse(bill_line.matched_debit_ids)
        self.assertEqual(self.held.payment_state, "not_paid")

    def test_payment_wizard_form_for_ready_bill(self):
        action = self.ready.action_register_payment()
        wizard = Form.from_action(self.env, action).save()
        wizard.action_create_payments()
        self.assertIn(self.ready.payment_state, ("paid", "in_payment"))
