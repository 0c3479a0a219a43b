"""Reminder cron end to end: two cron workers at once (two processes, two database
connections) on the demo database, a real SMTP server and a real SMS gateway on 127.0.0.1.
Every reminder level must reach each customer exactly once."""

import concurrent.futures
import datetime
import email
import signal
import subprocess
import textwrap
import uuid
from email.header import decode_header, make_header

import pytest
from ar_tests import sms_gateway
from ar_tests.smtp_server import SmtpServer

CUSTOMERS = 12


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def gateway():
    with sms_gateway.SmsGateway() as server:
        yield server


def test_two_cron_workers_send_each_reminder_once(server, rpc, smtp, gateway):
    tag = uuid.uuid4().hex[:8]
    # Only this test's SMTP server is active (the demo database is the tests' own).
    rpc.call("ir.mail_server", "write", rpc.call("ir.mail_server", "search", []), {"active": False})
    rpc.call(
        "ir.mail_server",
        "create",
        {"name": f"e2e {tag}", "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "sequence": 1},
    )
    # The invoices below are made in the admin's current company: configure that one.
    [user] = rpc.call("res.users", "read", [rpc.uid], ["company_id"])
    company_id = user["company_id"][0]
    rpc.call(
        "res.company", "write", [company_id], {"ar_sms_url": gateway.url, "ar_sms_sender": "DEMO"}
    )
    due = (datetime.date.today() - datetime.timedelta(days=8)).isoformat()
    partner_ids = []
    for i in range(CUSTOMERS):
        partner_id = rpc.call(
            "res.partner",
            "create",
            {
                "name": f"E2E {tag} {i}",
                "email": f"ar{i}.{tag}@example.com",
                "phone": f"+84 912 {i:03d} {i:03d}",
            },
        )
        partner_ids.append(partner_id)
        move_id = rpc.call(
            "account.move",
            "create",
            {
                "move_type": "out_invoice",
                "partner_id": partner_id,
                "invoice_date": due,
                "invoice_date_due": due,
                "invoice_line_ids": [
                    (0, 0, {"name": "Goods", "quantity": 1, "price_unit": 100000 + i})
                ],
            },
        )
        rpc.call("account.move", "action_post", [move_id])
        rpc.call("account.move", "write", [move_id], {"invoice_date_due": due})

    cron = """
        env['ar.reminder']._cron_send_reminders()
        env.cr.commit()
        print('CRON-DONE')
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(lambda _: server.shell(cron), range(2)))
    assert all("CRON-DONE" in out for out in outputs)
    # Then Odoo's mail queue, once: it is a cron job of its own, which Odoo never runs twice
    # at the same time (two shells sending the same queue collide in mail's own code).
    server.shell("env['mail.mail'].sudo().process_email_queue()\nenv.cr.commit()")

    reminders = rpc.call(
        "ar.reminder",
        "search_read",
        [("partner_id", "in", partner_ids)],
        ["partner_id", "level_id", "state", "sms_state", "email_state", "error"],
    )
    assert len(reminders) == CUSTOMERS
    assert {r["partner_id"][0] for r in reminders} == set(partner_ids)
    assert {r["state"] for r in reminders} == {"sent"}, [r["error"] for r in reminders]

    # Demo customers with overdue invoices get their reminders too: count this test's own.
    ours_sms = [r for r in gateway.received if tag in r["body"]["text"]]
    phones = sorted(r["body"]["to"] for r in ours_sms)
    assert len(phones) == CUSTOMERS == len(set(phones)), phones
    assert all(p.startswith("+84912") for p in phones)
    assert all(r["body"]["brandname"] == "DEMO" for r in ours_sms)

    ours = [
        (recipients, email.message_from_bytes(raw))
        for _sender, recipients, raw in smtp.messages
        if any(tag in r for r in recipients)
    ]
    assert sorted(r[0] for r, _m in ours) == sorted(
        f"ar{i}.{tag}@example.com" for i in range(CUSTOMERS)
    )
    subject = str(make_header(decode_header(ours[0][1]["Subject"])))
    # Rendered in the customer's language: the demo database runs in Vietnamese.
    assert "nhắc thanh toán (Nhắc nợ lần 2)" in subject or "payment reminder (Second" in subject


def test_worker_killed_after_the_gateway_got_the_sms_never_sends_it_twice(server, rpc, gateway):
    """A real cron run (ir.cron's own job runner in an `odoo shell` process) is killed with
    SIGKILL while the gateway holds an SMS it has already counted: the worker never records
    the answer. Running the cron again sends the other customers' SMS once each, and hands
    the interrupted one to a person instead of sending it again."""
    tag = uuid.uuid4().hex[:8]
    [user] = rpc.call("res.users", "read", [rpc.uid], ["company_id"])
    company_id = user["company_id"][0]
    rpc.call(
        "res.company", "write", [company_id], {"ar_sms_url": gateway.url, "ar_sms_sender": "DEMO"}
    )
    due = (datetime.date.today() - datetime.timedelta(days=8)).isoformat()
    names = [f"Kill {tag} {letter}" for letter in "ABC"]
    phones = {}
    partner_ids = []
    for i, name in enumerate(names):
        partner_id = rpc.call(
            "res.partner",
            "create",
            {"name": name, "email": f"kill{i}.{tag}@example.com", "phone": f"+84 913 {i:03d} 777"},
        )
        partner_ids.append(partner_id)
        phones[name] = f"+84913{i:03d}777"
        move_id = rpc.call(
            "account.move",
            "create",
            {
                "move_type": "out_invoice",
                "partner_id": partner_id,
                "invoice_date": due,
                "invoice_date_due": due,
                "invoice_line_ids": [(0, 0, {"name": "Goods", "quantity": 1, "price_unit": 5e5})],
            },
        )
        rpc.call("account.move", "action_post", [move_id])
        rpc.call("account.move", "write", [move_id], {"invoice_date_due": due})

    run_cron = """
        env.ref('ar_reminders.ir_cron_ar_send_reminders').method_direct_trigger()
        env.cr.commit()
        print('CRON-DONE')
    """
    gateway.hold_text = names[1]
    worker = subprocess.Popen(
        server.odoo_command("shell", "--no-http", "--log-level", "warn"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker.stdin.write(textwrap.dedent(run_cron))
    worker.stdin.close()
    try:
        assert gateway.held.wait(240), "the worker never reached the customer's SMS"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        gateway.hold_text = None
        gateway.release.set()
    assert worker.returncode == -signal.SIGKILL

    # The next run is the next day's (the job runs daily): whatever the killed run left
    # behind is old by then.
    server.shell(
        f"""
        env.cr.execute(
            "UPDATE ar_reminder SET create_date = create_date - interval '1 day', "
            "write_date = write_date - interval '1 day' WHERE partner_id IN %s",
            [tuple({partner_ids!r})],
        )
        env.cr.commit()
        """
    )
    out = server.shell(run_cron)
    assert "CRON-DONE" in out, out

    def count(phone):
        return sum(1 for r in gateway.received if r["body"]["to"] == phone)

    assert [count(phones[name]) for name in names] == [1, 1, 1]
    reminders = {
        r["partner_id"][0]: r
        for r in rpc.call(
            "ar.reminder",
            "search_read",
            [("partner_id", "in", partner_ids)],
            ["partner_id", "state", "sms_state", "email_state", "error"],
        )
    }
    first, killed, third = (reminders[pid] for pid in partner_ids)
    assert (first["state"], first["sms_state"]) == ("sent", "sent")
    assert (third["state"], third["sms_state"]) == ("sent", "sent")
    assert (killed["state"], killed["sms_state"], killed["email_state"]) == (
        "failed",
        "unknown",
        "sent",
    )
    assert phones[names[1]] in killed["error"]
    # The email of the interrupted reminder was committed with 'sending': queued once.
    killed_id = rpc.call("ar.reminder", "search", [("partner_id", "=", partner_ids[1])])
    mails = rpc.call(
        "mail.mail", "search_count", [("model", "=", "ar.reminder"), ("res_id", "in", killed_id)]
    )
    assert mails == 1

    # A third run changes nothing.
    server.shell(run_cron)
    assert [count(phones[name]) for name in names] == [1, 1, 1]
