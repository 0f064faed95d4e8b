"""Recurrent cells stepped by hand (``nn.GRUCell``, ``nn.LSTMCell``, ``nn.RNNCell``: ``torch.gru_cell``,
``lstm_cell``, ``rnn_*_cell``; survey 56's scheduled sampling, a GRU decoder fed its own argmax): each
row's new state from that row's input and state through shared weights, so the batch dim keeps its
rows (before: no rule, every key computed from the states lost). Against the oracle, with near
misses where the images mix that decline."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import WIDTH, count_outcomes
from _survey import built

H = 3
_GRU = built(5601, lambda: torch.nn.GRUCell(WIDTH, H))
_LSTM = built(5602, lambda: torch.nn.LSTMCell(WIDTH, H))
_RNN = built(5603, lambda: torch.nn.RNNCell(WIDTH, H, nonlinearity="relu"))


def _y(t):
    return torch.stack([s["y"] for s in t])


def gru_over_rows(o, t):
    """A GRU stepped over each image's rows from a zero state; the final state's MSE to a target."""
    h = torch.zeros(len(t), H)
    for r in range(o["x"].size(1)):
        h = _GRU(o["x"][:, r], h)
    return {"loss": F.mse_loss(h, _y(t)[:, 0, :H]), "norm": h.norm(dim=-1).mean()}


def lstm_over_rows(o, t):
    """An LSTM cell's two states stepped over the rows; the stacked hidden
    states' CE against a class read from each target row."""
    h = c = torch.zeros(len(t), H)
    states = []
    for r in range(o["x"].size(1)):
        h, c = _LSTM(o["x"][:, r], (h, c))
        states.append(h)
    logits = torch.stack(states, 1)
    return {"loss": F.cross_entropy(logits.flatten(0, 1), (_y(t)[..., 0] * H).long().flatten()), "cell": c.abs().mean()}


def relu_rnn_fed_its_argmax(o, t):
    """An RNN cell fed its own argmax's one-hot where a target says so, else the next input row."""
    h = torch.zeros(len(t), H)
    inp = o["x"][:, 0]
    for r in range(1, o["x"].size(1)):
        h = _RNN(inp, h)
        own = F.one_hot(h.argmax(-1), WIDTH).float()
        inp = torch.where((_y(t)[:, r, :1] > 0.5), own, o["x"][:, r])
    return {"loss": h.pow(2).mean()}


def weighted_input(o, t):
    """The inputs scaled by each image's ``loss_weight`` before the cell (the oracle's weight 1)."""
    w = torch.tensor([s["loss_weight"] for s in t])
    h = _GRU(o["x"][:, 0] * w[:, None], torch.zeros(len(t), H))
    return {"loss": h.sum(-1).mean()}


def one_image_unbatched(o, t):
    """Each image's first row through the cell unbatched (1-D), in a loop over the images."""
    return {"loss": torch.stack([_GRU(o["x"][i, 0]).sum() for i in range(len(t))]).mean()}


def state_from_the_batch_mean(o, t):
    """Near miss: the initial state the batch's mean input (every image's rows in each state)."""
    h0 = o["x"][:, 0, :H].mean(0).expand(len(t), H).contiguous()
    return {"loss": _GRU(o["x"][:, 1], h0).pow(2).mean()}


def images_on_the_features(o, t):
    """Near miss: the images laid along the cell's input features (``x.t()``), a cell as wide as the
    batch: each output row reads every image."""
    x = o["x"][:, 0].t()  # [WIDTH, B]
    g = torch.Generator().manual_seed(len(t))
    w_ih, w_hh = torch.randn(3 * H, len(t), generator=g), torch.randn(3 * H, H, generator=g)
    h = torch.gru_cell(x, torch.zeros(WIDTH, H), w_ih, w_hh, None, None)
    return {"loss": h.pow(2).mean()}


def weights_from_an_image(o, t):
    """Near miss: the cell's input weights made from the first image's values (on a group alone,
    another image's)."""
    w_ih = o["x"][0].reshape(-1)[: WIDTH].repeat(3 * H, 1)
    h = torch.gru_cell(o["x"][:, 0], torch.zeros(len(t), H), w_ih, torch.ones(3 * H, H), None, None)
    return {"loss": h.pow(2).mean()}


@pytest.mark.parametrize("body", [gru_over_rows, lstm_over_rows, relu_rnn_fed_its_argmax, weighted_input,
                                  one_image_unbatched])
def test_recurrent_cells_keep_the_batch_rows(body):
    seen, said = count_outcomes(body)
    assert seen == ["exact"] * len(seen), said


@pytest.mark.parametrize(("body", "op"), [(state_from_the_batch_mean, "Tensor.mean"),
                                         (images_on_the_features, "torch.gru_cell"),
                                         (weights_from_an_image, "torch.gru_cell of a weight")])
def test_cells_whose_rows_mix_decline(body, op):
    seen, said = count_outcomes(body)
    assert seen == ["declined"] * len(seen), said
    assert any(op in m for m in said), said
