"""Public interface of `ablework.reports`: the only module other apps import (with `enums.py`)."""
