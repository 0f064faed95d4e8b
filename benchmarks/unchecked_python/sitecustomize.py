"""Put on PYTHONPATH by device_check.sh where the interpreter is not CPython 3.11 (a GPU image's
3.12): losssplit then passes every call through, so this takes the running interpreter as checked
for the measurement. Its costs and syncs are those of the same rules; what it may get wrong there
is what the rules' reading of another bytecode layout misses (adversarial bodies), not measured."""

import sys

from losssplit._capture import _bytecode

_bytecode.PYTHONS_CHECKED = frozenset({*_bytecode.PYTHONS_CHECKED, (sys.implementation.name, *sys.version_info[:2])})
