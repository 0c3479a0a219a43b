from . import o2c_override_wizard
