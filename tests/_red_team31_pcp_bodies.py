"""Red team of session 31 (helper pcp): adversarial bodies aimed at the count-provenance rules of
session 31 (cpin): a side size ``x[...].shape[k]`` of an argument as passed taken for a constant
(written at the division, kept in a local stored once, returned by a lambda or a one-line
function; ``_bytecode.side_size_divisor``), the other dims of a ``cat`` / ``stack`` along dim 0 of
argument tensors (``Frame.argument_joins``), a cut of a later dim by the count of the images
(``_bytecode.counted_subscript``), and a count passed by a helper to a method not found without
running code (``_unread_argument_spans``). Each body is spelt so that a constant may be taken
for the count of the images or the other way round: an argument's field set through a method, a
helper or ``operator.setitem`` (no ``STORE_SUBSCR`` in the body), a tensor of ``[B, B]`` joined from
the arguments, a lambda closing over the count, a local re-stored in a branch, the count spelt as
a running count, a shape, a ``len`` of a tensor, a call or a ``narrow`` / ``select`` / ``unbind``.

``BODIES``: name -> (family, batch kind, body); measured by ``tests/_red_team28_measure.py``'s
batches (``tests/test_red_team31_pcp.py``). On ``xbatch``: outputs x [B, 3, 4], logits [B, 3, 5],
emb [B, 6]; 3 rows per image and 4 columns, so a side size equals the image count by value on
the batches of 3 and 4 images."""

from __future__ import annotations

import functools
import operator
from typing import Any

import torch
from _red_team26_bodies import E
from _red_team27_bodies import registrar

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def _square(o, t):
    """A per-image [B, B] tensor: each image's mean |x - y| along a row of the count's length."""
    return E(o, t)[:, None].expand(-1, len(t))


def _put(d, key, value):
    d[key] = value


def _width(d):
    return d["m"].shape[1]


def _rows_of(d):
    return d["x"].shape[1]


# === 1. a side size of an argument's field the body sets without a STORE_SUBSCR of its own ========


@body("side")
def side_field_set_by_update(o, t):
    o.update(m=_square(o, t))
    return {"loss": o["m"].sum() / o["m"].shape[1]}


@body("side")
def side_field_set_by_helper(o, t):
    _put(o, "m", _square(o, t))
    return {"loss": o["m"].sum() / o["m"].shape[1]}


@body("side")
def side_field_set_by_operator_setitem(o, t):
    operator.setitem(o, "m", _square(o, t))
    return {"loss": o["m"].sum() / o["m"].size(1)}


@body("side")
def side_field_set_by_dunder_setitem(o, t):
    o.__setitem__("m", _square(o, t))
    return {"loss": o["m"].sum() / o["m"].shape[1]}


@body("side")
def side_field_set_by_setdefault(o, t):
    o.setdefault("m", _square(o, t))
    return {"loss": o["m"].sum() / o["m"].shape[1]}


@body("side")
def side_field_set_by_helper_kept_in_local(o, t):
    _put(o, "m", _square(o, t))
    z = o["m"].shape[1]
    return {"loss": o["m"].sum() / z}


@body("side")
def side_field_set_by_helper_through_lambda(o, t):
    _put(o, "m", _square(o, t))
    z_of = lambda d: d["m"].shape[1]  # noqa: E731
    return {"loss": o["m"].sum() / z_of(o)}


@body("side")
def side_field_set_by_update_through_function(o, t):
    o.update({"m": _square(o, t)})
    return {"loss": o["m"].sum() / _width(o)}


@body("side")
def side_field_set_through_alias_store(o, t):
    a = o
    a["m"] = _square(o, t)
    return {"loss": o["m"].sum() / o["m"].shape[1]}


@body("side")
def side_field_set_through_alias_update(o, t):
    a = o
    a.update(m=_square(o, t))
    return {"loss": o["m"].sum() / o["m"].shape[1]}


@body("side")
def side_field_replaced_after_local_kept(o, t):
    z = o["x"].shape[1]  # 3, a constant; then the field becomes [B, B, 4]
    o.update(x=o["x"][:, :1].expand(-1, len(t), -1))
    return {"loss": E(o, t).sum() / z}


@body("side")
def side_field_replaced_before_local_kept(o, t):
    o.update(x=o["x"][:, :1].expand(-1, len(t), -1))
    z = o["x"].shape[1]  # B
    return {"loss": (o["x"] - 0.5).abs().sum() / z}


@body("side")
def side_local_restored_in_branch(o, t):
    z = o["x"].shape[1]
    if len(t) > 2:
        z = len(t)
    return {"loss": E(o, t).sum() / z}


@body("side")
def side_local_restored_in_loop(o, t):
    z = 1
    for s in t:
        z = o["x"].shape[1] if s is t[0] else z
    return {"loss": E(o, t).sum() / z}


@body("side")
def side_lambda_closing_over_count(o, t):
    z_of = lambda d: d["x"][:, : len(t)].shape[1]  # noqa: E731
    return {"loss": E(o, t).sum() / z_of(o)}


@body("side")
def side_nested_function_closing_over_count(o, t):  # (session 33)
    def z_of(d):
        return d["x"][:, : len(t) - 1].shape[1]
    return {"loss": E(o, t).sum() / z_of(o)}


@body("side")
def side_lambda_closing_over_literal(o, t):  # (session 33: WRONG on a980fb3; a GAP now: a cut field's size declines)
    k = 2
    z_of = lambda d: d["x"][:, :k].shape[1]  # noqa: E731
    return {"loss": E(o, t).sum() / z_of(o)}


@body("side")
def side_of_a_field_cut_by_literal(o, t):  # (session 33: WRONG on a980fb3, 2 columns read as 2 images)
    return {"loss": E(o, t).sum() / o["x"][:, :2].shape[1]}


@body("side")
def side_lambda_of_a_field_cut_by_literal(o, t):  # (session 33: WRONG on a980fb3)
    z_of = lambda d: d["x"][..., :2].shape[2]  # noqa: E731
    return {"loss": E(o, t).sum() / z_of(o)}


@body("side")
def side_lambda_default_count(o, t):
    z_of = lambda d, n=len(t): d["x"].shape[1] * n // 3  # noqa: E731, B008
    return {"loss": E(o, t).sum() / z_of(o)}


@body("side")
def side_function_of_expanded_argument(o, t):
    e = o["x"][:, :1].expand(-1, len(t), -1)
    return {"loss": (e - 0.5).abs().sum() / _rows_of({"x": e})}


@body("side")
def side_function_given_rebuilt_dict(o, t):
    d = {"x": o["x"][:, :1].expand(-1, len(t), -1)}
    return {"loss": (d["x"] - 0.5).abs().sum() / _rows_of(d)}


@body("side")
def side_argument_rows_plain(o, t):  # near miss: the rows of the argument as passed, 3
    return {"loss": E(o, t).sum() / o["x"].shape[1] + E(o, t).sum() / _rows_of(o)}


@body("side")
def side_argument_width_kept_in_local(o, t):  # near miss: 4 columns
    z = o["x"].size(2)
    return {"loss": E(o, t).sum() / z}


@body("side")
def side_field_set_by_update_to_constant_width(o, t):  # near miss: a field set by a method, 3 wide
    o.update(m=E(o, t)[:, None].expand(-1, 3))
    return {"loss": o["m"].sum() / o["m"].shape[1]}


@body("side")
def side_partial_of_width(o, t):
    z_of = functools.partial(lambda d, k: d["m"].shape[k], k=1)
    o.update(m=_square(o, t))
    return {"loss": o["m"].sum() / z_of(o)}


# === 2. joins along dim 0 of argument tensors ====================================================


@body("join")
def join_stack_of_repeated_argument(o, t):
    s = torch.stack([o["x"]] * len(t))  # [B, B, 3, 4]
    return {"loss": (s - 0.5).abs().sum() / s.shape[1]}


@body("join")
def join_cat_of_argument_pairs_side(o, t):
    s = torch.cat([o["emb"], o["emb"]])  # [2B, 6]
    return {"loss": s.abs().sum() / s.shape[1]}


@body("join")
def join_stack_of_targets_rows(o, t):  # near miss: [B, 3, 4], 3 rows
    y = torch.stack([s["y"] for s in t])
    return {"loss": (o["x"] - y).abs().sum() / y.shape[1]}


@body("join")
def join_stack_of_targets_columns(o, t):  # near miss: 4 columns
    y = torch.stack([s["y"] for s in t])
    return {"loss": (o["x"] - y).abs().sum() / y.size(2)}


@body("join")
def join_stack_of_targets_along_dim1(o, t):
    y = torch.stack([s["y"] for s in t], 1)  # [3, B, 4]
    return {"loss": (o["x"].transpose(0, 1) - y).abs().sum() / y.shape[1]}


@body("join")
def join_stack_along_dim1_side(o, t):
    y = torch.stack([s["y"] for s in t], 1)  # [3, B, 4]: its dim 2, 4 columns
    return {"loss": (o["x"].transpose(0, 1) - y).abs().sum() / y.shape[2]}


@body("join")
def join_cat_of_per_image_count_rows(o, t):
    for s in t:
        s["row"] = torch.ones(1, len(t))
    r = torch.cat([s["row"] for s in t])  # [B, B]
    return {"loss": (E(o, t)[:, None] * r).sum() / r.shape[1]}


@body("join")
def join_cat_of_count_rows_set_by_update(o, t):
    for s in t:
        s.update(row=torch.ones(1, len(t)))
    r = torch.cat([s["row"] for s in t])  # [B, B]
    return {"loss": (E(o, t)[:, None] * r).sum() / r.shape[1]}


@body("join")
def join_cat_of_count_rows_set_by_helper(o, t):
    for s in t:
        _put(s, "row", torch.ones(1, len(t)))
    r = torch.cat([s["row"] for s in t])  # [B, B]
    return {"loss": (E(o, t)[:, None] * r).sum() / r.shape[1]}


@body("join")
def join_stack_of_transposed_targets(o, t):
    y = torch.stack([s["y"].T for s in t])  # [B, 4, 3]
    return {"loss": (o["x"].transpose(1, 2) - y).abs().sum() / y.shape[1]}


@body("join")
def join_cat_of_argument_and_made(o, t):
    s = torch.cat([o["emb"], torch.zeros(1, 6)])  # [B + 1, 6]
    return {"loss": s.abs().sum() / s.shape[1]}


@body("join")
def join_stack_of_expanded_targets(o, t):
    y = torch.stack([s["labels"].float()[:1].expand(len(t)) for s in t])  # [B, B]
    return {"loss": (E(o, t)[:, None] * y).sum() / y.shape[1]}


@body("join")
def join_stack_of_targets_kept_in_local(o, t):  # a side size of a join kept in a local
    y = torch.stack([s["y"] for s in t])
    z = y.shape[1]
    return {"loss": (o["x"] - y).abs().sum() / z}


# === 3. a cut of a later dim by the count of the images ==========================================


@body("cut")
def cut_by_running_count(o, t):
    n = 0
    for _ in t:
        n += 1
    return {"loss": o["x"][:, : n - 1].sum()}


@body("cut")
def cut_by_images_dim_of_shape(o, t):
    x = o["x"]
    return {"loss": x[:, : x.shape[0] - 1].sum()}


@body("cut")
def cut_by_len_of_tensor(o, t):
    x = o["x"]
    return {"loss": x[:, : len(x) - 1].sum()}


@body("cut")
def cut_by_size0_of_other_field(o, t):
    return {"loss": o["x"][:, : o["emb"].size(0) - 1].sum()}


@body("cut")
def cut_by_narrow(o, t):
    return {"loss": o["x"].narrow(1, 0, len(t) - 1).sum()}


@body("cut")
def cut_by_arange_index(o, t):
    return {"loss": o["x"][:, torch.arange(len(t) - 1)].sum()}


@body("cut")
def cut_by_operator_getitem(o, t):
    return {"loss": operator.getitem(o["x"], (slice(None), slice(None, len(t) - 1))).sum()}


@body("cut")
def cut_by_dunder_getitem(o, t):
    return {"loss": o["x"].__getitem__((slice(None), slice(None, len(t) - 1))).sum()}


@body("cut")
def cut_int_position_by_count(o, t):
    return {"loss": o["x"][:, len(t) - 2].sum()}


@body("cut")
def cut_by_scaled_count(o, t):
    return {"loss": o["x"][:, : int(len(t) * 0.7)].sum()}


@body("cut")
def cut_by_min_of_count(o, t):
    return {"loss": o["x"][:, : min(len(t), 3) - 1].sum()}


@body("cut")
def cut_by_walrus_count(o, t):
    return {"loss": o["x"][:, : (n := len(t)) - 1].sum() / n}


@body("cut")
def cut_by_generator_count(o, t):
    return {"loss": o["x"][:, : sum(1 for _ in t) - 1].sum()}


def _count(t):
    return len(t)


@body("cut")
def cut_by_helper_returning_count(o, t):
    return {"loss": o["x"][:, : _count(t) - 1].sum()}


@body("cut")
def cut_from_end_by_count(o, t):
    return {"loss": o["x"][:, -(len(t) - 1):].sum()}


@body("cut")
def cut_step_by_count(o, t):
    return {"loss": o["x"][:, :, :: len(t)].sum()}


@body("cut")
def cut_by_slice_object_local(o, t):
    idx = slice(0, len(t) - 1)
    return {"loss": o["x"][:, idx].sum()}


@body("cut")
def cut_by_dunder_len(o, t):
    return {"loss": o["x"][:, : t.__len__() - 1].sum()}


@body("cut")
def cut_by_numel_of_weights(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": o["x"][:, : w.numel() - 1].sum()}


@body("cut")
def cut_by_unbind_position(o, t):
    return {"loss": o["x"].unbind(1)[len(t) - 2].sum()}


@body("cut")
def cut_by_select(o, t):
    return {"loss": o["x"].select(1, len(t) - 2).sum()}


@body("cut")
def cut_by_index_select(o, t):
    return {"loss": torch.index_select(o["x"], 1, torch.arange(len(t) - 1)).sum()}


@body("cut")
def cut_by_enumerate_position(o, t):
    total = 0
    for b, _ in enumerate(t):
        total = total + o["x"][:, b].sum()
    return {"loss": total}


@body("cut")
def cut_by_tensor_count(o, t):
    n = torch.tensor(len(t))
    return {"loss": o["x"][:, : n - 1].sum()}


@body("cut")
def cut_images_dim_by_count(o, t):  # near miss: the images' dim cut to all of them
    return {"loss": o["x"][: len(t), 1:].sum()}


@body("cut")
def cut_by_own_size(o, t):  # near miss: a later dim cut by its own size
    x = o["x"]
    return {"loss": x[:, : x.shape[1] - 1].sum() + x[:, :, : x.size(-1) // 2].sum()}


@body("cut")
def cut_by_first_image_field(o, t):  # near miss: a field, 3 on every image
    return {"loss": o["x"][:, : t[0]["n"] - 1].sum()}


@body("cut")
def cut_by_loop_over_columns(o, t):  # near miss: a loop over the columns
    x = o["x"]
    total = 0
    for c in range(x.shape[-1]):
        total = total + x[..., c].mean()
    return {"loss": total}


# === 4. a count passed to a method not found without running code ================================


class _Ops:
    @staticmethod
    def power(a, k=2):
        return a.abs() ** k

    @staticmethod
    def scaled(scale, a, k=2):
        return scale * a.abs() ** k


class _Holder:
    @property
    def ops(self):
        return _Ops

    @property
    def partial_power(self):
        return functools.partial(_Ops.scaled, 1.0)

    def star(self, e, n):
        return self.ops.power(*(e, n - 1))

    def star_list(self, e, n):
        return self.ops.power(e, *[n - 1])

    def double_star(self, e, n):
        return self.ops.power(e, **{"k": n - 1})

    def keyword(self, e, n):
        return self.ops.power(e, k=n - 1)

    def bound_local(self, e, n):
        p = self.ops.power
        return p(e, n - 1)

    def by_getattr(self, e, n):
        return self.ops.power(e, n - 1)

    def partial_of_property(self, e, n):
        return self.partial_power(e, n - 1)

    def wrapped_in_tuple(self, e, n):
        return self.ops.power(e, *(n - 1,))

    def literal(self, e, n):  # near miss
        return self.ops.power(e, 2)

    def star_literal(self, e, n):  # near miss
        return self.ops.power(*(e, 2))

    def partial_literal(self, e, n):  # near miss
        return self.partial_power(e, 2)

    def partial_reshaping(self, e, n):  # (session 33): the count reshapes the images' rows only
        return self.partial_power(e.reshape(n, -1))


HOLDER = _Holder()


@body("unread")
def unread_star_args(o, t):
    return {"loss": HOLDER.star(o["x"], len(t)).mean()}


@body("unread")
def unread_star_list(o, t):
    return {"loss": HOLDER.star_list(o["x"], len(t)).mean()}


@body("unread")
def unread_double_star(o, t):
    return {"loss": HOLDER.double_star(o["x"], len(t)).mean()}


@body("unread")
def unread_keyword(o, t):
    return {"loss": HOLDER.keyword(o["x"], len(t)).mean()}


@body("unread")
def unread_bound_local(o, t):
    return {"loss": HOLDER.bound_local(o["x"], len(t)).mean()}


@body("unread")
def unread_by_getattr(o, t):
    return {"loss": HOLDER.by_getattr(o["x"], len(t)).mean()}


@body("unread")
def unread_partial_of_property(o, t):
    return {"loss": HOLDER.partial_of_property(o["x"], len(t)).mean()}


@body("unread")
def unread_wrapped_in_tuple(o, t):
    return {"loss": HOLDER.wrapped_in_tuple(o["x"], len(t)).mean()}


@body("unread")
def unread_literal(o, t):  # near miss
    return {"loss": HOLDER.literal(o["x"], len(t)).mean()}


@body("unread")
def unread_star_literal(o, t):  # near miss
    return {"loss": HOLDER.star_literal(o["x"], len(t)).mean()}


@body("unread")
def unread_partial_literal(o, t):  # near miss
    return {"loss": HOLDER.partial_literal(o["x"], len(t)).mean()}


@body("unread")
def unread_partial_reshaping_by_count(o, t):  # a GAP (declined on a980fb3 too): a number the helper computes from the count
    return {"loss": HOLDER.partial_reshaping(o["x"], len(t)).mean()}


@body("cut")
def cut_by_operator_getitem_of_images(o, t):  # near miss: the images' dim cut to all of them, a later by a literal
    return {"loss": operator.getitem(o["x"], (slice(None, len(t)), slice(1, None))).sum()}


@body("join")
def join_stack_along_dim1_kept_in_local(o, t):  # near miss: the images' dim of a join, kept
    y = torch.stack([s["y"] for s in t], 1)  # [3, B, 4]
    z = y.shape[1]
    return {"loss": (o["x"].transpose(0, 1) - y).abs().sum() / z}


@body("join")
def join_of_computed_kept_in_local(o, t):  # near miss: a join of tensors the body computed, kept
    y = torch.stack([s["y"] * 2 for s in t])
    z = y.shape[1]
    return {"loss": (2 * o["x"] - y).abs().sum() / z}


def _width(t):
    return 2


@body("cut")
def cut_by_arange_of_own_size(o, t):  # near miss (pc2): positions of a later dim by its own size
    x = o["x"]
    return {"loss": x[:, torch.arange(x.shape[1] - 1)].sum() + x[:, :, torch.arange(2)].sum()}


@body("cut")
def cut_by_helper_returning_constant(o, t):  # near miss (pc2): a helper given the targets returns a literal
    return {"loss": o["x"][:, : _width(t)].sum()}


@body("cut")
def cut_by_tensor_constant(o, t):  # near miss (pc2): a tensor local of a literal
    n = torch.tensor(3)
    return {"loss": o["x"][:, : n - 1].sum()}


@body("cut")
def cut_by_dunder_len_of_first_image(o, t):  # near miss (pc2): the number of fields of one image (declines: a size of an image)
    return {"loss": o["x"][:, : t[0].__len__() - 1].sum()}


@body("cut")
def cut_by_numel_of_first_image_field(o, t):  # near miss (pc2): the numel of one image's tensor of its own
    w = torch.tensor([t[0]["n"], t[0]["n"]])
    return {"loss": o["x"][:, : w.numel()].sum()}


@body("cut")
def cut_by_index_select_method(o, t):  # (pc2) as cut_by_index_select, by the tensor's method
    return {"loss": o["x"].index_select(1, torch.arange(len(t) - 1)).sum()}


@body("cut")
def cut_by_index_select_of_own_size(o, t):  # near miss (pc2): positions by the dim's own size, by a literal
    x = o["x"]
    return {"loss": x.index_select(1, torch.arange(x.shape[1] - 1)).sum() + torch.index_select(x, 2, torch.arange(2)).sum()}


@body("cut")
def cut_by_arange_local(o, t):  # (pc2f) positions by the count kept in a local
    idx = torch.arange(len(t) - 1)
    return {"loss": o["x"][:, idx].sum()}


@body("cut")
def cut_by_tensor_of_count_position(o, t):  # (pc2f) a tensor position of the count
    return {"loss": o["x"][:, torch.tensor([len(t) - 2])].sum()}


@body("cut")
def cut_by_index_select_of_local(o, t):  # (pc2f) index_select at positions by the count kept in a local
    keep = torch.arange(len(t) - 1)
    return {"loss": o["x"].index_select(2, keep).sum()}


@body("cut")
def cut_by_arange_local_of_own_size(o, t):  # near miss (pc2f): positions by the dim's own size kept in a local
    x = o["x"]
    idx = torch.arange(x.shape[1] - 1)
    return {"loss": x[:, idx].sum()}


@body("cut")
def cut_by_argmax_positions(o, t):  # near miss (pc2f): each image's own positions, from its values
    x = o["x"]
    best = x[:, :, 0].argmax(-1)
    return {"loss": x[torch.arange(x.shape[0]), best].sum()}


@body("cut")
def cut_by_positions_of_first_image_field(o, t):  # near miss (pc2f): positions by a field, 3 on every image
    return {"loss": o["x"][:, torch.arange(t[0]["n"] - 1)].sum()}


@body("join")
def join_stack_of_argument_repeated_by_literal(o, t):  # near miss (pc2f): a list repeated by a literal
    s = torch.stack([o["x"]] * 3)  # [3, B, 3, 4]
    return {"loss": (s - 0.5).abs().sum() / s.shape[1]}


@body("join")
def join_cat_of_argument_repeated_by_count(o, t):  # (pc2f) a cat of a list repeated by the count kept in a local
    n = len(t)
    parts = [o["emb"]] * n
    s = torch.cat(parts)  # [B * B, 6]
    return {"loss": s.abs().sum() / n}
