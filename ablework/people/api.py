"""Public interface of `ablework.people`: the only module other apps import (with `enums.py`)."""
