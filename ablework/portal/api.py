"""Public interface of `ablework.portal`: the only module other apps import (with `enums.py`)."""
