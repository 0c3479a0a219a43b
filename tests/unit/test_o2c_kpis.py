import pytest
from o2c_pipeline import kpis
from o2c_pipeline.kpis import OrderFacts

H = 3600.0
NOW = 1000 * H


def at(hours):
    return hours * H


def test_percentile_is_linear_between_closest_ranks():
    values = [1.0, 2.0, 3.0, 4.0]
    # h = 3 * 0.5 = 1.5 -> 2 + 0.5 * (3 - 2) = 2.5
    assert kpis.percentile(values, 0.5) == 2.5
    # h = 3 * 0.9 = 2.7 -> 3 + 0.7 * (4 - 3) = 3.7
    assert kpis.percentile(values, 0.9) == pytest.approx(3.7)
    assert kpis.percentile([5.0], 0.9) == 5.0
    assert kpis.percentile([], 0.5) is None
    with pytest.raises(kpis.KpiError):
        kpis.percentile(values, 90)


def test_cycle_times_skip_missing_and_backwards_transitions():
    orders = [
        OrderFacts(accepted=at(0), verified=at(2), paid=at(50)),
        OrderFacts(accepted=at(0), verified=at(4), paid=at(10)),
        OrderFacts(accepted=at(0), verified=at(6)),
        # Paid before it was verified: no negative verified -> paid... and no
        # accepted -> verified either (verified missing).
        OrderFacts(accepted=at(5), paid=at(3)),
    ]
    cycle = kpis.compute(orders, NOW)["cycle_time_hours"]
    assert cycle["accepted_verified"] == {"count": 3, "median": 4.0, "p90": pytest.approx(5.6)}
    # accepted -> paid: 50 and 10 (the 4th is backwards) -> median 30, p90 10 + 0.9 * 40 = 46
    assert cycle["order_to_cash"] == {"count": 2, "median": 30.0, "p90": pytest.approx(46.0)}
    assert cycle["packed_shipped"] == {"count": 0, "median": None, "p90": None}


def test_otif_promised_rule_and_in_full():
    orders = [
        # on time and in full
        OrderFacts(
            promised=at(48),
            shipped=at(20),
            delivered=at(40),
            has_shipment=True,
            goods_lines=2,
            lines_in_full=2,
        ),
        # late
        OrderFacts(
            promised=at(48),
            shipped=at(20),
            delivered=at(60),
            has_shipment=True,
            goods_lines=1,
            lines_in_full=1,
        ),
        # on time, one line short in the first delivery
        OrderFacts(
            promised=at(48),
            shipped=at(20),
            delivered=at(30),
            has_shipment=True,
            goods_lines=2,
            lines_in_full=1,
        ),
        # no carrier: shipping is the delivery, on time
        OrderFacts(promised=at(48), shipped=at(47), goods_lines=1, lines_in_full=1),
        # not delivered, promise past at NOW: late, not in full
        OrderFacts(promised=at(500)),
        # not delivered, promise still ahead: not measured
        OrderFacts(promised=at(2000)),
        # cancelled: not measured
        OrderFacts(state="cancel", promised=at(10)),
    ]
    otif = kpis.compute(orders, NOW)["otif"]
    assert otif["measured"] == 5
    assert otif["on_time"] == 3
    assert otif["in_full"] == 3
    assert otif["otif"] == 2
    assert otif["rate"] == pytest.approx(2 / 5)


def test_otif_sla_rule_uses_the_delivered_deadline():
    orders = [
        OrderFacts(
            promised=at(10),
            due_delivered=at(48),
            delivered=at(40),
            shipped=at(1),
            has_shipment=True,
            goods_lines=1,
            lines_in_full=1,
        ),
        OrderFacts(promised=at(100)),  # no SLA: not measured under the sla rule
    ]
    assert kpis.compute(orders, NOW, "promised")["otif"]["on_time"] == 0
    otif = kpis.compute(orders, NOW, "sla")["otif"]
    assert (otif["measured"], otif["on_time"], otif["otif"]) == (1, 1, 1)
    with pytest.raises(kpis.KpiError, match="on_time_rule"):
        kpis.compute(orders, NOW, "fast")


def test_perfect_order_counts_orders_meeting_everything():
    good = dict(
        promised=at(48),
        shipped=at(20),
        delivered=at(40),
        has_shipment=True,
        goods_lines=1,
        lines_in_full=1,
        fully_invoiced=True,
    )
    orders = [
        OrderFacts(**good),
        OrderFacts(**good, return_reasons=("damaged",)),
        OrderFacts(**good, credit_notes=1),
        OrderFacts(**dict(good, delivered=at(60))),  # late
        OrderFacts(**dict(good, lines_in_full=0)),  # not in full
        OrderFacts(**dict(good, fully_invoiced=False)),
    ]
    result = kpis.compute(orders, NOW)
    # on time 5/6, in full 5/6, returns 1/6, invoice right 4/6: their product would be
    # ~0.32 (1.9 orders); counted, only the first order is perfect.
    assert result["perfect_order"] == {"measured": 6, "perfect": 1, "rate": pytest.approx(1 / 6)}


def test_fill_rate_lines_and_units_over_shipped_orders():
    orders = [
        OrderFacts(shipped=at(1), goods_lines=2, lines_in_full=1, units_ordered=10, units_filled=7),
        OrderFacts(shipped=at(1), goods_lines=1, lines_in_full=1, units_ordered=5, units_filled=5),
        OrderFacts(goods_lines=4, units_ordered=40),  # not shipped
    ]
    fill = kpis.compute(orders, NOW)["fill_rate"]
    # lines 2/3, units 12/15
    assert fill["lines_rate"] == pytest.approx(2 / 3)
    assert fill["units_rate"] == pytest.approx(12 / 15)


def test_sla_compliance_per_stage():
    orders = [
        OrderFacts(verified=at(1), due_verified=at(2)),  # met
        OrderFacts(verified=at(3), due_verified=at(2)),  # breached
        OrderFacts(due_verified=at(5)),  # not reached, due passed: breached
        OrderFacts(due_verified=at(5000)),  # not reached, still time: not measured
        OrderFacts(verified=at(1)),  # no SLA
    ]
    sla = kpis.compute(orders, NOW)["sla_compliance"]
    assert sla["verified"] == {"measured": 3, "met": 1, "rate": pytest.approx(1 / 3)}
    assert sla["packed"]["rate"] is None


def test_cancellation_returns_complaints_rating_cod():
    orders = [
        OrderFacts(state="cancel", rating=2),
        OrderFacts(
            shipped=at(1),
            return_reasons=("damaged", "damaged", "wrong_item"),
            complaints=2,
            rating=4,
            cod_outstanding=100.0,
            cod_shipments=1,
        ),
        OrderFacts(shipped=at(1), return_reasons=("changed_mind",), rating=5),
        OrderFacts(shipped=at(1), cod_outstanding=50.0, cod_shipments=1),
        OrderFacts(state="draft"),
    ]
    result = kpis.compute(orders, NOW)
    assert result["cancellation"] == {"orders": 5, "cancelled": 1, "rate": 0.2}
    returns = result["returns"]
    assert (returns["shipped_orders"], returns["returned_orders"]) == (3, 2)
    assert returns["by_reason"]["damaged"] == {"orders": 1, "rate": pytest.approx(1 / 3)}
    assert returns["by_reason"]["failed_delivery"]["orders"] == 0
    # confirmed: 3 (cancelled and draft are not), one of them with 2 complaints
    assert result["complaints"]["rate"] == pytest.approx(1 / 3)
    assert result["complaints"]["complaints"] == 2
    # the cancelled order's rating (2) is not averaged in
    assert result["rating"] == {"rated": 2, "average": 4.5}
    assert result["cod_outstanding"] == {"amount": 150.0, "shipments": 2}


def test_grouped_total_is_computed_from_all_orders():
    keyed = [
        ("a", OrderFacts(accepted=at(0), paid=at(1))),
        ("a", OrderFacts(accepted=at(0), paid=at(3))),
        # orders without a value (no carrier...) are a group of their own, not the total
        (None, OrderFacts(accepted=at(0), paid=at(10))),
    ]
    groups, total = kpis.compute_grouped(keyed, NOW)
    assert groups["a"]["cycle_time_hours"]["order_to_cash"]["median"] == 2.0
    # median of 1, 3, 10 is 3, not the mean of the groups' medians (6)
    assert total["cycle_time_hours"]["order_to_cash"]["median"] == 3.0
    assert groups[None]["orders"] == 1


def test_a_lost_parcel_is_no_return_but_no_perfect_order():
    lost = OrderFacts(
        shipped=at(1),
        delivered=at(2),
        has_shipment=True,
        promised=at(10),
        goods_lines=1,
        lines_in_full=1,
        fully_invoiced=True,
        damaged=True,
    )
    result = kpis.compute([lost], NOW)
    assert result["returns"]["returned_orders"] == 0
    assert result["returns"]["rate"] == 0.0
    assert result["perfect_order"]["perfect"] == 0
    assert result["otif"]["otif"] == 1


def test_sla_delivered_of_own_fleet_uses_the_shipping_date():
    # No carrier shipment: shipped at 5 is the delivery, due at 10 -> met, like OTIF by SLA.
    own = OrderFacts(
        shipped=at(5), due_delivered=at(10), goods_lines=1, lines_in_full=1, has_shipment=False
    )
    result = kpis.compute([own], NOW, "sla")
    assert result["sla_compliance"]["delivered"] == {"measured": 1, "met": 1, "rate": 1.0}
    assert result["otif"]["on_time"] == 1


def test_rating_average_ignores_cancelled_orders():
    orders = [OrderFacts(rating=5), OrderFacts(state="cancel", rating=1)]
    assert kpis.compute(orders, NOW)["rating"] == {"rated": 1, "average": 5.0}


def test_snapshot_values_map_every_snapshot_field_rates_as_percentages():
    orders = [
        OrderFacts(accepted=at(0), verified=at(2), paid=at(50)),
        OrderFacts(accepted=at(0), verified=at(4), paid=at(10)),
        OrderFacts(accepted=at(0), verified=at(6)),
    ]
    kpi = kpis.compute(orders, NOW)
    values = kpis.snapshot_values(kpi)
    assert list(values) == [name for name, _path in kpis.SNAPSHOT_FIELDS]
    assert values["order_count"] == 3
    assert values["cancelled_count"] == kpi["cancellation"]["cancelled"]
    assert values["cancellation_rate"] == kpis.percent(kpi["cancellation"]["rate"])
    assert values["cycle_verify"] == 4.0
    assert values["cycle_verify_p90"] == pytest.approx(5.6)
    assert values["cycle_o2c"] == 30.0
    # Nothing measured stays None (stored as NULL), never 0.
    assert values["otif_rate"] is None
    assert values["sla_packed_rate"] is None
    assert values["rating_avg"] is None


def test_snapshot_rates_are_percentages_with_two_decimals():
    assert kpis.percent(2 / 3) == 66.67
    assert kpis.percent(0.0) == 0.0
    assert kpis.percent(None) is None
