from . import test_intake
from . import test_checks
from . import test_stages
from . import test_access
