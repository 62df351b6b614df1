"""Public interface of `ablework.employers`: the only module other apps import (with `enums.py`)."""
