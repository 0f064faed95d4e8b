"""Dataflow capture: which image each row of each tensor came from, recorded during the call.

``mode`` holds the torch function mode, the per-tensor ``Track`` and the rule table; ``ratio``
says what a reduced loss means per group; ``elementwise``, ``shape``, ``indexing``, ``losses`` and
``spatial`` are the rule families (``autograd``: gradient penalties) (importing them registers their rules); ``overcount``
follows values divided by a count of image rows before their sum; ``_inputs`` tags the call's inputs.
"""

from . import (  # noqa: F401 - registers the rules
    aliases,  # other spellings of ops with a rule (it imports the family that has them)
    autograd,
    elementwise,
    indexing,
    losses,
    node_ids,
    shape,
    spatial,
    value_sets,
)
from ._inputs import declared_dims, describe_inputs, read_sources, tag_inputs
from .mode import KNOWN_IGNORED, RULES, CaptureMode, Frame, Track
from .modules import fast_paths_unchanged
from .ratio import Ratio, RatioKind, row_sums

__all__ = [
    "KNOWN_IGNORED",
    "RULES",
    "CaptureMode",
    "Frame",
    "Ratio",
    "RatioKind",
    "Track",
    "declared_dims",
    "describe_inputs",
    "fast_paths_unchanged",
    "read_sources",
    "row_sums",
    "tag_inputs",
]
