"""Public interface of `ablework.jobs`: the only module other apps import (with `enums.py`)."""
