"""Public interface of `ablework.demo`: the only module other apps import (with `enums.py`)."""
