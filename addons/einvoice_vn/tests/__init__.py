from . import test_einvoice, test_lifecycle, test_symbols
