"""Reminder cron end to end: two cron workers at once (two processes, two database
connections) on the demo database, a real SMTP server and a real SMS gateway on 127.0.0.1.
Every reminder level must reach each customer exactly once."""

import concurrent.futures
import datetime
import email
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
        env['mail.mail'].sudo().process_email_queue()
        env.cr.commit()
        print('CRON-DONE')
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(lambda _: server.shell(cron), range(2)))
    assert all("CRON-DONE" in out for out in outputs)

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
