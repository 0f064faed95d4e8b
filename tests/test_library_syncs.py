"""Issue #15: at most one host read per decorated call, each a device sync on an accelerator.

``benchmarks/library_syncs.py`` counts, on the CPU, every op losssplit itself performs during a
call that would make a CUDA device wait (host reads, ``torch.equal``, ``nonzero``, boolean-mask
indexing, ``unique``, ...), the body's own not counted. The seed criterion and criteria of the
survey tables that went through the paths which used to read more than once (boolean-mask
mirrors of ``x[mask]`` and ``masked_select``, ``t[b, a, gj, gi] = iou`` and ``s[mask] = iou``
writes, tensors sized by the image count, the per-image normaliser check) make only the call's
one read. Companions and losses are checked against the oracle and bit for bit on the way.
"""

from __future__ import annotations

import functools
import importlib

import pytest
import torch
from _helpers import (
    ROWS,
    TARGETS,
    logged_warnings,
    rule_batch,
    split_and_compare,
    split_outcome,
    wrong_companions,
)
from library_syncs import count_library_syncs
from seed_criterion import RelationCriterion, make_batch

from losssplit import split_by_source


class Decorated(RelationCriterion):
    get_relation_loss = split_by_source(RelationCriterion.get_relation_loss)


def _over_one(calls) -> dict:
    """The calls of more than one library sync: index -> {(op, site): count}."""
    return {i: dict(c.library) for i, c in enumerate(calls) if c.count > 1}


def test_the_seed_criterion_makes_one_sync_per_call():
    batch = make_batch()
    calls, out = count_library_syncs(lambda: [Decorated().get_relation_loss(*batch) for _ in range(2)])
    assert len(calls) == 2 and [c.count for c in calls] == [1, 1], [dict(c.library) for c in calls]
    assert any(k.startswith("loss_relation_") for k in out[0])


SURVEYED = [  # (survey module, case): each read more than once per call on main 4ab73ea
    ("test_criteria_survey28", "yolov5_ciou_objectness_by_level_balance_times_batch_size"),
    ("test_criteria_survey28", "ssd_multibox_matching_in_the_body_and_ranked_hard_negatives"),
    ("test_criteria_survey28", "votenet_votes_objectness_box_and_heading_bins_over_positive_proposals"),
    ("test_criteria_survey16", "rtdetr_varifocal_and_matchability_aware_over_num_boxes"),
    ("test_criteria_survey16", "rife_laplacian_pyramid_l1_and_flow_distillation_where_the_teacher_is_better"),
    ("test_criteria_survey16", "libra_rcnn_roi_ce_and_balanced_l1_over_sampled_rois"),
    ("test_criteria_survey16", "lovasz_hinge_per_image_and_over_the_flattened_batch"),
    ("test_criteria_survey11", "yolo_flat_targets_neighbour_cells_ciou_level_balance_times_batch"),
    ("test_criteria_survey11", "circle_and_multi_similarity_in_batch_and_matmul_classifier"),
    ("test_criteria_survey11", "sampled_softmax_with_log_q_correction_and_accidental_hits"),
    ("test_criteria_survey11", "masked_unit_prediction_by_cosine_to_unit_embeddings"),
    ("test_criteria_survey11", "atss_top_k_per_level_over_mean_plus_std_iou"),
]


@pytest.mark.parametrize(("module", "name"), SURVEYED, ids=[n for _, n in SURVEYED])
def test_surveyed_criteria_make_one_sync_per_call(module, name):
    case = importlib.import_module(module).CASES[name]
    for seed in (0, 1):
        args, _, labels = case.batch(seed)
        with logged_warnings():
            calls, _ = count_library_syncs(functools.partial(split_and_compare, case.body, args, labels))
        assert calls and not _over_one(calls), (seed, _over_one(calls))


def _masked_select(o, t):
    y = torch.stack([u["y"] for u in t])
    keep = y > 0.4
    return {"loss": (o["x"].masked_select(keep) - y.masked_select(keep)).abs().mean()}


def _masked_index(o, t):
    y = torch.stack([u["y"] for u in t])
    keep = y[..., 0] > 0.3
    return {"loss": (o["x"][keep] - y[keep]).pow(2).mean()}


def _masked_write(o, t):
    """``score[fg] = iou.detach()``: the picks' values written back at their own images' rows."""
    y = torch.stack([u["y"] for u in t])
    fg = y[..., 0] > 0.3
    score = torch.zeros(y.shape[:2])
    close = 1 - (o["x"][fg] - y[fg]).abs().mean(-1)
    score[fg] = close.detach()
    return {"loss": torch.nn.functional.binary_cross_entropy(o["x"][..., 0], score), "l1": (1 - close).mean()}


@pytest.mark.parametrize("body", [_masked_select, _masked_index, _masked_write], ids=lambda b: b.__name__)
def test_boolean_mask_ops_follow_the_oracle_with_one_sync(body):
    """The rows of a mask's picks are gathered at positions counted from the body's own result
    (no boolean index of ours); every companion the oracle's."""
    for seed, weights in [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5])]:
        batch = rule_batch(seed, weights)
        calls, (got, want, said) = count_library_syncs(functools.partial(split_outcome, body, list(batch), [ROWS, TARGETS]))
        assert got and set(got) == set(want) and not wrong_companions(got, want), (seed, got, want, said)
        assert not _over_one(calls), (seed, _over_one(calls))


# -- session 31: reads the rules made to decide during the body, answered on the host -------------

SURVEYED_31 = [  # each read more than once per call on main 32a9c3d
    ("test_criteria_survey20", "detr"),  # rows per image of ``loss / num_boxes`` (``_per_image_counts``)
    ("test_criteria_survey20", "rt_detr"),  # the same over the call's image index
    ("test_criteria_survey20", "maskformer"),  # ``one_image`` of a tensor handed to NumPy (the matcher's cost)
    ("test_criteria_survey20", "d_fine"),  # ``torch.equal`` of two image indices
    # (detr, rt_detr, d_fine: also the raw value of ``num_boxes.clamp(min=1).item()``, read from the
    # device at the body's read until session 47, ``Frame.floored_raw``)
    ("test_criteria_survey17", "rle_residual_log_likelihood_with_a_fixed_flow_over_len"),  # rows per image by ``bincount``
    ("test_criteria_survey28", "motr_clip_losses_summed_over_frames_over_the_clips_objects"),  # the same, k terms per image
]


@pytest.mark.parametrize(("module", "name"), SURVEYED_31, ids=[n for _, n in SURVEYED_31])
def test_surveyed_criteria_read_their_counts_on_the_host(module, name):
    test_surveyed_criteria_make_one_sync_per_call(module, name)


def _matched_over_sizes(o, t):
    """DETR's layout on rule batches: matched rows' images made by ``full_like(src, b)`` joined by
    ``cat``, a sum over them divided by the sizes read of each image's matches (``len(k)``)."""
    keep = [torch.nonzero(u["labels"] < 3).flatten() for u in t]
    batch_idx = torch.cat([torch.full_like(k, b) for b, k in enumerate(keep)])
    src_idx = torch.cat(keep)
    num = sum(len(k) for k in keep)
    picked = o["x"][batch_idx, src_idx]
    target = torch.cat([u["y"][k] for u, k in zip(t, keep)])
    return {"l1": (picked - target).abs().sum() / num, "l2": (picked - target).pow(2).sum() / num}


def _matched_written(o, t):
    """As ``_matched_over_sizes``, the row map written in place after it was joined (its count then
    read on the host: not known there any more)."""
    keep = [torch.nonzero(u["labels"] < 3).flatten() for u in t]
    batch_idx = torch.cat([torch.full_like(k, b) for b, k in enumerate(keep)])
    batch_idx[:1] = batch_idx[:1].clone()
    src_idx = torch.cat(keep)
    num = sum(len(k) for k in keep)
    return {"l1": (o["x"][batch_idx, src_idx] - torch.cat([u["y"][k] for u, k in zip(t, keep)])).abs().sum() / num}


def _matched_over_labels(o, t):
    """Near miss: the same rows over the sizes of every image's labels, which are not the matches
    (on a group alone another share)."""
    keep = [torch.nonzero(u["labels"] < 3).flatten() for u in t]
    batch_idx = torch.cat([torch.full_like(k, b) for b, k in enumerate(keep)])
    num = sum(len(u["labels"]) for u in t)
    picked = o["x"][batch_idx, torch.cat(keep)]
    return {"l1": (picked - torch.cat([u["y"][k] for u, k in zip(t, keep)])).abs().sum() / num}


def _matched_written_through_data(o, t):
    """Near miss: the row map written through ``.data`` (its own version counter: the count the
    host keeps is stale), one match moved to the first image: declined, as with the device reads."""
    keep = [torch.nonzero(u["labels"] < 3).flatten() for u in t]
    batch_idx = torch.cat([torch.full_like(k, b) for b, k in enumerate(keep)])
    batch_idx.data[batch_idx.numel() - 1] = 0
    num = sum(len(k) for k in keep)
    picked = o["x"][batch_idx, torch.cat(keep)]
    return {"l1": (picked - torch.cat([u["y"][k] for u, k in zip(t, keep)])).abs().sum() / num}


HOST_BODIES = [_matched_over_sizes, _matched_written, _matched_over_labels, _matched_written_through_data]


def _read_on_the_device(monkeypatch):
    """The rules as before session 31: every count of rows and image read from the device."""
    from losssplit._capture import mode

    monkeypatch.setattr(mode.Frame, "counted_rows", lambda self, r: None)
    monkeypatch.setattr(mode, "hosted_image", lambda frame, track: mode.one_image(track))


@pytest.mark.parametrize("body", HOST_BODIES, ids=lambda b: b.__name__)
def test_counts_known_on_the_host_give_the_device_reads_outcome(body, monkeypatch):
    """The companions and warnings of a body whose row maps the host knows by count are those of
    the same rules reading each count from the device, and the oracle's; one sync per call where
    the map is unchanged."""
    for seed, weights in [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5]), (3, [1.0, 1.0, 0.5])]:
        batch = rule_batch(seed, weights)
        calls, (got, want, said) = count_library_syncs(functools.partial(split_outcome, body, list(batch), [ROWS, TARGETS]))
        assert not wrong_companions(got, want), (seed, got, want, said)
        if body not in (_matched_written, _matched_written_through_data):
            assert not _over_one(calls), (seed, _over_one(calls))
        with monkeypatch.context() as m:
            _read_on_the_device(m)
            before = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert (got, said) == (before[0], before[2]), seed


@pytest.mark.parametrize("name", ["detr", "rt_detr", "maskformer", "d_fine", "rf_detr"])
def test_surveyed_outcomes_equal_the_device_reads(name, monkeypatch):
    case = importlib.import_module("test_criteria_survey20").CASES[name]
    for seed in (0, 1):
        args, _, labels = case.batch(seed)
        with logged_warnings() as said:
            got = split_and_compare(case.body, args, labels)
        with monkeypatch.context() as m:
            _read_on_the_device(m)
            args, _, labels = case.batch(seed)
            with logged_warnings() as before:
                want = split_and_compare(case.body, args, labels)
        assert {k: float(v.detach()) for k, v in got.items()} == {k: float(v.detach()) for k, v in want.items()}, seed
        assert said == before, seed


def _pieces(o, t):
    """``sum(p.sum() for p in x.chunk(2))`` and ``x.split(2)[0]`` of image rows: the pieces' cut
    checked on the device (``shape._pieces_by_position``: the piece of each row from the pieces'
    sizes, known on the host, ``output_size``)."""
    x = o["x"].mean(-1)
    return {"whole": sum(p.sum() for p in x.chunk(2)), "first": x.split(2)[0].mean()}


def _written_through_views(o, t):
    """``w[0].zero_()`` of a fresh per-image table and ``e[:1].mul_(2)`` of tracked errors: the rows
    a view covers are found from its sizes and strides in host memory (``mode.cpu_*``), no read of
    the device."""
    w = torch.ones(len(t), 1)
    w[0].zero_()
    e = (o["x"] - torch.stack([u["y"] for u in t])).abs()
    e[:1].mul_(2.0)
    return {"loss": (e * w[:, :, None]).mean()}


@pytest.mark.parametrize("body", [_pieces, _written_through_views], ids=lambda b: b.__name__)
def test_pieces_and_view_writes_make_one_sync(body):
    for seed, weights in [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5])]:
        batch = rule_batch(seed, weights)
        calls, (got, want, said) = count_library_syncs(functools.partial(split_outcome, body, list(batch), [ROWS, TARGETS]))
        assert not wrong_companions(got, want), (seed, got, want, said)
        assert calls and not _over_one(calls), (seed, _over_one(calls))


# -- session 32: Python's any() / all() over image rows, the batch's outcome read with the split's read --


def _rows_e(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs().mean((1, 2))


def _any_inf(o, t):
    """torchsurv's ``if any(torch.isinf(nll)):`` (False on these batches)."""
    e = _rows_e(o, t)
    if any(torch.isinf(e)):
        e = e[~torch.isinf(e)]
    return {"loss": e.sum(), "loss_mean": e.mean()}


def _all_above(o, t):
    """``all(e > c)``: True on the batch, on a group alone its own rows' outcome."""
    e = _rows_e(o, t)
    return {"loss": e.mean() * 2.0 if all(e > 0.3) else e.mean()}


def _any_above(o, t):
    """``any(e > c)`` with ``c`` between the images' values: True on the batch, False on some group."""
    e = _rows_e(o, t)
    return {"loss": e.mean() * 2.0 if any(e > 0.335) else e.mean()}


def _read_truth_at_once(monkeypatch):
    """The rule as before session 32: the batch's ``any()`` / ``all()`` read on the host at once."""
    from losssplit._capture import shape

    original = shape.note_iterated_truth

    def at_once(frame, src, track, pieces, builtin):
        original(frame, src, track, pieces, builtin)
        for piece in pieces:
            noted = frame.iterated_truths.get(id(piece))
            if noted is not None and isinstance(noted[1].taken, torch.Tensor):
                noted[1].taken = bool(noted[1].taken)

    monkeypatch.setattr(shape, "note_iterated_truth", at_once)


@pytest.mark.parametrize("body", [_any_inf, _all_above, _any_above], ids=lambda b: b.__name__)
def test_iterated_truths_give_the_host_reads_outcome_with_one_sync(body, monkeypatch):
    for seed, weights in [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5]), (3, [1.0, 1.0, 0.5])]:
        for labels in (None, ["a", "b", "a", "a"][: len(weights)]):
            calls, (got, want, said) = count_library_syncs(
                functools.partial(split_outcome, body, list(rule_batch(seed, weights)), [ROWS, TARGETS], labels))
            assert not wrong_companions(got, want), (seed, got, want, said)
            assert calls and not _over_one(calls), (seed, _over_one(calls))
            with monkeypatch.context() as m:
                _read_truth_at_once(m)
                before = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS], labels)
            assert (got, said) == (before[0], before[2]), seed


# -- session 46: a table cut to the count as long as itself, its items compared on the device -------


def _image_errors(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs().mean((1, 2))


def _cut_whole(o, t):
    """On the batch of 4 images the cut is the whole table: positional where its items differ."""
    return {"loss": (_image_errors(o, t) * torch.linspace(0.2, 0.8, 4)[:len(t)]).mean()}


def _narrowed_whole(o, t):
    return {"loss": (_image_errors(o, t) * torch.linspace(0.2, 0.8, 4).narrow(0, 0, len(t))).mean()}


def _cut_whole_of_one_value(o, t):
    """Near miss on 4 images: every item 0.3, the same factor on a group alone (shorter cuts decline)."""
    return {"loss": (_image_errors(o, t) * torch.full((4,), 0.3)[:len(t)]).mean()}


def _cut_whole_by_a_literal(o, t):
    """Near miss: the whole width cut by a literal, no count: was read on the host all the same."""
    return {"loss": (_image_errors(o, t)[:, None] * torch.linspace(0.2, 0.8, 3)[None, :3]).mean()}


_WHOLE_CUTS = {_cut_whole: "declined", _narrowed_whole: "declined", _cut_whole_of_one_value: "exact",
               _cut_whole_by_a_literal: "exact"}  # (their outcome on the batch of 4 images)


@pytest.mark.parametrize("body", list(_WHOLE_CUTS), ids=lambda b: b.__name__)
def test_a_table_cut_to_its_whole_length_makes_one_sync(body):
    """``mode._cut_to_count`` read ``(x == x[0]).all()`` on the host where a cut spans the whole
    table (red45), a second sync per call (also of cuts by a literal, no count); the items are
    compared on the device now and read with the call's one read (``Frame.doubt_values``, scoped
    to the cut's values), with the outcomes of that host read (2 syncs per call on main 3375a85)."""
    for seed, weights in [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5])]:
        calls, (got, want, said) = count_library_syncs(
            functools.partial(split_outcome, body, list(rule_batch(seed, weights)), [ROWS, TARGETS]))
        assert not wrong_companions(got, want), (seed, got, want, said)
        assert len(calls) == 1 and not _over_one(calls), (seed, _over_one(calls))
        if seed == 0:
            assert (bool(got) and set(got) == set(want)) == (_WHOLE_CUTS[body] == "exact"), (got, want, said)
            assert _WHOLE_CUTS[body] == "exact" or any("cut to a count" in m for m in said), said


@pytest.mark.xfail(strict=True, reason="known GAP (rebind46, session 46; exact on 3375a85 with a second sync): a "
                   "whole-length cut by a count whose items differ declines every key computed from it (the scoped "
                   "check), used as an index of the images' own positions too, where positional picks split")
def test_a_whole_cut_of_positions_as_an_index_splits():
    def body(o, t):
        return {"loss": _image_errors(o, t)[torch.arange(4)[:len(t)]].mean()}
    got, want, said = split_outcome(body, list(rule_batch(0, [1.0, 0.5, 0.5, 1.0])), [ROWS, TARGETS])
    assert got and set(got) == set(want) and not wrong_companions(got, want), said


# -- session 47: the raw value of a floored count (``num.clamp(min=1).item()``) known on the host ---


def _floored_matches(o, t, cut=3, make=lambda n: torch.as_tensor([n], dtype=torch.float), read=lambda z: z.item()):
    """DETR's ``num_boxes``: the matched rows' count made a tensor, clamped at 1 and read."""
    keep = [torch.nonzero(u["labels"] < cut).flatten() for u in t]
    batch_idx = torch.cat([torch.full_like(k, b) for b, k in enumerate(keep)])
    num = read(torch.clamp(make(sum(len(k) for k in keep)), min=1))
    picked = o["x"][batch_idx, torch.cat(keep)]
    return {"l1": (picked - torch.cat([u["y"][k] for u, k in zip(t, keep)])).abs().sum() / num}


def _written(z):
    z.mul_(1.0)  # (same value, a new version: the raw value is read from the device)
    return z.item()


FLOORED = {  # body -> whether the raw value is known on the host (one sync per call)
    "above_the_floor": (_floored_matches, True),
    "at_the_floor_of_a_python_int": (functools.partial(_floored_matches, cut=0), True),
    "a_python_float_above_the_floor": (functools.partial(_floored_matches, make=lambda n: torch.tensor(n / 1.0)), True),
    "read_by_int": (functools.partial(_floored_matches, read=int), True),
    "at_the_floor_computed_on_the_device": (functools.partial(
        _floored_matches, cut=0, make=lambda n: torch.as_tensor([float(n)]).exp().log()), False),
    "a_half_count_truncated_by_int": (functools.partial(
        _floored_matches, make=lambda n: torch.as_tensor([n / 2.0 + 0.25]), read=int), False),
    "written_after_the_clamp": (functools.partial(_floored_matches, read=_written), False),
}


@pytest.mark.parametrize("name", list(FLOORED))
def test_the_raw_value_of_a_floored_count_is_the_device_reads(name, monkeypatch):
    """``Frame.floored_raw``: above the floor the read itself, at it the Python int the tensor was
    made from; read from the device where neither is proven (written since, truncated by ``int``,
    computed there). Companions, warnings and the raw values are those of the device read (every
    call read it on main fe445d2, a second sync), and the oracle's."""
    from losssplit._capture import mode

    body, hosted = FLOORED[name]
    raws: list[float] = []
    original = mode.Frame.floored_raw

    def noted(self, x, func, value):
        raws.append(original(self, x, func, value))
        return raws[-1]

    def on_the_device(self, x, func, value):
        raws.append(float(self.floored[id(x)][2].reshape(()).item()))
        return raws[-1]

    for seed, weights in [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5])]:
        with monkeypatch.context() as m:
            m.setattr(mode.Frame, "floored_raw", noted)
            calls, (got, want, said) = count_library_syncs(
                functools.partial(split_outcome, body, list(rule_batch(seed, weights)), [ROWS, TARGETS]))
        assert raws and not wrong_companions(got, want), (seed, got, want, said)
        read = [site for c in calls for (_, site) in c.library if "floored_raw" in site]
        assert calls and not (_over_one(calls) if hosted else not read), (seed, [dict(c.library) for c in calls])
        host, raws[:] = list(raws), []
        with monkeypatch.context() as m:
            m.setattr(mode.Frame, "floored_raw", on_the_device)
            before = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert (got, said, host) == (before[0], before[2], raws), seed
        raws.clear()
