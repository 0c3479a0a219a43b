from . import test_einvoice, test_lifecycle
