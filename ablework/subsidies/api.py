"""Public interface of `ablework.subsidies`: the only module other apps import (with `enums.py`)."""
