from . import (
    test_access,
    test_checks,
    test_cod,
    test_intake,
    test_invoicing,
    test_kpis,
    test_release,
    test_scope,
    test_shipments,
    test_stages,
    test_tours,
)
