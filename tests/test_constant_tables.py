"""An item of a table of the code's own picked by an image's POSITION in the batch (``W[i]``,
``self.decay[i]``, ``WEIGHTS_T[i]`` over ``enumerate(targets)``, ``torch.tensor(W[:len(targets)])``):
on a group alone (DESIGN.md section 1) the image has its position in the group and takes another
item, so the batch's factor is another image's. Each declines, one warning naming the key. So do
the other ways a table meets an image's position: a local table read by a comprehension (a free
variable there), a dict keyed by position, copies, tensors, slices, iterators and ``itertools``
sequences of a table zipped with the images or drawn from (``next(it)``) in a loop over them, a
constant tensor cut to a count of image rows (``DECAY_T[:e.shape[0]]``), and an item picked by a
number computed from the weight field (on a group alone the weight is 1).
Near misses split exactly: a table picked by a loop over levels or columns, by a constant or by each
image's own field (a class id; per-class weights gathered by labels), a tensor made in the call from
the images' own numbers (``torch.tensor(w)[b]``), an iterator drawn once per level."""

import itertools

import pytest
import torch
from _helpers import ROWS, TARGETS, split_outcome, wrong_companions

BATCHES = {"1r2s": [1.0, 0.5, 0.5], "1r1s": [1.0, 0.5], "1r3s": [1.0, 0.5, 0.5, 0.5], "2r2s": [1.0, 0.5, 1.0, 0.5],
           "3r1s": [1.0, 1.0, 1.0, 0.5], "2s1r": [0.5, 0.5, 1.0]}
DECAY = [0.9, 0.6, 0.35, 0.15]
DECAY_TUPLE = (0.9, 0.6, 0.35, 0.15)
DECAY_TENSOR = torch.tensor(DECAY)
DECAY_MAP = {0: 0.9, 1: 0.6, 2: 0.35, 3: 0.15}


def _batch(weights):
    g = torch.Generator().manual_seed(5)
    x = torch.rand(len(weights), 3, 4, generator=g)
    targets = [{"y": x[b] + 0.1 * (b + 1) + (0.0 if w == 1.0 else 0.5), "cls": (b * 3 + 1) % 4, "loss_weight": w}
               for b, w in enumerate(weights)]
    return [{"x": x.clone().requires_grad_()}, targets], [ROWS, TARGETS]


def _e(x, t):
    return (x - t["y"]).abs().mean()


def _rows(o, targets):
    return (o["x"] - torch.stack([t["y"] for t in targets])).abs().mean((1, 2))


# --- picked by the image's position: declined ----------------------------------------------------
def global_list_by_position(o, targets):
    total = 0.0
    for i, (t, x) in enumerate(zip(targets, o["x"])):
        total = total + _e(x, t) * DECAY[i]
    return {"loss": total}


def global_tuple_in_a_comprehension(o, targets):
    return {"loss": sum(_e(x, t) * DECAY_TUPLE[i] for i, (t, x) in enumerate(zip(targets, o["x"])))}


def local_literal_list(o, targets):
    w = [0.9, 0.6, 0.35, 0.15]
    total = 0.0
    for i in range(len(targets)):
        total = total + _e(o["x"][i], targets[i]) * w[i]
    return {"loss": total}


def from_the_end(o, targets):
    n = len(targets)
    total = 0.0
    for i, t in enumerate(targets):
        total = total + _e(o["x"][i], t) * DECAY[n - 1 - i]
    return {"loss": total}


class AttributeTable:
    def __init__(self):
        self.decay = list(DECAY)

    def __call__(self, o, targets):
        total = 0.0
        for i, (t, x) in enumerate(zip(targets, o["x"])):
            total = total + self.decay[i] * _e(x, t)
        return {"loss": total}


def tensor_table_by_position(o, targets):
    total = 0.0
    for i, (t, x) in enumerate(zip(targets, o["x"])):
        total = total + _e(x, t) * DECAY_TENSOR[i]
    return {"loss": total}


def table_cut_to_the_images(o, targets):
    return {"loss": (_rows(o, targets) * torch.tensor(DECAY[:len(targets)])).sum()}


def table_zipped_with_the_images(o, targets):
    total = 0.0
    for t, x, w in zip(targets, o["x"], DECAY):
        total = total + _e(x, t) * w
    return {"loss": total}


def table_zipped_in_a_comprehension(o, targets):
    return {"loss": sum(_e(x, t) * w for t, x, w in zip(targets, o["x"], DECAY))}


def tensor_table_zipped_with_the_images(o, targets):
    return {"loss": sum(_e(x, t) * w for t, x, w in zip(targets, o["x"], DECAY_TENSOR))}


def local_table_in_a_comprehension(o, targets):  # ``w`` is a free variable of the comprehension
    w = [0.9, 0.6, 0.35, 0.15]
    return {"loss": sum(_e(x, t) * w[i] for i, (t, x) in enumerate(zip(targets, o["x"])))}


def tensor_table_cut_by_the_rows(o, targets):
    e = _rows(o, targets)
    return {"loss": (e * DECAY_TENSOR[:e.shape[0]]).sum()}


def tensor_table_cut_from_the_end(o, targets):
    e = _rows(o, targets)
    return {"loss": (e * DECAY_TENSOR[-e.shape[0]:]).sum()}


def tensor_table_cut_to_the_images(o, targets):
    return {"loss": (_rows(o, targets) * DECAY_TENSOR[:len(targets)]).sum()}


def table_made_a_tensor_then_cut(o, targets):
    n = len(targets)
    return {"loss": (_rows(o, targets) * torch.tensor(DECAY)[:n]).sum()}


def table_cut_from_the_end(o, targets):
    return {"loss": (_rows(o, targets) * torch.tensor(DECAY[-len(targets):])).sum()}


def table_read_by_an_iterator(o, targets):
    it = iter(DECAY)
    return {"loss": sum(_e(x, t) * next(it) for t, x in zip(targets, o["x"]))}


def table_read_by_an_iterator_in_a_loop(o, targets):
    it = iter(DECAY)
    total = 0.0
    for t, x in zip(targets, o["x"]):
        total = total + _e(x, t) * next(it)
    return {"loss": total}


def local_dict_by_position(o, targets):
    w = {0: 0.9, 1: 0.6, 2: 0.35, 3: 0.15}
    total = 0.0
    for i, (t, x) in enumerate(zip(targets, o["x"])):
        total = total + _e(x, t) * w[i]
    return {"loss": total}


def global_dict_by_position(o, targets):
    return {"loss": sum(_e(x, t) * DECAY_MAP[i] for i, (t, x) in enumerate(zip(targets, o["x"])))}


def local_copy_of_a_table(o, targets):
    w = list(DECAY)
    total = 0.0
    for i, (t, x) in enumerate(zip(targets, o["x"])):
        total = total + _e(x, t) * w[i]
    return {"loss": total}


def local_tensor_of_a_table(o, targets):
    w = torch.tensor(DECAY)
    total = 0.0
    for i, (t, x) in enumerate(zip(targets, o["x"])):
        total = total + _e(x, t) * w[i]
    return {"loss": total}


def table_cycled_with_the_images(o, targets):
    return {"loss": sum(_e(x, t) * w for t, x, w in zip(targets, o["x"], itertools.cycle(DECAY)))}


def table_sliced_by_itertools(o, targets):
    total = 0.0
    for t, x, w in zip(targets, o["x"], itertools.islice(DECAY, 4)):
        total = total + _e(x, t) * w
    return {"loss": total}


def enumerated_table_zipped_with_the_images(o, targets):
    total = 0.0
    for (_, w), t, x in zip(enumerate(DECAY), targets, o["x"]):
        total = total + _e(x, t) * w
    return {"loss": total}


def table_enumerated_with_the_images(o, targets):
    total = 0.0
    for _, (t, x, w) in enumerate(zip(targets, o["x"], DECAY)):
        total = total + _e(x, t) * w
    return {"loss": total}


def reversed_table_zipped_with_the_images(o, targets):
    return {"loss": sum(_e(x, t) * w for t, x, w in zip(targets, o["x"], reversed(DECAY)))}


def table_reversed_by_a_slice(o, targets):
    total = 0.0
    for t, x, w in zip(targets, o["x"], DECAY[::-1]):
        total = total + _e(x, t) * w
    return {"loss": total}


def iterator_over_a_table_zipped(o, targets):
    total = 0.0
    for t, x, w in zip(targets, o["x"], iter(DECAY)):
        total = total + _e(x, t) * w
    return {"loss": total}


def local_tuple_zipped_in_a_comprehension(o, targets):
    w = (0.9, 0.6, 0.35, 0.15)
    return {"loss": sum(_e(x, t) * v for t, x, v in zip(targets, o["x"], w))}


def tensor_table_moved_to_the_device(o, targets):
    w = DECAY_TENSOR.to(o["x"].device)
    total = 0.0
    for i, (t, x) in enumerate(zip(targets, o["x"])):
        total = total + _e(x, t) * w[i]
    return {"loss": total}


def tensor_table_moved_then_cut(o, targets):
    e = _rows(o, targets)
    return {"loss": (e * DECAY_TENSOR.to(e.device)[:e.shape[0]]).sum()}


def tensor_table_as_a_list_zipped(o, targets):
    return {"loss": sum(_e(x, t) * w for t, x, w in zip(targets, o["x"], DECAY_TENSOR.tolist()))}


def table_by_the_weight_field(o, targets):  # the weight turned into an index: on a group alone it is 1
    return {"loss": sum(_e(x, t) * DECAY[int(t["loss_weight"] * 2) - 1] for t, x in zip(targets, o["x"]))}


def table_by_the_weight_field_in_a_loop(o, targets):
    total = 0.0
    for t, x in zip(targets, o["x"]):
        k = int(t["loss_weight"] * 2) - 1
        total = total + _e(x, t) * DECAY[k]
    return {"loss": total}


def weight_squared(o, targets):
    return {"loss": sum(_e(x, t) * t["loss_weight"] ** 2 for t, x in zip(targets, o["x"]))}


DECLINED = [global_list_by_position, global_tuple_in_a_comprehension, local_literal_list, from_the_end,
            AttributeTable(), tensor_table_by_position, table_cut_to_the_images, table_zipped_with_the_images,
            table_zipped_in_a_comprehension, tensor_table_zipped_with_the_images, local_table_in_a_comprehension,
            tensor_table_cut_by_the_rows, tensor_table_cut_from_the_end, tensor_table_cut_to_the_images,
            table_made_a_tensor_then_cut, table_cut_from_the_end, table_read_by_an_iterator,
            table_read_by_an_iterator_in_a_loop, local_dict_by_position, global_dict_by_position,
            local_copy_of_a_table, local_tensor_of_a_table, table_cycled_with_the_images, table_sliced_by_itertools,
            enumerated_table_zipped_with_the_images, table_enumerated_with_the_images,
            reversed_table_zipped_with_the_images, table_reversed_by_a_slice, iterator_over_a_table_zipped,
            local_tuple_zipped_in_a_comprehension, tensor_table_moved_to_the_device, tensor_table_moved_then_cut,
            tensor_table_as_a_list_zipped, table_by_the_weight_field, table_by_the_weight_field_in_a_loop,
            weight_squared]


@pytest.mark.parametrize("body", DECLINED, ids=lambda b: getattr(b, "__name__", type(b).__name__))
def test_a_table_item_picked_by_the_images_position_declines(body):
    declined = 0
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert want and not wrong_companions(got, want), (name, got, want)
        if not got:
            assert any("'loss'" in m or "no companions" in m for m in said), (name, said)
            declined += 1
    assert declined >= 4


# --- near misses: split exactly --------------------------------------------------------------------
def levels_weighted_by_a_table(o, targets):
    total = 0.0
    for i, level in enumerate([o["x"], o["x"] * 2.0]):
        total = total + DECAY[i] * sum(_e(x, t) for t, x in zip(targets, level))
    return {"loss": total}


def columns_weighted_by_a_table(o, targets):
    e = (o["x"] - torch.stack([t["y"] for t in targets])).abs().mean(1)  # [B, 4]
    total = 0.0
    for c in range(4):
        total = total + DECAY[c] * e[:, c].mean()
    return {"loss": total}


def table_by_the_images_class(o, targets):
    return {"loss": sum(_e(x, t) * DECAY[t["cls"]] for t, x in zip(targets, o["x"]))}


def tensor_table_by_the_images_class(o, targets):
    w = DECAY_TENSOR[torch.tensor([t["cls"] for t in targets])]
    return {"loss": (_rows(o, targets) * w).sum()}


def levels_zipped_with_a_table(o, targets):
    return {"loss": sum(w * sum(_e(x, t) for t, x in zip(targets, level))
                        for w, level in zip(DECAY, [o["x"], o["x"] * 2.0]))}


def local_table_by_the_images_class(o, targets):  # a free variable of the comprehension, picked by a class
    w = [0.9, 0.6, 0.35, 0.15]
    return {"loss": sum(_e(x, t) * w[t["cls"]] for t, x in zip(targets, o["x"]))}


def local_table_by_a_constant(o, targets):
    w = [0.9, 0.6, 0.35, 0.15]
    return {"loss": sum(_e(x, t) * w[1] for t, x in zip(targets, o["x"]))}


def table_by_a_constant(o, targets):
    return {"loss": sum(_e(x, t) * DECAY[2] for t, x in zip(targets, o["x"]))}


def dict_by_the_images_class(o, targets):
    w = {0: 0.9, 1: 0.6, 2: 0.35, 3: 0.15}
    total = 0.0
    for t, x in zip(targets, o["x"]):
        total = total + _e(x, t) * w[t["cls"]]
    return {"loss": total}


def tensor_of_a_table_gathered_by_labels(o, targets):  # per-class weights
    w = torch.tensor(DECAY)
    return {"loss": (_rows(o, targets) * w[torch.tensor([t["cls"] for t in targets])]).sum()}


def tensor_table_on_the_device_gathered_by_labels(o, targets):
    e = _rows(o, targets)
    return {"loss": (e * DECAY_TENSOR.to(e.device)[torch.tensor([t["cls"] for t in targets])]).sum()}


def tensor_made_from_the_images_numbers(o, targets):  # each image's own number, by its position
    w = [t["loss_weight"] for t in targets]
    return {"loss": sum(_e(x, t) * torch.tensor(w)[b] for b, (t, x) in enumerate(zip(targets, o["x"])))}


def iterator_over_a_table_drawn_per_level(o, targets):
    it = iter(DECAY)
    total = 0.0
    for level in [o["x"], o["x"] * 2.0]:
        total = total + next(it) * sum(_e(x, t) for t, x in zip(targets, level))
    return {"loss": total}


def first_item_of_a_fresh_iterator(o, targets):
    return {"loss": sum(_e(x, t) * next(iter(DECAY)) for t, x in zip(targets, o["x"]))}


def table_by_an_int_field(o, targets):
    return {"loss": sum(_e(x, t) * DECAY[int(t["cls"])] for t, x in zip(targets, o["x"]))}


def weight_then_a_table_by_class(o, targets):
    return {"loss": sum(_e(x, t) * t["loss_weight"] * DECAY[t["cls"]] for t, x in zip(targets, o["x"]))}


EXACT = [levels_weighted_by_a_table, columns_weighted_by_a_table, table_by_the_images_class,
         tensor_table_by_the_images_class, levels_zipped_with_a_table, local_table_by_the_images_class,
         local_table_by_a_constant, table_by_a_constant, dict_by_the_images_class, tensor_of_a_table_gathered_by_labels,
         tensor_table_on_the_device_gathered_by_labels, tensor_made_from_the_images_numbers, iterator_over_a_table_drawn_per_level, first_item_of_a_fresh_iterator,
         table_by_an_int_field, weight_then_a_table_by_class]


@pytest.mark.parametrize("body", EXACT, ids=lambda b: b.__name__)
def test_a_table_picked_by_no_image_position_keeps_the_split(body):
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert want and got and not wrong_companions(got, want), (name, got, want, said)


# --- were strict xfails (session 25): declined since session 26 ------------------------------------
def table_read_by_a_nested_helper(o, targets):
    w = [0.9, 0.6, 0.35, 0.15]

    def term(e, i):  # ``w`` is a free variable of the helper, ``i`` its parameter
        return e * w[i]

    return {"loss": sum(term(_e(x, t), i) for i, (t, x) in enumerate(zip(targets, o["x"])))}


def table_as_a_parameter_default(o, targets, decay=(0.9, 0.6, 0.35, 0.15)):
    total = 0.0
    for i, (t, x) in enumerate(zip(targets, o["x"])):
        total = total + _e(x, t) * decay[i]
    return {"loss": total}


def dict_get_by_position(o, targets):
    return {"loss": sum(_e(x, t) * DECAY_MAP.get(i, 1.0) for i, (t, x) in enumerate(zip(targets, o["x"])))}


@pytest.mark.parametrize("body", [table_read_by_a_nested_helper, table_as_a_parameter_default, dict_get_by_position],
                         ids=lambda b: b.__name__)
def test_tables_picked_otherwise_decline(body):
    """Were strict xfails: a position passed to a nested helper that picks from a table it reads as
    a free variable, a table given as a parameter's default, ``W.get(i, 1.0)`` -- the batch's items
    on every group. No reader lists these forms; the numbers differ from image to image at one
    place of the code and are no image's data, which declines the call
    (``elementwise._note_number``), on every batch."""
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert want and not got and not wrong_companions(got, want), (name, got, want)
        assert any("Tensor.mul" in m and "differs from image to image" in m for m in said), (name, said)
