from . import (
    test_aging,
    test_dashboard,
    test_exactly_once,
    test_multi_company,
    test_reminders,
    test_statement,
    test_tours,
    test_translations,
)
