from . import test_access, test_checks, test_intake, test_invoicing, test_scope, test_stages
