"""Confirm -> deliver -> invoice for N orders: a database with order_to_cash vs one without.

The same script runs inside ``odoo shell`` on each database, alternately, and reports the
time of the flow per order: confirm (with order_to_cash: the verification rules and the
stage spine), validate the delivery, create and post the invoice. Goal: overhead <= 1.15x.
Both databases hold the same data (bench/run gives the flow its own order_to_cash database).
Before the measured rounds, each database goes through the same flow once, committed, and is
analysed: on a fresh database the planner's statistics say stock moves and pickings are
near-empty, and one of Odoo's picking look-ups then slowed a whole round 3-5x as the round's
own (uncommitted) rows piled up — on vanilla Odoo as often as with order_to_cash. A real
database has those rows. Measured rounds are rolled back; the best of each is compared.
"""

import argparse
import textwrap

from shell import run_in_shell

FLOW = textwrap.dedent(
    """
    import json, time
    from odoo import Command
    N = {orders}
    stamp = str(time.time_ns())
    if 'o2c_verify_manual_orders' in env.company._fields:
        # The bench orders have no channel: opt them in so the rules' cost is measured.
        env.company.o2c_verify_manual_orders = True
    partner = env['res.partner'].create({{
        'name': 'Flow bench', 'phone': '+84 900 000 002', 'street': '1 Lê Lợi',
        'city': 'Phường Sài Gòn', 'state_id': env.ref('base.state_vn_VN-SG').id,
        'country_id': env.ref('base.vn').id}})
    warehouse = env['stock.warehouse'].search([('company_id', '=', env.company.id)], limit=1)
    products = env['product.product'].create([{{
        'name': f'Flow {{i}} {{stamp}}', 'is_storable': True, 'type': 'consu',
        'list_price': 100.0, 'standard_price': 50.0, 'invoice_policy': 'delivery'}}
        for i in range(2)])
    for product in products:
        env['stock.quant']._update_available_quantity(product, warehouse.lot_stock_id, 100000)
    orders = env['sale.order'].create([{{
        'partner_id': partner.id,
        'order_line': [Command.create({{'product_id': p.id, 'product_uom_qty': 1 + i}})
                       for p in products]}} for i in range(N)])
    env.cr.commit()
    env.invalidate_all()
    started = time.perf_counter()
    for order in orders:
        order.action_confirm()
        for picking in order.picking_ids:
            picking.move_ids.picked = True
            picking.with_context(skip_sms=True).button_validate()
        order._create_invoices().action_post()
        env.flush_all()
    elapsed = time.perf_counter() - started
    assert all(o.invoice_status == 'invoiced' for o in orders)
    if 'o2c_stage' in orders._fields:
        assert set(orders.mapped('o2c_stage')) == {{'shipped'}}, set(orders.mapped('o2c_stage'))
    if {warmup}:
        env.cr.commit()
        env.cr.execute('ANALYZE')
    else:
        env.cr.rollback()
    print('RESULT=' + json.dumps({{'seconds': elapsed}}))
    """
)


def run(database, orders, warmup=False):
    return run_in_shell(database, FLOW.format(orders=orders, warmup=warmup))["seconds"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("vanilla")
    parser.add_argument("o2c")
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for database in (args.vanilla, args.o2c):
        run(database, args.orders, warmup=True)
    vanilla, ours = [], []
    for _ in range(args.rounds):
        vanilla.append(run(args.vanilla, args.orders))
        ours.append(run(args.o2c, args.orders))
    best_vanilla, best_ours = min(vanilla), min(ours)
    print(f"orders: {args.orders}, rounds: {args.rounds} (best of each)")
    print(f"  without order_to_cash: {best_vanilla:7.2f} s  {[round(v, 2) for v in vanilla]}")
    print(f"  with order_to_cash   : {best_ours:7.2f} s  {[round(v, 2) for v in ours]}")
    print(f"  overhead: {best_ours / best_vanilla:.3f}x  (goal <= 1.15x)")


if __name__ == "__main__":
    main()
