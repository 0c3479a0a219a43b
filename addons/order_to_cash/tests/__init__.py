from . import test_access, test_checks, test_intake, test_release, test_scope, test_stages
