"""Public interface of `ablework.training`: the only module other apps import (with `enums.py`)."""
