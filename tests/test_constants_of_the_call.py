"""Numbers the body's code proves constants of the call (``_bytecode._constant_of_call``): the same
on any group's images alone, whatever count they equal. Read for two questions: is a number the
op received no count by value and no weight (``constant_number``: ``/ k`` with ``k = self.scale``
equal to 6 instances is 6 on every group), and is a number a floored count is multiplied by the
same on a group alone (``constant_product_operand``: RT-DETR's groups). Near misses: the "constant"
depends on the batch (an attribute or global written during the call, here or by a helper of
another module, a local stored twice or in a loop, a parameter passed a count, a choice on the
batch, a dict field a helper rewrites): never read as a constant."""

from __future__ import annotations

import sys

import _writers
import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    ROWS,
    RULE_BATCHES,
    TARGETS,
    rule_batch,
    rule_outcome,
    split_outcome,
    wrong_companions,
)
from test_floored_groups import _NO_SYNTHETIC, _TWO_IMAGES, _floored_instances, _with_meta
from test_rules_elementwise import _with_instances

SIX = 6  # a module constant no code assigns
COUNT = 6  # rebound to a count by ``_writers.rebind_count``
IMAGES = 3  # rebound to the images by ``_writers.rebind_images``
GROUPS = 2
# 2 instances per image: 6 = the instances of 3 images, twice the images of 3, the images of 6
_BATCHES = [*RULE_BATCHES, (4, [1.0, 1.0, 1.0]), (5, [0.5, 0.5, 1.0, 1.0, 0.5, 1.0])]


def _err(o, t):
    return (o["x"] - torch.stack([s["y"] for s in t])).abs() + 0.1  # [B, 3, 4]


def _outcomes(body):
    """(companions, oracle companions, warnings) of ``body`` on each batch, 2 instances per image."""
    for seed, weights in _BATCHES:
        outputs, targets = rule_batch(seed, weights)
        for s in targets:
            s["labels"] = torch.arange(2)
        yield split_outcome(body, [outputs, targets], [ROWS, TARGETS])


def _over(e, k):
    return e.sum() / k


class _Scaled:
    def __init__(self):
        self.scale, self.half, self.count = 6, 0.5, 6

    def over_a_local_attribute(self, o, t):
        k = self.scale
        return {"loss": _err(o, t).sum() / k}

    def over_an_attribute_product(self, o, t):
        return {"loss": _err(o, t).sum() / (self.scale * 1)}

    def times_an_attribute_half(self, o, t):
        e, total = _err(o, t), 0
        for b in range(len(t)):
            total = total + e[b].mean() * self.half
        return {"loss": total / len(t)}

    def over_an_attribute(self, o, t):
        return {"loss": _err(o, t).sum() / self.scale}

    def times_a_count_set_here(self, o, t):
        self.count = len(t)
        return {"loss": (_err(o, t) * self.count).mean()}

    def over_a_count_set_here(self, o, t):
        self.count = len(t) * 2
        k = self.count
        return {"loss": _err(o, t).sum() / k}

    def over_a_count_set_by_a_method(self, o, t):
        self._count(t)
        k = self.count
        return {"loss": _err(o, t).sum() / k}

    def _count(self, t):
        self.count = len(t) * 2

    def over_a_count_set_by_another_module(self, o, t):
        _writers.set_count(self, t)
        k = self.count
        return {"loss": _err(o, t).sum() / k}


def _over_a_local_global(o, t):
    k = SIX
    return {"loss": _err(o, t).sum() / k}


def _over_a_global_passed(o, t):
    return {"loss": _over(_err(o, t), SIX)}


def _over_a_global_rebound_by_another_module(o, t):
    _writers.rebind_count(sys.modules[__name__], t)
    k = COUNT
    return {"loss": _err(o, t).sum() / k}


def _times_a_global_rebound_by_another_module(o, t):
    _writers.rebind_images(sys.modules[__name__], t)
    return {"loss": (_err(o, t) * IMAGES).mean()}


def _over_a_count_passed(o, t):
    return {"loss": _over(_err(o, t), len(t) * 2)}


_CONSTANT = {
    "a configured attribute": _Scaled().over_an_attribute,
    "a local holding a configured attribute": _Scaled().over_a_local_attribute,
    "a configured attribute times a literal": _Scaled().over_an_attribute_product,
    "a configured attribute equal to a weight": _Scaled().times_an_attribute_half,
    "a local holding a module constant": _over_a_local_global,
    "a module constant passed to a helper": _over_a_global_passed,
}


@pytest.mark.parametrize("name", _CONSTANT)
def test_a_number_the_code_proves_a_constant_is_no_count_and_no_weight(name):
    """Were wrong: 6 equal to the instances (or twice the images) was divided as the group's own
    count (``/ self.scale`` too: an attribute's divisor was not asked for a proof), 0.5 equal to
    the synthetic images' weight was set to 1 in their companion (or declined); the oracle keeps
    both, as the code shows them constants of the call."""
    for got, want, said in _outcomes(_CONSTANT[name]):
        assert want and set(got) == set(want), said
        assert not wrong_companions(got, want)


_COUNTS = {
    "an attribute the body sets from the images": lambda: _Scaled().over_a_count_set_here,
    "an attribute the body sets from the images, a factor": lambda: _Scaled().times_a_count_set_here,
    "an attribute a method sets from the images": lambda: _Scaled().over_a_count_set_by_a_method,
    "an attribute a helper of another module sets": lambda: _Scaled().over_a_count_set_by_another_module,
    "a global a helper of another module rebinds": lambda: _over_a_global_rebound_by_another_module,
    "a global a helper of another module rebinds, a factor": lambda: _times_a_global_rebound_by_another_module,
    "a count passed to a helper": lambda: _over_a_count_passed,
}


@pytest.mark.parametrize("name", _COUNTS)
def test_a_number_computed_from_the_images_is_no_constant(name):
    """Near misses: 6 is twice the images here (3 the images), and on a group alone the group's;
    read as a constant, every group would divide by the batch's number: split as the group's
    count, or declined with a warning naming the key. The factors were wrong: an
    attribute or global at the op was a coefficient whoever wrote it (``(e * self.count).mean()``
    after ``self.count = len(t)``); now only where the code proves it a constant."""
    global COUNT, IMAGES
    try:
        for got, want, said in _outcomes(_COUNTS[name]()):
            assert want and (set(got) == set(want) or any("'loss'" in m for m in said)), said
            assert not wrong_companions(got, want)
    finally:
        COUNT, IMAGES = 6, 3


# -- a floored count times a number of groups (``constant_product_operand``)

def _times(o, t, groups):
    return {"loss": _err(o, t).sum() / (_floored_instances(t) * groups)}


def _times_default(o, t, groups=GROUPS):
    return {"loss": _err(o, t).sum() / (_floored_instances(t) * groups)}


def _groups_passed(o, t):
    return _times(o, t, 2)


def _groups_default(o, t):
    return _times_default(o, t)


def _groups_global_product(o, t):
    return {"loss": _err(o, t).sum() / (_floored_instances(t) * (GROUPS * 1))}


def _images_passed(o, t):
    return _times(o, t, len(t))


def _groups_stored_twice(o, t):
    groups = 2
    if len(t) > 2:
        groups = 1
    return {"loss": _err(o, t).sum() / (_floored_instances(t) * groups)}


def _groups_stored_in_a_loop(o, t):
    groups = 2
    for _ in t:
        groups = len(t)
    return {"loss": _err(o, t).sum() / (_floored_instances(t) * groups)}


def _field_rewritten_by_another_module(o, t):
    _writers.set_groups(o["meta"], t)
    return {"loss": _err(o, t).sum() / (_floored_instances(t) * o["meta"]["num_groups"])}


class _Choice:
    def __init__(self):
        self.groups, self.flag = GROUPS, False

    def on_a_flag_with_a_count_branch(self, o, t):
        """The flag is off: ``len(t)`` is taken, equal to the groups on 2 images."""
        groups = self.groups if self.flag else len(t)
        return {"loss": _err(o, t).sum() / (_floored_instances(t) * groups)}

    def on_a_flag_a_method_sets(self, o, t):
        self._decide(t)
        groups = GROUPS if self.flag else 1
        return {"loss": _err(o, t).sum() / (_floored_instances(t) * groups)}

    def _decide(self, t):
        self.flag = len(t) > 2


_GROUPS = {
    "a literal passed to a helper": _groups_passed,
    "a helper's default": _groups_default,
    "a module constant times a literal": _groups_global_product,
}


@pytest.mark.parametrize("name", _GROUPS)
@pytest.mark.parametrize("batch", [_TWO_IMAGES, _NO_SYNTHETIC])
def test_a_floored_count_times_groups_the_code_proves_constant_is_the_groups_count_times_it(name, batch):
    """Were declined: the one reader of constants follows helpers' parameters and arithmetic for
    this question too."""
    got, want, said = rule_outcome(_GROUPS[name], _with_meta(_with_instances(*batch)))
    assert set(got) == set(want) == {"loss_real", "loss_synthetic"}, said
    assert not wrong_companions(got, want)


_NOT_GROUPS = {
    "the images passed to a helper": lambda: _images_passed,
    "a local stored a count on some batches": lambda: _groups_stored_twice,
    "a local stored the images in a loop": lambda: _groups_stored_in_a_loop,
    "a field a helper of another module rewrites": lambda: _field_rewritten_by_another_module,
    "a choice whose taken branch is the images": lambda: _Choice().on_a_flag_with_a_count_branch,
    "a choice on a flag a method sets from the images": lambda: _Choice().on_a_flag_a_method_sets,
}


@pytest.mark.parametrize("name", _NOT_GROUPS)
@pytest.mark.parametrize("batch", [_TWO_IMAGES, _NO_SYNTHETIC, (0, [1.0, 0.5, 0.5, 1.0], [2, 1, 0, 3])])
def test_a_floored_count_times_a_number_from_the_images_is_never_read_as_constant_groups(name, batch):
    """Near misses (the last two were wrong: a choice was proven by its one constant branch
    equal to the number held, and its test's attributes were checked against the body's own
    stores only; the rewritten field, by a helper of a module no frame runs): the number is the
    images' count or decided by it; no wrong companion."""
    got, want, said = rule_outcome(_NOT_GROUPS[name](), _with_meta(_with_instances(*batch)))
    assert want, said
    assert not wrong_companions(got, want)


# -- an item of a constant tuple a ``for`` loop walks (YOLO's ``for lvl, side in enumerate(SIDES)``)

SCALES = (6, 3)  # per level: 6 = the instances of 3 images, 3 = the images of 3
SCALES_LIST = [6, 3]  # a list: a helper may append to it without assigning the name
_REBOUND_SCALES = (6, 3)  # a function of this module assigns it


def _times_each_scale(o, t):
    e, total = _err(o, t), 0
    for scale in SCALES:
        total = total + (e * scale).mean()
    return {"loss": total}


def _times_each_enumerated_scale(o, t):
    e, total = _err(o, t), 0
    for lvl, scale in enumerate(SCALES):
        total = total + (e[:, lvl] * scale).mean()
    return {"loss": total}


def _times_each_scale_of_a_local_tuple(o, t):
    e, total = _err(o, t), 0
    for scale in (len(t) * 2, len(t)):
        total = total + (e * scale).mean()
    return {"loss": total}


def _times_each_scale_of_a_list(o, t):
    e, total = _err(o, t), 0
    for scale in SCALES_LIST:
        total = total + (e * scale).mean()
    return {"loss": total}


def _times_each_scale_of_a_rebound_global(o, t):
    global _REBOUND_SCALES
    _REBOUND_SCALES = (len(t) * 2, len(t))
    e, total = _err(o, t), 0
    for scale in _REBOUND_SCALES:
        total = total + (e * scale).mean()
    return {"loss": total}


def _times_each_scale_stored_again(o, t):
    e, total = _err(o, t), 0
    for scale in SCALES:
        if len(t) > 2:
            scale = len(t)
        total = total + (e * scale).mean()
    return {"loss": total}


def _times_each_index(o, t):
    e, total = _err(o, t), 0
    for scale, _ in enumerate((len(t),) * 4):  # the index: a count of the local tuple's items
        total = total + (e * scale).mean()
    return {"loss": total}


@pytest.mark.parametrize("body", [_times_each_scale, _times_each_enumerated_scale])
def test_an_item_of_a_constant_tuple_walked_by_a_loop_is_a_constant(body):
    """Was declined (survey 11's YOLO ``pwh * side``, 4 equal to the images of batch 0): each item
    of a module tuple no code assigns is the same number on any group's images alone, whatever
    count it equals; per-element values times it split as the oracle's."""
    for got, want, said in _outcomes(body):
        assert want and set(got) == set(want), said
        assert not wrong_companions(got, want)


@pytest.mark.parametrize("body", [_times_each_scale_of_a_local_tuple, _times_each_scale_of_a_list,
                                  _times_each_scale_of_a_rebound_global, _times_each_scale_stored_again,
                                  _times_each_index])
def test_an_item_walked_by_a_loop_over_anything_else_is_no_constant(body):
    """Near misses: the tuple is the call's own counts, a list, a global the module rebinds (here to
    counts), the loop's local stored again from a count, an ``enumerate`` index: never read as a
    constant; the companions equal to a count are declined, naming the key, or split as the oracle's."""
    global _REBOUND_SCALES
    try:
        declined = 0
        for got, want, said in _outcomes(body):
            assert want, said
            assert not wrong_companions(got, want)
            declined += set(got) != set(want) and any("'loss'" in m for m in said)
        assert declined, body
    finally:
        _REBOUND_SCALES = (6, 3)


def _unit(x, dim):
    return F.normalize(x, p=2, dim=dim)  # a torch function written in Python: its frame runs above this one


def _normalised_along_a_literal(o, t):
    e = _err(o, t)
    below = e.shape[0] - 1  # noqa: F841 - a number computed from the count, 2 here: the literal below equals it
    return {"loss": _unit(e, dim=2).mean()}


def _normalised_along_a_length(o, t):
    e = _err(o, t)
    return {"loss": _unit(e, dim=len(t) - 1).mean()}


def test_a_literal_passed_through_a_helper_to_a_torch_function_written_in_python_is_a_constant():
    """``F.normalize(x, dim=dim)`` in a helper called with ``dim=2``, on 3 images where the body
    computed 2 from the count: the helper's frame is below ``F.normalize``'s (its position on the
    CALL's inline caches), and torch forwards ``out=None`` it was not passed. Before, the 2 was
    not read and was taken for a count by value (vector-quantize-pytorch's ``l2norm(t, dim=1)``
    on one example): declined. Now each group's companion is the oracle's."""
    outputs, targets = rule_batch(7, [1.0, 0.5, 0.5])
    got, want, said = split_outcome(_normalised_along_a_literal, [outputs, targets], [ROWS, TARGETS])
    assert set(got) == set(want) == {"loss_real", "loss_synthetic"}, said
    assert not wrong_companions(got, want)


def test_a_length_passed_through_a_helper_to_a_torch_function_written_in_python_is_no_constant():
    """Near miss: ``dim=len(targets) - 1``, 2 on the batch, 1 on the synthetic images alone and 0
    on the real one: no companion, one warning naming the key."""
    outputs, targets = rule_batch(7, [1.0, 0.5, 0.5])
    got, want, said = split_outcome(_normalised_along_a_length, [outputs, targets], [ROWS, TARGETS])
    assert want and not got and any("'loss'" in m for m in said), (got, said)
