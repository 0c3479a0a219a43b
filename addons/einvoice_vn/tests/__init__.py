from . import (
    test_archive,
    test_archive_checks,
    test_corrections,
    test_einvoice,
    test_inbound,
    test_lifecycle,
    test_sandbox,
    test_symbols,
    test_tdiep,
    test_tours,
)
