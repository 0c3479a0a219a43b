"""The SLA job (``sale.order._cron_o2c_sla``) on N then 5N open orders: linear and batched.

Inside ``odoo shell`` on a database with order_to_cash (e.g. a copy of main_spb). Set-up, not
timed: a calendar, an SLA profile and one order made through the ORM; its row is copied with
SQL (``INSERT ... SELECT ... generate_series``) into N open orders whose SLA deadlines are
already stored, a third each breached, at risk and on track, all still marked "on track":
the job has to write two thirds of the statuses and make one activity for each of them.

Measured, for N (``--small``) and then 5N (``--count``) orders, each on a fresh set:
- the wall time of the job, and its ratio (goal: ~5x, linear);
- the batches: the rows each commit closed (``_commit_progress`` is wrapped to read
  ``txid_current()`` before it commits): no transaction may hold more than one batch, so
  every batch has its own transaction id and no batch exceeds the batch size;
- a second run right after: nothing left to do, no second activity.

Printed: times, rows per second, the ratio 5N/N, commits and the largest batch.
"""

import argparse
import textwrap

from shell import run_in_shell

SCRIPT = textwrap.dedent(
    """
    import json, time
    from odoo import Command
    from odoo.addons.order_to_cash.models.sale_order import SLA_BATCH_SIZE
    SIZES = [{small}, {big}]
    Order = env['sale.order']
    IrCron = type(env['ir.cron'])
    admin = env.ref('base.user_admin')
    calendar = env['resource.calendar'].create({{'name': 'SLA bench', 'tz': 'Asia/Ho_Chi_Minh'}})
    profile = env['o2c.sla.profile'].create({{
        'name': 'SLA bench', 'sequence': 0, 'resource_calendar_id': calendar.id,
        'line_ids': [Command.create({{'transition': 'verified', 'hours': 4}})]}})
    partner = env['res.partner'].create({{'name': 'SLA bench customer'}})
    template = Order.create({{'partner_id': partner.id, 'user_id': admin.id}})
    env.cr.commit()
    special = {{
        'name': "'SLAB' || g",
        'o2c_sla_profile_id': str(profile.id),
        'o2c_sla_next_stage': "'verified'",
        'o2c_sla_status': "'on_track'",
        'o2c_sla_alerted': 'NULL',
        'o2c_sla_alert_due': 'NULL',
        # breached / at risk / on track, a third each
        'o2c_sla_deadline': "(now() at time zone 'UTC') + CASE g %% 3 WHEN 0 THEN "
        "interval '-1 hour' WHEN 1 THEN interval '1 hour' ELSE interval '10 hour' END",
        'o2c_sla_risk_date': "(now() at time zone 'UTC') + CASE g %% 3 WHEN 0 THEN "
        "interval '-2 hour' WHEN 1 THEN interval '-1 hour' ELSE interval '8 hour' END",
    }}
    columns = [f.name for f in Order._fields.values() if f.store and f.column_type and f.name != 'id']
    select = [special.get(c, 't.' + c) for c in columns]

    def fill(n):
        env.cr.execute("DELETE FROM mail_activity WHERE res_model = 'sale.order' AND res_id IN "
                       "(SELECT id FROM sale_order WHERE name LIKE 'SLAB%%')")
        env.cr.execute("DELETE FROM sale_order WHERE name LIKE 'SLAB%%'")
        env.cr.execute(
            f"INSERT INTO sale_order ({{', '.join(columns)}}) SELECT {{', '.join(select)}} "
            "FROM sale_order t, generate_series(1, %s) g WHERE t.id = %s",
            (n, template.id))
        env.cr.commit()
        env.cr.execute('ANALYZE sale_order')
        env.cr.commit()
        env.invalidate_all()

    def activities():
        env.cr.execute("SELECT count(*) FROM mail_activity a JOIN sale_order o ON o.id = a.res_id "
                       "WHERE a.res_model = 'sale.order' AND o.name LIKE 'SLAB%%'")
        return env.cr.fetchone()[0]

    original = IrCron._commit_progress
    commits = []

    def recording(self, processed=0, **kwargs):
        self.env.cr.execute('SELECT txid_current()')
        commits.append((processed, self.env.cr.fetchone()[0]))
        return original(self, processed, **kwargs)

    IrCron._commit_progress = recording
    runs = []
    try:
        for n in SIZES:
            fill(n)
            commits.clear()
            started = time.perf_counter()
            Order._cron_o2c_sla()
            elapsed = time.perf_counter() - started
            batches = [c for c in commits if c[0]]
            made = activities()
            env.cr.execute("SELECT o2c_sla_status, count(*) FROM sale_order "
                           "WHERE name LIKE 'SLAB%%' GROUP BY 1")
            statuses = dict(env.cr.fetchall())
            commits.clear()
            started = time.perf_counter()
            Order._cron_o2c_sla()
            again = time.perf_counter() - started
            runs.append({{
                'n': n, 'seconds': elapsed, 'commits': len(batches),
                'max_batch': max(c[0] for c in batches),
                'rows': sum(c[0] for c in batches),
                'distinct_tx': len({{c[1] for c in batches}}),
                'activities': made, 'statuses': statuses,
                'rerun_seconds': again, 'rerun_rows': sum(c[0] for c in commits),
                'activities_after_rerun': activities(),
            }})
    finally:
        IrCron._commit_progress = original
        fill(0)
        template.unlink()
        profile.unlink()
        calendar.unlink()
        env.cr.commit()
    print('RESULT=' + json.dumps({{'runs': runs, 'batch_size': SLA_BATCH_SIZE}}))
    """
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--small", type=int, default=10000)
    parser.add_argument("--count", type=int, default=50000)
    args = parser.parse_args()
    r = run_in_shell(args.database, SCRIPT.format(small=args.small, big=args.count))
    small, big = r["runs"]
    print(f"SLA job, batch size {r['batch_size']}")
    for run in (small, big):
        print(
            f"  {run['n']:>7,} open orders: {run['seconds']:7.2f} s "
            f"({run['n'] / run['seconds']:,.0f} orders/s), {run['rows']:,} rows in "
            f"{run['commits']} commits ({run['distinct_tx']} transactions), largest batch "
            f"{run['max_batch']}, {run['activities']:,} activities, statuses {run['statuses']}"
        )
        print(
            f"           rerun: {run['rerun_seconds']:.2f} s, {run['rerun_rows']} rows, "
            f"activities still {run['activities_after_rerun']:,}"
        )
        assert run["max_batch"] <= r["batch_size"], "a transaction held more than one batch"
        assert run["distinct_tx"] == run["commits"], "two batches shared a transaction"
        assert run["activities_after_rerun"] == run["activities"], "duplicate alerts"
    print(
        f"  time {big['n']:,} / {small['n']:,}: {big['seconds'] / small['seconds']:.2f}x "
        f"for {big['n'] / small['n']:.0f}x the orders (goal: linear, ~{big['n'] / small['n']:.0f}x)"
    )


if __name__ == "__main__":
    main()
