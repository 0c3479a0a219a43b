"""Release of N verified orders into capped pick waves vs Odoo's own "Add to batch".

Inside ``odoo shell`` on a database with order_to_cash. Set-up, not timed: a new warehouse, N confirmed orders
of two lines each, their deliveries ready (stock on hand), committed.

- baseline: the deliveries, oldest first, cut into groups of ``--wave-orders`` and put in a
  new batch each with Odoo's "Add to batch" wizard (``stock.picking.to.batch``: create the
  batch, link the transfers, confirm it), what a dispatcher does by hand;
- ours: ``stock.picking._o2c_release`` on the warehouse with the same caps: search the ready
  deliveries of verified orders, order them by channel priority, promise, VIP and age, cut
  them into capped waves, lock each wave's rows and read them again, make its batch.

Both runs are rolled back and alternate twice; the best of each is compared. Both sides end
with the same number of batches holding every delivery. Printed: ours / baseline (goal
<= 1.3x).
"""

import argparse
import textwrap

from shell import run_in_shell

SCRIPT = textwrap.dedent(
    """
    import json, time
    from odoo import Command
    from odoo.addons.order_to_cash.pipeline.release import Caps
    N = {count}
    PER_WAVE = {per_wave}
    stamp = str(time.time_ns())
    # A warehouse of its own: no delivery of earlier runs or users is ready in it. Releasing
    # by waves switches off Odoo's automatic batches Odoo gives new warehouses' deliveries.
    warehouse = env['stock.warehouse'].create({{
        'name': f'Release bench {{stamp}}', 'code': 'R' + stamp[-4:],
        'o2c_release_by_waves': True}})
    assert not warehouse.out_type_id.auto_batch
    partner = env['res.partner'].create({{
        'name': 'Release bench', 'phone': '+84 900 000 003', 'street': '1 Lê Lợi',
        'city': 'Phường Sài Gòn', 'state_id': env.ref('base.state_vn_VN-SG').id,
        'country_id': env.ref('base.vn').id}})
    products = env['product.product'].create([{{
        'name': f'Release {{i}} {{stamp}}', 'is_storable': True, 'type': 'consu',
        'list_price': 100.0, 'standard_price': 50.0}} for i in range(2)])
    for product in products:
        env['stock.quant']._update_available_quantity(product, warehouse.lot_stock_id, 10 * N)
    orders = env['sale.order'].create([{{
        'partner_id': partner.id, 'warehouse_id': warehouse.id,
        'order_line': [Command.create({{'product_id': p.id, 'product_uom_qty': 1 + i % 3}})
                       for p in products]}} for i in range(N)])
    orders.action_confirm()
    pickings = orders.picking_ids.sorted('id')
    assert len(pickings) == N and set(pickings.mapped('state')) == {{'assigned'}}
    env.cr.commit()
    env.cr.execute('ANALYZE')
    env.invalidate_all()

    def baseline():
        env.flush_all()
        started = time.perf_counter()
        for start in range(0, N, PER_WAVE):
            chunk = pickings[start:start + PER_WAVE]
            env['stock.picking.to.batch'].with_context(active_ids=chunk.ids).create(
                {{'mode': 'new'}}).attach_pickings()
        env.flush_all()
        elapsed = time.perf_counter() - started
        batches = pickings.batch_id
        assert len(batches) == -(-N // PER_WAVE) and all(pickings.mapped('batch_id'))
        env.cr.rollback()
        env.invalidate_all()
        return elapsed

    def ours():
        env.flush_all()
        started = time.perf_counter()
        batches = env['stock.picking']._o2c_release(
            warehouse, Caps(max_orders=PER_WAVE, max_lines=2 * PER_WAVE))
        env.flush_all()
        elapsed = time.perf_counter() - started
        assert len(batches) == -(-N // PER_WAVE), len(batches)
        assert batches.picking_ids == pickings
        env.cr.rollback()
        env.invalidate_all()
        return elapsed

    base, mine = [], []
    for _ in range(2):
        base.append(baseline())
        mine.append(ours())
    print('RESULT=' + json.dumps({{'base': base, 'ours': mine}}))
    """
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--wave-orders", type=int, default=20)
    args = parser.parse_args()
    r = run_in_shell(args.database, SCRIPT.format(count=args.count, per_wave=args.wave_orders))
    base, ours = min(r["base"]), min(r["ours"])
    print(f"verified orders: {args.count}, {args.wave_orders} per wave (best of 2 each)")
    print(
        f"  Odoo 'Add to batch' per group      : {base:7.2f} s  {[round(v, 2) for v in r['base']]}"
    )
    print(
        f"  release in capped waves (ours)     : {ours:7.2f} s  {[round(v, 2) for v in r['ours']]}"
    )
    print(f"  ours / Odoo: {ours / base:.2f}x  (goal <= 1.3x)")


if __name__ == "__main__":
    main()
