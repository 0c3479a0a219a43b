import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from ..pipeline.release import Caps
from .common import O2cCommon


@tagged("post_install", "-at_install")
class TestRelease(O2cCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules()
        cls.warehouse.o2c_release_by_waves = True
        cls.Picking = cls.env["stock.picking"]

    def _confirmed(self, lines=None, **kwargs):
        order = self._order(lines=lines, **kwargs)
        order.action_confirm()
        self.assertEqual(order.picking_ids.state, "assigned")
        return order

    def _release(self, warehouse=None, **caps):
        return self.Picking._o2c_release(warehouse or self.warehouse, Caps(**caps))

    def _ship(self, picking):
        picking.move_ids.picked = True
        result = picking.button_validate()
        self.assertIs(result, True)
        self.assertEqual(picking.state, "done")

    def _snapshot(self, pickings):
        return {
            picking.id: (
                picking.batch_id.id,
                picking.state,
                [(m.product_id.id, m.product_uom_qty, m.quantity) for m in picking.move_ids],
            )
            for picking in pickings
        }

    # ------------------------------------------------------------------
    # Release and waves
    # ------------------------------------------------------------------

    def test_waves_respect_order_and_line_caps(self):
        two_lines = [(self.product_fish_sauce, 1.0), (self.product_coffee, 1.0)]
        orders = [self._confirmed(lines=two_lines) for _ in range(3)]
        orders += [self._confirmed() for _ in range(3)]
        batches = self._release(max_orders=3, max_lines=4)
        pickings = self.env["sale.order"].union(*orders).picking_ids
        self.assertTrue(all(p.batch_id for p in pickings))
        self.assertEqual(set(batches.picking_ids.ids), set(pickings.ids))
        for batch in batches:
            self.assertTrue(batch.o2c_release)
            self.assertEqual(batch.state, "in_progress")
            self.assertLessEqual(len(batch.picking_ids), 3)
            self.assertLessEqual(len(batch.move_ids), 4)
        # Oldest first: 2+2 lines, 2 lines + 1 + 1, then the last single-line order.
        self.assertEqual([len(b.picking_ids) for b in batches], [2, 3, 1])
        self.assertTrue(all(pickings.mapped("o2c_released")))

    def test_wave_cap_leaves_the_rest_for_the_next_run(self):
        orders = [self._confirmed() for _ in range(5)]
        batches = self._release(max_orders=2, max_waves=2)
        self.assertEqual(len(batches), 2)
        self.assertEqual(len(batches.picking_ids), 4)
        self.assertEqual(
            batches.picking_ids,
            orders[0].picking_ids
            | orders[1].picking_ids
            | orders[2].picking_ids
            | orders[3].picking_ids,
        )
        self.assertFalse(orders[4].picking_ids.o2c_released)
        later = self._release(max_orders=2, max_waves=2)
        self.assertEqual(later.picking_ids, orders[4].picking_ids)

    def test_priority_channel_promise_vip_then_age(self):
        plain_old = self._confirmed()
        vip_customer = self.customer.copy({"name": "Khách VIP", "o2c_vip": True})
        vip = self._confirmed(partner=vip_customer)
        promised = self._order()
        promised.commitment_date = fields.Datetime.now() - datetime.timedelta(days=3)
        promised.action_confirm()
        self.channel_shopee.release_priority = 10
        express = self._confirmed(channel=self.channel_shopee, method=self.cod)
        batches = self._release(max_orders=1)
        released = [b.picking_ids.sale_id for b in batches]
        self.assertEqual(released, [express, promised, vip, plain_old])

    def test_only_ready_verified_orders_of_the_warehouse(self):
        ready = self._confirmed()
        quotation = self._order()
        held = self._confirmed()
        # An order put back on hold after confirmation (e.g. a rule failing on recheck).
        self.env["o2c.check.result"].sudo().create(
            {
                "order_id": held.id,
                "check_id": self.checks["credit"].id,
                "state": "block",
                "message": "Credit limit exceeded",
            }
        )
        self.assertTrue(held.o2c_hold)
        out_of_stock = self._create_product(name="Green tea 100g", is_storable=True)
        waiting = self._order(lines=[(out_of_stock, 1.0)])
        waiting.action_confirm()
        self.assertEqual(waiting.picking_ids.state, "confirmed")
        batches = self._release()
        self.assertEqual(batches.picking_ids, ready.picking_ids)
        self.assertFalse(quotation.picking_ids)
        self.assertFalse(held.picking_ids.batch_id)
        self.assertFalse(waiting.picking_ids.batch_id)

    def test_release_twice_changes_nothing(self):
        orders = [self._confirmed(lines=[(self.product_fish_sauce, 3.0)]) for _ in range(4)]
        pickings = self.env["sale.order"].union(*orders).picking_ids
        first = self._release(max_orders=2)
        self.assertEqual(len(first), 2)
        before = self._snapshot(pickings)
        batch_count = self.env["stock.picking.batch"].search_count([])
        second = self._release(max_orders=2)
        self.assertFalse(second)
        self.assertEqual(self.env["stock.picking.batch"].search_count([]), batch_count)
        self.assertEqual(self._snapshot(pickings), before)
        for move in pickings.move_ids:
            self.assertEqual(move.product_uom_qty, 3.0)
            self.assertEqual(move.quantity, 3.0)
        self.assertEqual(
            self.env["stock.move"].search_count([("picking_id", "in", pickings.ids)]), 4
        )

    def test_overlapping_runs_never_share_a_picking(self):
        """Run A plans its waves, run B releases everything meanwhile; A's waves,
        locked and read again, find nothing left to take."""
        orders = [self._confirmed() for _ in range(5)]
        pickings = self.env["sale.order"].union(*orders).picking_ids
        plan_a = self.Picking._o2c_release_plan(self.warehouse, Caps(max_orders=2))
        self.assertEqual(sum(len(w) for w in plan_a), 5)
        batches_b = self._release(max_orders=3)
        self.assertEqual(batches_b.picking_ids, pickings)
        before = self._snapshot(pickings)
        batches_a = self.Picking._o2c_release_waves(self.warehouse, plan_a)
        self.assertFalse(batches_a)
        self.assertEqual(self._snapshot(pickings), before)

    def test_picking_already_in_a_batch_is_left_alone(self):
        manual, other = self._confirmed(), self._confirmed()
        self.env["stock.picking.to.batch"].with_context(active_ids=manual.picking_ids.ids).create(
            {"mode": "new"}
        ).attach_pickings()
        own_batch = manual.picking_ids.batch_id
        self.assertTrue(own_batch)
        batches = self._release()
        self.assertEqual(batches.picking_ids, other.picking_ids)
        self.assertEqual(manual.picking_ids.batch_id, own_batch)
        self.assertFalse(manual.picking_ids.o2c_released)

    def test_unreleased_delivery_cannot_be_validated(self):
        order = self._confirmed()
        picking = order.picking_ids
        picking.move_ids.picked = True
        with self.assertRaisesRegex(UserError, picking.name):
            picking.button_validate()
        self._release()
        self._ship(picking)

    def test_release_wizard_defaults_and_caps(self):
        self.company.write({"o2c_wave_max_orders": 7, "o2c_wave_max_lines": 50})
        self.warehouse.o2c_wave_max_orders = 2
        orders = [self._confirmed() for _ in range(3)]
        wizard = Form(self.env["o2c.release.wizard"])
        wizard.warehouse_id = self.warehouse
        self.assertEqual(wizard.max_orders, 2)
        self.assertEqual(wizard.max_lines, 50)
        self.assertEqual(wizard.ready_count, 3)
        action = wizard.save().action_release()
        batches = self.env["stock.picking.batch"].search(action["domain"])
        self.assertEqual(len(batches), 2)
        self.assertEqual(batches.picking_ids, self.env["sale.order"].union(*orders).picking_ids)
        with self.assertRaisesRegex(UserError, "No delivery"):
            Form(self.env["o2c.release.wizard"]).save().action_release()
        wizard = Form(self.env["o2c.release.wizard"])
        wizard.max_lines = -1
        with self.assertRaisesRegex(UserError, "lines per wave -1"):
            wizard.save().action_release()

    def test_negative_warehouse_cap_is_refused_naming_field_and_value(self):
        with self.assertRaisesRegex(
            ValidationError, r"Lines per Pick Wave cannot be negative \(-5\)"
        ):
            self.warehouse.o2c_wave_max_lines = -5

    def test_warehouse_user_without_sales_rights_releases(self):
        order = self._confirmed()
        keeper = new_test_user(
            self.env,
            login="wave-keeper",
            groups="stock.group_stock_user",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        self.assertFalse(keeper.has_group("sales_team.group_sale_salesman"))
        wizard = Form(self.env["o2c.release.wizard"].with_user(keeper))
        wizard.warehouse_id = self.warehouse
        self.assertEqual(wizard.ready_count, 1)
        wizard.save().action_release()
        self.assertTrue(order.picking_ids.batch_id.o2c_release)
        self.assertEqual(order.picking_ids.batch_id.create_uid, keeper)

    # ------------------------------------------------------------------
    # Packing check
    # ------------------------------------------------------------------

    def _released_picking(self, qty=2.0):
        order = self._confirmed(lines=[(self.product_fish_sauce, qty)])
        self._release()
        return order.picking_ids

    def test_extra_quantity_is_refused_naming_product_and_quantities(self):
        picking = self._released_picking()
        picking.move_ids.write({"quantity": 3.0, "picked": True})
        with self.assertRaisesRegex(UserError, r"Fish sauce 500ml: extra: ordered 2 .*picked 3"):
            picking.button_validate()
        self.assertEqual(picking.state, "assigned")

    def test_wrong_product_is_refused_then_a_manager_overrides(self):
        picking = self._released_picking()
        picking.move_ids.picked = True
        self.env["stock.move"].create(
            {
                "picking_id": picking.id,
                "product_id": self.product_coffee.id,
                "product_uom_qty": 1.0,
                "quantity": 1.0,
                "picked": True,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
            }
        )
        with self.assertRaisesRegex(UserError, "Ground coffee 250g: wrong product"):
            picking.button_validate()
        clerk = new_test_user(
            self.env,
            login="pack-clerk",
            groups="stock.group_stock_user,sales_team.group_sale_salesman",
        )
        with self.assertRaises(AccessError):
            picking.with_user(clerk).action_o2c_pack_override()
        action = picking.action_o2c_pack_override()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard.reason = "Customer agreed to get the coffee as a gift"
        wizard.save().action_override()
        self.assertTrue(picking.o2c_pack_override)
        self.assertEqual(picking.o2c_pack_override_user_id, self.env.user)
        self._ship(picking)

    def test_missing_item_without_backorder_is_refused(self):
        picking = self._released_picking()
        picking.move_ids.write({"quantity": 1.0, "picked": True})
        result = picking.button_validate()
        wizard = Form.from_action(self.env, result).save()
        with self.assertRaisesRegex(UserError, r"Fish sauce 500ml: missing: ordered 2 .*picked 1"):
            wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "assigned")

    def test_matching_parcel_ships_with_package_weight(self):
        picking = self._released_picking()
        picking.move_ids.picked = True
        picking.action_put_in_pack()
        package = picking.move_line_ids.result_package_id
        self.assertTrue(package)
        package.shipping_weight = 1.2
        self._ship(picking)
        self.assertEqual(picking.move_line_ids.result_package_id.shipping_weight, 1.2)

    # ------------------------------------------------------------------
    # Short picks
    # ------------------------------------------------------------------

    def test_short_pick_backorder_and_exception_until_it_ships(self):
        order = self._confirmed(lines=[(self.product_fish_sauce, 5.0)])
        self._release()
        picking = order.picking_ids
        picking.move_ids.write({"quantity": 3.0, "picked": True})
        result = picking.button_validate()
        Form.from_action(self.env, result).save().process()
        self.assertEqual(picking.state, "done")
        backorder = picking.backorder_ids
        self.assertEqual(backorder.move_ids.product_uom_qty, 2.0)
        self.assertTrue(order.o2c_pick_exception)
        self.assertIn(picking.name, order.o2c_pick_exception_reason)
        self.assertIn(backorder.name, order.o2c_pick_exception_reason)
        self.assertIn("Fish sauce 500ml 2", order.o2c_pick_exception_reason)
        self.assertIn(
            order,
            self.env["sale.order"].search([("o2c_pick_exception", "=", True)]),
        )
        # The backorder waits for the next release like any delivery, then ships.
        self.assertFalse(backorder.o2c_released)
        self.assertEqual(self._release().picking_ids, backorder)
        self._ship(backorder)
        self.assertFalse(order.o2c_pick_exception)
        self.assertFalse(order.o2c_pick_exception_reason)

    # ------------------------------------------------------------------
    # Multi-company
    # ------------------------------------------------------------------

    def test_release_of_company_a_never_touches_company_b(self):
        company_b = self.setup_other_company(name="Công ty Kho B")["company"]
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)])
        warehouse_b.o2c_release_by_waves = True
        self.env["stock.quant"].with_company(company_b)._update_available_quantity(
            self.product_fish_sauce, warehouse_b.lot_stock_id, 10.0
        )
        order_b = (
            self.env["sale.order"]
            .with_company(company_b)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company_b.id,
                    "warehouse_id": warehouse_b.id,
                    "order_line": [Command.create({"product_id": self.product_fish_sauce.id})],
                }
            )
        )
        order_b.action_confirm()
        order_a = self._confirmed()
        batches = self._release()
        self.assertEqual(batches.picking_ids, order_a.picking_ids)
        self.assertEqual(batches.company_id, self.company)
        self.assertFalse(order_b.picking_ids.batch_id)
        self.assertFalse(order_b.picking_ids.o2c_released)
        # The scheduled job serves each warehouse in its own company.
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            self.env(cr=cr)["stock.picking"]._cron_o2c_release()
        self.env.invalidate_all()
        batch_b = order_b.picking_ids.batch_id
        self.assertTrue(batch_b)
        self.assertEqual(batch_b.company_id, company_b)
        self.assertEqual(batch_b.picking_ids, order_b.picking_ids)
