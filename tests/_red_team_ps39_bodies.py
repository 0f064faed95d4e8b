"""Adversarial bodies for the two rules survey 39 added (session 31, red team ps39): one-row pieces
of a cut by position as batch terms of a sum (``PIECES``: ``x`` [B, 8, 4], ``y`` [B, 8], the shifted
tokens of each sequence 7 rows) and a literal times a running sum of the images' sizes
(``MULTIPLES``: ``pred`` [B, 6, 6] and a batch dict of ``depth`` and ``valid``). Measured by
``tests/_red_team_ps39_measure.py`` against the oracle."""
# ruff: noqa: E731

from __future__ import annotations

import torch
import torch.nn.functional as F


def _tokens(x, y):
    return x[:, :-1].reshape(-1, 4), y[:, 1:].reshape(-1)


# -- one-row pieces ------------------------------------------------------------------------------


def p_split_by_batch(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(x.shape[0] + 2):
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_chunk_by_count(x, y):
    h, t = _tokens(x, y)
    n = int((t != -100).sum()) // 4
    total = 0.0
    for c in h.chunk(n):
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_split_one(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(1):
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_split_three(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(3):
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_index_factor(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for i, c in enumerate(h.split(5)):
        total = total + (i + 1) * (c ** 2).sum()
    return {"loss": total}


def p_index_factor_one(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for i, c in enumerate(h.split(1)):
        total = total + (i % 2 + 1) * (c ** 2).sum()
    return {"loss": total}


def p_size_factor(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(5):
        total = total + (c ** 2).sum() * c.shape[0]
    return {"loss": total}


def p_size_divided(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(5):
        total = total + (c ** 2).sum() / len(c)
    return {"loss": total}


def p_one_row_doubled(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(5):
        s = (c ** 2).sum()
        total = total + (2 * s if c.shape[0] == 1 else s)
    return {"loss": total}


def p_skip_short(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(5):
        if c.shape[0] < 5:
            continue
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_skip_first(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for i, c in enumerate(h.split(5)):
        if i == 0:
            continue
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_reversed(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in reversed(h.split(5)):
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_alias_twice(x, y):
    h, _ = _tokens(x, y)
    pieces = h.split(5)
    total = 0.0
    for c in pieces:
        total = total + (c ** 2).sum()
    alias = pieces[len(pieces) - 1]
    return {"loss": total + (alias ** 2).sum()}


def p_alias_loop_twice(x, y):
    h, _ = _tokens(x, y)
    pieces = list(h.split(5))
    total = 0.0
    for c in pieces + pieces[-1:]:
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_same_sum_twice(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(5):
        s = (c ** 2).sum()
        total = total + s + s
    return {"loss": total}


def p_squared_piece_sum(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(5):
        s = c.sum()
        total = total + s * s
    return {"loss": total}


def p_zip_short(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c, w in zip(h.split(5), [1.0, 1.0, 1.0]):
        total = total + w * (c ** 2).sum()
    return {"loss": total}


def p_stack_pieces(x, y):
    h, _ = _tokens(x, y)
    return {"loss": torch.stack([(c ** 2).sum() for c in h.split(5)]).sum()}


def p_last_slice_added(x, y):
    h, _ = _tokens(x, y)
    return {"loss": (x ** 2).sum() + (h[-1:] ** 2).sum()}


def p_split_sizes_list(x, y):
    h, _ = _tokens(x, y)
    n = h.shape[0]
    sizes = [5] * (n // 5) + ([n % 5] if n % 5 else [])
    total = 0.0
    for c in h.split(sizes):
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_tensor_split(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in torch.tensor_split(h, 4):
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_two_cuts(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(5):
        total = total + (c ** 2).sum()
    for c in h.split(3):
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_ce_by_pieces(x, y):
    h, t = _tokens(x, y)
    total = 0.0
    pieces = list(zip(h.split(5), t.split(5)))
    for hc, tc in pieces:
        total = total + F.cross_entropy(hc, tc, ignore_index=-100, reduction="sum")
    return {"loss": total / len(pieces)}


def p_last_piece_minus_then_plus(x, y):
    h, _ = _tokens(x, y)
    pieces = h.split(5)
    total = 0.0
    for c in pieces:
        total = total + (c ** 2).sum()
    last = (pieces[-1] ** 2).sum()
    return {"loss": total - last + last}


def p_first_piece_one_row(x, y):
    h, _ = _tokens(x, y)
    pieces = h.flip(0).split(5)
    total = 0.0
    for c in pieces:
        total = total + (c ** 2).sum()
    return {"loss": total}


def p_piece_abs_sum(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(5):
        total = total + c.abs().sum(1).sum()
    return {"loss": total}


def p_max_of_piece_sums(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(5):
        total = torch.maximum(torch.as_tensor(total), (c ** 2).sum())
    return {"loss": total}


def p_in_place_factor(x, y):
    h, _ = _tokens(x, y)
    total = torch.zeros(())
    for i, c in enumerate(h.split(5)):
        total += (c ** 2).sum() * (0.5 if i % 2 else 1.0)
    return {"loss": total}


def p_other_plus_piece_scaled(x, y):
    h, _ = _tokens(x, y)
    return {"loss": (x ** 2).sum() + 0.0 * (h.split(5)[-1] ** 2).sum()}


PIECES = {k: v for k, v in globals().items() if k.startswith("p_") and callable(v)}


# -- a literal times a running sum of sizes ------------------------------------------------------


def m_len_pair(pred, batch):
    pair = (0, 1)
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (len(pair) * count)}


def m_continue_both(pred, batch):
    total, count = torch.zeros(()), 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        if len(r) < 33:
            continue
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * count)}


def m_continue_count(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        if len(r) < 33:
            continue
        count += len(r)
    return {"loss": total / (2 * count)}


def m_continue_index(pred, batch):
    total, count = 0.0, 0
    for i, (r, v) in enumerate(zip((pred - batch["depth"]).abs(), batch["valid"])):
        r = r[v]
        total = total + r.sum()
        if i == 0:
            continue
        count += len(r)
    return {"loss": total / (2 * count)}


def m_continue_index_both(pred, batch):
    total, count = torch.zeros(()), 0
    for i, (r, v) in enumerate(zip((pred - batch["depth"]).abs(), batch["valid"])):
        if i == 0:
            continue
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * count)}


def m_zip_short(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"][:2]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * count)}


def m_zip_short_count(pred, batch):
    total, count = 0.0, 0
    err = (pred - batch["depth"]).abs()
    for r, v in zip(err, batch["valid"]):
        total = total + r[v].sum()
    for r, v in zip(err[:2], batch["valid"][:2]):
        count += len(r[v])
    return {"loss": total / (2 * count)}


def m_zip_dropped_last(pred, batch):
    total, count = 0.0, 0
    err = (pred - batch["depth"]).abs()
    for r, v in zip(err, batch["valid"]):
        total = total + r[v].sum()
    for r, v in zip(err[:-1], batch["valid"][:-1]):
        count += len(r[v])
    return {"loss": total / (2 * count)}


def m_break(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
        if count > 60:
            break
    return {"loss": total / (2 * count)}


def m_branch_multiple(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    if count > 70:
        return {"loss": total / (2 * count)}
    return {"loss": total / count}


def m_branch_on_images(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    if len(pred) > 2:
        return {"loss": total / (2 * count)}
    return {"loss": total / (3 * count)}


def m_ternary(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * count) if count > 70 else total / (4 * count)}


def m_reset_in_loop(pred, batch):
    total = 0.0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        count = 0
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * count)}


def m_reset_by_assign(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count = len(r)
    return {"loss": total / (2 * count)}


def m_reset_conditional(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        if len(r) > 33:
            count = 0
        count += len(r)
    return {"loss": total / (2 * count)}


def m_minus_after(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    count -= 1
    return {"loss": total / (2 * count)}


def m_added_twice(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
        count += len(r)
    return {"loss": total / (2 * count)}


def m_two_loops(pred, batch):
    total, count = 0.0, 0
    err = (pred - batch["depth"]).abs()
    for r, v in zip(err, batch["valid"]):
        total = total + r[v].sum()
        count += len(r[v])
    for r, v in zip(err, batch["valid"]):
        count += len(r[v])
    return {"loss": total / (2 * count)}


def m_size_times_two(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += 2 * len(r)
    return {"loss": total / (2 * count)}


def m_float_literal(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (count * 2.0)}


def m_quarter(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (0.25 * count)}


def m_floor_div(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (3 * count) * 3}


def m_plus_one(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * count + 1)}


def m_sizes_list(pred, batch):
    total, sizes = 0.0, []
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        sizes.append(len(r))
    count = sum(sizes)
    return {"loss": total / (2 * count)}


def m_first_image_total(pred, batch):
    total, count = 0.0, 0
    for i, (r, v) in enumerate(zip((pred - batch["depth"]).abs(), batch["valid"])):
        r = r[v]
        if i == 0:
            total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * count)}


def m_shifted_valid(pred, batch):
    total, count = 0.0, 0
    err = (pred - batch["depth"]).abs()
    valid = batch["valid"]
    for i in range(len(err)):
        total = total + err[i][valid[i]].sum()
        count += len(err[i][valid[i - 1]])
    return {"loss": total / (2 * count)}


def m_range_skip_last(pred, batch):
    total, count = 0.0, 0
    err = (pred - batch["depth"]).abs()
    valid = batch["valid"]
    for i in range(len(err)):
        total = total + err[i][valid[i]].sum()
    for i in range(len(err) - 1):
        count += len(err[i][valid[i]])
    return {"loss": total / (2 * count)}


def m_fixed_rows(pred, batch):
    total, count = 0.0, 0
    for r in (pred - batch["depth"]).abs():
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * count)}


def m_trimmed(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sort().values[: int(len(r) * 0.8)].sum()
        count += len(r)
    return {"loss": total / (2 * count)}


def m_clamped_count(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * max(count, 1))}


def m_count_then_multiple_local(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    count = 2 * count
    return {"loss": total / count}


def m_two_terms(pred, batch):
    total, count = 0.0, 0
    err = (pred - batch["depth"]).abs()
    for r, v in zip(err, batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * count) + err.mean()}


def m_branch_plain(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    if count > 70:
        return {"loss": total / count}
    return {"loss": total / 1}


def m_zip_short_plain(pred, batch):
    total, count = 0.0, 0
    err = (pred - batch["depth"]).abs()
    for r, v in zip(err, batch["valid"]):
        total = total + r[v].sum()
    for r, v in zip(err[:2], batch["valid"][:2]):
        count += len(r[v])
    return {"loss": total / count}


def m_ce_pieces_plain(pred, batch):
    total = 0.0
    pieces = list(pred.reshape(-1, 4).split(5))
    for c in pieces:
        total = total + (c ** 2).sum()
    return {"loss": total / len(pieces)}


def m_zip_short_numel(pred, batch):
    total, count = 0.0, 0
    err = (pred - batch["depth"]).abs()
    for r, v in zip(err, batch["valid"]):
        total = total + r[v].sum()
    for r, v in zip(err[:2], batch["valid"][:2]):
        count += r[v].numel()
    return {"loss": total / (2 * count)}


def m_pieces_count_local(pred, batch):
    total = 0.0
    pieces = pred.reshape(-1, 4).split(5)
    n = len(pieces)
    for c in pieces:
        total = total + (c ** 2).sum()
    return {"loss": total / n}


def m_chunk_literal_over_literal(pred, batch):
    total = 0.0
    for c in pred.reshape(-1, 4).chunk(3):
        total = total + (c ** 2).sum()
    return {"loss": total / 3}


def m_multiple_in_branch_local(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    if count:
        return {"loss": total / (2 * count)}
    return {"loss": total}


def m_chunk3_over_pieces(pred, batch):
    total = 0.0
    pieces = pred.reshape(-1, 4).chunk(3)
    for c in pieces:
        total = total + (c ** 2).sum()
    return {"loss": total / len(pieces)}


def m_sum_divided_twice(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (2 * count) / (2 * count)}


MULTIPLES = {k: v for k, v in globals().items() if k.startswith("m_") and callable(v)}

