"""Public interface of `ablework.quota`: the only module other apps import (with `enums.py`)."""
