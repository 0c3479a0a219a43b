import datetime
import json

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from ..controllers.carrier_webhook import MAX_BODY
from ..models.o2c_shipment import POLL_BREAKER
from .carrier_servers import (
    GhnServer,
    GhtkServer,
    ghn_webhook_body,
    ghtk_webhook_body,
    viettelpost_webhook_body,
)
from .common import O2cCommon

VN = datetime.timezone(datetime.timedelta(hours=7))


def at(day, hour, minute=0):
    """A moment of November 2026, Vietnam time."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=VN)


def utc(moment):
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


class ShipmentCommon(O2cCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules()  # verification is not what these tests are about
        cls.ghn = cls.env["o2c.carrier.account"].create(
            {"name": "GHN Hà Nội", "carrier": "ghn", "shop_id": "81558"}
        )
        cls.ghtk = cls.env["o2c.carrier.account"].create({"name": "GHTK", "carrier": "ghtk"})
        cls.vtp = cls.env["o2c.carrier.account"].create(
            {"name": "Viettel Post", "carrier": "viettelpost", "webhook_token": "vtp-token"}
        )

    def _delivered_order(self, qty=2.0):
        """A COD order whose delivery order left the warehouse."""
        order = self._order(lines=[(self.product_fish_sauce, qty)], method=self.cod)
        order.action_confirm()
        picking = order.picking_ids
        picking.move_ids.quantity = qty
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return order, picking

    def _shipment(self, account, ref, order=None, picking=None, cod=0.0, client_ref=None):
        vals = {
            "carrier_account_id": account.id,
            "tracking_ref": ref,
            "cod_amount": cod,
        }
        if picking:
            vals["picking_id"] = picking.id
        if client_ref:
            vals["client_ref"] = client_ref
        shipment = self.env["o2c.shipment"].create(vals)
        if order and not picking:
            shipment.sale_order_id = order
        return shipment


@tagged("post_install", "-at_install")
class TestCarrierWebhook(ShipmentCommon, HttpCase):
    def _post(self, account, body_and_type, secret=None):
        body, content_type = body_and_type
        secret = account.webhook_secret if secret is None else secret
        return self.url_open(
            f"/o2c/carrier/{account.id}/{secret}",
            data=body,
            headers={"Content-Type": content_type},
            timeout=20,
        )

    def test_wrong_secret_is_refused_and_nothing_stored(self):
        shipment = self._shipment(self.ghn, "GHN001")
        body = ghn_webhook_body("GHN001", "delivered", at(20, 10))
        for secret in ("wrong", self.ghtk.webhook_secret, ""):
            with self.subTest(secret=secret):
                response = self._post(self.ghn, body, secret=secret or "x")
                self.assertEqual(response.status_code, 401)
        # The right secret on another account id is refused too.
        response = self.url_open(
            f"/o2c/carrier/{self.ghtk.id}/{self.ghn.webhook_secret}",
            data=body[0],
            headers={"Content-Type": body[1]},
        )
        self.assertEqual(response.status_code, 401)
        self.assertFalse(shipment.event_ids)
        self.assertEqual(shipment.state, "created")

    def test_ghn_events_stored_once_and_never_backwards(self):
        order, picking = self._delivered_order()
        shipment = self._shipment(self.ghn, "GHN002", picking=picking, cod=170000)
        self.assertEqual(shipment.sale_order_id, order)
        self.assertEqual(shipment.client_ref, picking.name)
        picked = ghn_webhook_body("GHN002", "picked", at(20, 9))
        delivering = ghn_webhook_body("GHN002", "delivering", at(20, 14))
        delivered = ghn_webhook_body("GHN002", "delivered", at(20, 16), cod_amount=999999)
        self.assertEqual(self._post(self.ghn, delivering).status_code, 200)
        response = self._post(self.ghn, delivering)  # GHN retries: the same event again
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["stored"], 0)
        # An older event arrives late: stored, but the shipment stays out for delivery.
        self.assertEqual(self._post(self.ghn, picked).status_code, 200)
        self.assertEqual(len(shipment.event_ids), 2)
        self.assertEqual(shipment.state, "out_for_delivery")
        old = shipment.event_ids.filtered(lambda e: e.carrier_status == "picked")
        self.assertFalse(old.applied)
        self.assertEqual(self._post(self.ghn, delivered).status_code, 200)
        self.assertEqual(shipment.state, "delivered")
        self.assertEqual(shipment.date_delivered, utc(at(20, 16)))
        self.assertEqual(order.o2c_date_delivered, utc(at(20, 16)))
        # The COD in a webhook never changes what we expect to collect.
        self.assertEqual(shipment.cod_amount, 170000)

    def test_ghtk_form_webhook_and_failed_attempts_alert_once(self):
        __, picking = self._delivered_order()
        self.ghtk.failed_attempt_limit = 2
        shipment = self._shipment(self.ghtk, "S1.A1.123", picking=picking)
        # Three rounds out for delivery (4), each failed (9); beyond the limit of 2.
        for status, hour in ((9, 9), (4, 11), (9, 13), (4, 15), (9, 17), (4, 18), (9, 19)):
            body = ghtk_webhook_body("S1.A1.123", status, at(21, hour), reason="Không nghe máy")
            self.assertEqual(self._post(self.ghtk, body).status_code, 200)
            if hour == 13:
                self.assertFalse(shipment.cs_alerted, "2 attempts is not beyond the limit of 2")
        self.assertEqual(shipment.failed_attempts, 4)
        self.assertEqual(shipment.state, "failed_attempt")
        self.assertTrue(shipment.cs_alerted)
        self.assertEqual(len(shipment.activity_ids), 1)

    def test_the_same_failure_reported_again_is_one_attempt(self):
        self.ghn.failed_attempt_limit = 1
        shipment = self._shipment(self.ghn, "GHNF1")
        # GHN: switch_status, then update_fee still saying delivery_fail (later time).
        for kind, hour in (("switch_status", 10), ("update_fee", 11)):
            body = ghn_webhook_body("GHNF1", "delivery_fail", at(20, hour), type=kind)
            self.assertEqual(self._post(self.ghn, body).status_code, 200)
        self.assertEqual(len(shipment.event_ids), 2)
        self.assertEqual(shipment.failed_attempts, 1)
        self.assertFalse(shipment.activity_ids)
        # A new round that fails again is a second attempt.
        for status, hour in (("delivering", 14), ("delivery_fail", 16)):
            self._post(self.ghn, ghn_webhook_body("GHNF1", status, at(20, hour)))
        self.assertEqual(shipment.failed_attempts, 2)
        self.assertEqual(len(shipment.activity_ids), 1)

    def test_failed_delivery_activity_goes_to_a_real_user(self):
        """No customer service user, no order: the webhook runs as the public user;
        the activity goes to who set the account up, an active internal user."""
        self.ghn.failed_attempt_limit = 1
        self.assertFalse(self.ghn.cs_user_id)
        shipment = self._shipment(self.ghn, "GHNF2")
        for status, hour in (("delivery_fail", 10), ("delivering", 12), ("delivery_fail", 14)):
            self._post(self.ghn, ghn_webhook_body("GHNF2", status, at(20, hour)))
        user = shipment.activity_ids.user_id
        self.assertEqual(user, self.ghn.create_uid)
        self.assertTrue(user.active)
        self.assertTrue(user._is_internal())
        self.assertNotEqual(user, self.env.ref("base.public_user"))

    def test_ghn_exception_is_a_hold_and_the_parcel_ends_delivered(self):
        shipment = self._shipment(self.ghn, "GHNX1")
        for status, hour in (("delivering", 9), ("exception", 10), ("delivered", 12)):
            body = ghn_webhook_body("GHNX1", status, at(20, hour), reason="Hẹn lại")
            self.assertEqual(self._post(self.ghn, body).status_code, 200)
        self.assertEqual(shipment.state, "delivered")
        self.assertEqual(shipment.date_delivered, utc(at(20, 12)))

    def test_chunked_body_over_the_limit_is_refused(self):
        shipment = self._shipment(self.ghn, "GHNBIG")
        one = json.loads(ghn_webhook_body("GHNBIG", "picked", at(20, 8))[0])
        big = json.dumps([one] * 4000).encode()
        self.assertGreater(len(big), MAX_BODY)

        def chunks():  # no Content-Length: requests sends it chunked
            for start in range(0, len(big), 4096):
                yield big[start : start + 4096]

        response = self._post(self.ghn, (chunks(), "application/json"))
        self.assertEqual(response.status_code, 413)
        self.assertFalse(shipment.event_ids)

    def test_events_per_call_are_capped_and_unknown_refs_not_all_echoed(self):
        def body(count, prefix):
            return json.dumps(
                [
                    json.loads(ghn_webhook_body(f"{prefix}{i}", "picked", at(20, 8))[0])
                    for i in range(count)
                ]
            ).encode()

        response = self._post(self.ghn, (body(501, "MANY"), "application/json"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("500", response.json()["error"])
        response = self._post(self.ghn, (body(30, "NOPE"), "application/json"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["unknown"], 30)
        self.assertEqual(len(response.json()["unknown_refs"]), 20)

    def test_body_token_is_only_checked_for_viettelpost(self):
        self.ghn.webhook_token = "set-by-mistake"
        shipment = self._shipment(self.ghn, "GHNTOK")
        response = self._post(self.ghn, ghn_webhook_body("GHNTOK", "picked", at(20, 8)))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(shipment.state, "picked_up")

    def test_carrier_time_in_the_future_does_not_freeze_the_shipment(self):
        shipment = self._shipment(self.ghn, "GHNFUT")
        now = datetime.datetime.now(datetime.UTC)
        self._post(
            self.ghn, ghn_webhook_body("GHNFUT", "delivering", now + datetime.timedelta(days=300))
        )
        self.assertEqual(shipment.state, "out_for_delivery")
        self.assertLessEqual(
            shipment.state_date, (now + datetime.timedelta(minutes=11)).replace(tzinfo=None)
        )
        later = now + datetime.timedelta(minutes=20)  # the next event, 20 minutes on
        self._post(self.ghn, ghn_webhook_body("GHNFUT", "delivered", later))
        self.assertEqual(shipment.state, "delivered")

    def test_viettelpost_body_token_is_checked(self):
        shipment = self._shipment(self.vtp, "VTP001")
        wrong = viettelpost_webhook_body("VTP001", 501, at(22, 10), token="guess")
        self.assertEqual(self._post(self.vtp, wrong).status_code, 401)
        right = viettelpost_webhook_body("VTP001", 501, at(22, 10), token="vtp-token")
        self.assertEqual(self._post(self.vtp, right).status_code, 200)
        self.assertEqual(shipment.state, "delivered")

    def test_malformed_body_is_refused_with_the_field_named(self):
        shipment = self._shipment(self.ghn, "GHN003")
        for body in (
            (b"not json", "application/json"),
            (b'{"Status": "delivered", "Time": "2026-11-20T10:00:00"}', "application/json"),
            ghn_webhook_body("GHN003", "teleported", at(20, 10)),
            ghn_webhook_body("GHN003", "delivered", "yesterday"),
        ):
            with self.subTest(body=body[0][:40]):
                response = self._post(self.ghn, body)
                self.assertEqual(response.status_code, 400)
                self.assertTrue(response.json()["error"])
        self.assertFalse(shipment.event_ids)
        response = self._post(self.ghn, ghn_webhook_body("GHN003", "teleported", at(20, 10)))
        self.assertIn("teleported", response.json()["error"])

    def test_returned_parcel_starts_the_return(self):
        order, picking = self._delivered_order(qty=3.0)
        shipment = self._shipment(self.ghn, "GHN004", picking=picking)
        for status, hour in (("delivery_fail", 10), ("returning", 12), ("returned", 18)):
            self.assertEqual(
                self._post(self.ghn, ghn_webhook_body("GHN004", status, at(23, hour))).status_code,
                200,
            )
        self.assertEqual(shipment.state, "returned")
        back = shipment.return_picking_id
        self.assertTrue(back)
        self.assertEqual(back.picking_type_id.code, "incoming")
        self.assertEqual(back.move_ids.product_uom_qty, 3.0)
        # A second "returned" event makes no second return.
        self._post(self.ghn, ghn_webhook_body("GHN004", "returned", at(23, 19)))
        self.assertEqual(
            len(order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")), 1
        )

    def test_other_company_shipment_is_never_touched(self):
        other = self.setup_other_company(name="Chi nhánh B")["company"]
        other_account = (
            self.env["o2c.carrier.account"]
            .with_company(other)
            .create({"name": "GHN B", "carrier": "ghn", "company_id": other.id})
        )
        theirs = (
            self.env["o2c.shipment"]
            .with_company(other)
            .create(
                {
                    "carrier_account_id": other_account.id,
                    "tracking_ref": "SAME01",
                    "company_id": other.id,
                }
            )
        )
        ours = self._shipment(self.ghn, "SAME01")
        self._post(self.ghn, ghn_webhook_body("SAME01", "delivered", at(24, 9)))
        self.assertEqual(ours.state, "delivered")
        self.assertEqual(theirs.state, "created")
        self.assertEqual(ours.event_ids.company_id, self.company)


@tagged("post_install", "-at_install")
class TestCarrierPolling(ShipmentCommon):
    def _run_poll(self):
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            self.env(cr=cr)["o2c.shipment"]._cron_o2c_poll()
        self.env.invalidate_all()

    def test_poll_ghn_and_ghtk_against_their_servers(self):
        order, picking = self._delivered_order()
        with GhnServer(token="ghn-token") as ghn, GhtkServer(token="ghtk-token") as ghtk:
            self.ghn.write({"api_url": ghn.url, "api_token": "ghn-token"})
            self.ghtk.write({"api_url": ghtk.url, "api_token": "ghtk-token"})
            by_ghn = self._shipment(self.ghn, "GHNP1", picking=picking, client_ref="SO-P1")
            by_ghtk = self._shipment(self.ghtk, "S1.P2", order=order)
            ghn.add("SO-P1", "delivered", cod=170000, time=at(25, 10), client_ref="SO-P1")
            ghtk.add("S1.P2", 4, time=at(25, 11))
            self._run_poll()
            self.assertEqual(by_ghn.state, "delivered")
            self.assertEqual(by_ghtk.state, "out_for_delivery")
            self.assertTrue(by_ghn.date_polled)
            self.assertEqual(by_ghn.event_ids.source, "poll")
            # Polled again at once: not due yet, nobody is asked.
            asked = len(ghn.requests) + len(ghtk.requests)
            self._run_poll()
            self.assertEqual(len(ghn.requests) + len(ghtk.requests), asked)
            # Due again: the delivered one is final and never polled, the other is.
            (by_ghtk | by_ghn).sudo().date_polled = datetime.datetime(2026, 1, 1)
            self._run_poll()
            self.assertEqual(len(ghn.requests), 1)
            self.assertEqual(len(ghtk.requests), 2)

    def test_unknown_shipment_stops_being_polled(self):
        with GhtkServer(token="t") as ghtk:
            self.ghtk.write({"api_url": ghtk.url, "api_token": "t", "poll_unknown_days": 2})
            shipment = self._shipment(self.ghtk, "S1.GONE")
            self._run_poll()
            self.assertTrue(shipment.unknown_since)
            self.assertFalse(shipment.poll_stopped)
            shipment.sudo().unknown_since = shipment.unknown_since - datetime.timedelta(days=3)
            shipment.sudo().date_polled = datetime.datetime(2026, 1, 1)
            self._run_poll()
            self.assertTrue(shipment.poll_stopped)
            asked = len(ghtk.requests)
            shipment.sudo().date_polled = datetime.datetime(2026, 1, 1)
            self._run_poll()
            self.assertEqual(len(ghtk.requests), asked)

    def test_carrier_down_leaves_the_shipment_for_the_next_run(self):
        with GhnServer(token="t") as ghn:
            self.ghn.write({"api_url": ghn.url, "api_token": "t"})
            shipment = self._shipment(self.ghn, "GHNDOWN", client_ref="SO-DOWN")
            ghn.add("SO-DOWN", "delivered", time=at(25, 10), client_ref="SO-DOWN")
            ghn.mode = "error500"
            self._run_poll()
            self.assertEqual(shipment.state, "created")
            self.assertFalse(shipment.poll_stopped)
            self.assertFalse(shipment.event_ids)
            ghn.mode = "ok"
            shipment.sudo().date_polled = datetime.datetime(2026, 1, 1)
            self._run_poll()
            self.assertEqual(shipment.state, "delivered")

    def test_one_bad_account_never_stops_the_others(self):
        """An account without an API URL is skipped; an account whose every call
        crashes (a token requests cannot send) is noted once per shipment and marked
        polled; the account after them is still polled."""
        generic = self.env["o2c.carrier.account"].create(
            {"name": "Other", "carrier": "generic", "sequence": 1}
        )
        self.assertFalse(generic.api_url)
        self.assertFalse(generic.poll_enabled)
        generic.poll_enabled = True
        no_url = self._shipment(generic, "GEN1")
        with GhnServer(token="t") as ghn, GhtkServer(token="t") as ghtk:
            self.ghtk.write({"api_url": ghtk.url, "api_token": "mã-Việt", "sequence": 2})
            self.ghn.write({"api_url": ghn.url, "api_token": "t", "sequence": 3})
            broken = self._shipment(self.ghtk, "S1.BAD1") | self._shipment(self.ghtk, "S1.BAD2")
            good = self._shipment(self.ghn, "GHNOK", client_ref="SO-OK")
            ghn.add("SO-OK", "delivered", time=at(25, 10), client_ref="SO-OK")
            self._run_poll()
            self.assertEqual(good.state, "delivered")
            self.assertFalse(no_url.date_polled)
            for shipment in broken:
                self.assertTrue(shipment.date_polled)
                self.assertTrue(shipment.poll_error)
            messages = broken[0].message_ids.filtered(lambda m: "Polling" in (m.body or ""))
            self.assertEqual(len(messages), 1)
            broken.sudo().date_polled = datetime.datetime(2026, 1, 1)
            self._run_poll()  # the same error again: noted once only
            messages = broken[0].message_ids.filtered(lambda m: "Polling" in (m.body or ""))
            self.assertEqual(len(messages), 1)

    def test_refused_token_stops_the_account_for_the_run(self):
        with GhnServer(token="right") as ghn:
            self.ghn.write({"api_url": ghn.url, "api_token": "wrong"})
            shipments = self.env["o2c.shipment"]
            for i in range(POLL_BREAKER + 4):
                shipments |= self._shipment(self.ghn, f"GHNA{i}", client_ref=f"SO-A{i}")
            long_ago = datetime.datetime(2026, 1, 1)
            shipments[:POLL_BREAKER].sudo().date_polled = long_ago
            self._run_poll()
            self.assertEqual(len(ghn.requests), POLL_BREAKER)
            said = self.ghn.message_ids.filtered(lambda m: "token" in (m.body or ""))
            self.assertEqual(len(said), 1)
            # Never-polled shipments came first (before those polled long ago).
            polled = shipments.filtered(lambda s: s.date_polled and s.date_polled > long_ago)
            self.assertEqual(polled, shipments[POLL_BREAKER : 2 * POLL_BREAKER])
            ghn.token = "wrong"
            ghn.add("SO-A6", "picked", time=at(25, 10), client_ref="SO-A6")
            self._run_poll()
            self.assertEqual(
                shipments.filtered(lambda s: s.client_ref == "SO-A6").state, "picked_up"
            )

    def test_shipment_needs_an_account_of_its_company(self):
        other = self.setup_other_company(name="Chi nhánh C")["company"]
        with self.assertRaisesRegex(UserError, "company inconsistencies"):
            self.env["o2c.shipment"].create(
                {
                    "carrier_account_id": self.ghn.id,
                    "tracking_ref": "X1",
                    "company_id": other.id,
                }
            )
