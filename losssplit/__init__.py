"""losssplit: per-source loss companions for PyTorch criteria, in one decorator.

Example:
    >>> from losssplit import split_by_source
    >>> class Criterion:
    ...     @split_by_source
    ...     def get_relation_loss(self, outputs, targets, indices, num_boxes): ...
"""

from ._torch_own import torch_own_names

with torch_own_names():  # the capture's tables name torch's own ops, whatever a library rebound
    from ._companion import Companion, companion_of
    from ._context import set_enabled, sources
    from ._decorator import split_by_source
    from ._errors import LossSplitError
    from .aggregate import SplitMeter, pop_companions

__all__ = [
    "Companion",
    "LossSplitError",
    "SplitMeter",
    "companion_of",
    "pop_companions",
    "set_enabled",
    "sources",
    "split_by_source",
]
__version__ = "0.1.0"
