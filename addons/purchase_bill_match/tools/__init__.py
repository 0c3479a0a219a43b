from . import matching
