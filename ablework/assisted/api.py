"""Public interface of `ablework.assisted`: the only module other apps import (with `enums.py`)."""
