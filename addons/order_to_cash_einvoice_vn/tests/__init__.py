from . import test_einvoice_on_post
