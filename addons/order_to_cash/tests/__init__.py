from . import (
    test_access,
    test_checks,
    test_cod,
    test_intake,
    test_invoicing,
    test_release,
    test_scope,
    test_shipments,
    test_sla,
    test_stages,
    test_tours,
)
