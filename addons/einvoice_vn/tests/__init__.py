from . import test_archive, test_archive_checks, test_einvoice, test_lifecycle
