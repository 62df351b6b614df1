"""Public interface of `ablework.exchange`: the only module other apps import (with `enums.py`)."""
