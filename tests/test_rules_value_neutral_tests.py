"""Truth tests that only pick a fast path computing the same values either way
(``_bytecode._VALUE_NEUTRAL_TESTS``): transformers' SDPA mask skips, ``padding_mask.all()`` and
``fast_all(padding_mask)`` (``mask.sum() == mask.numel()``). A group whose examples have no padding
alone skips the 4D mask (SDPA without one, or with ``is_causal``); in the batch its rows of the mask
are all True (or the causal pattern): the same values, so the group keeps its companions. Whole
tiny models with random weights, padded batches where one group has no padding and another has,
against the oracle. Near misses: the same test in the user's code, where the two ways give other
values, or in a function of the same name outside transformers, still declines the group that alone
decides otherwise."""

from __future__ import annotations

import importlib
import warnings

import pytest
import torch
from _helpers import Along, split_outcome, wrong_companions
from _survey import LazyModule

pytest.importorskip("transformers")

L = 6  # tokens


def _tf():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module("transformers")


_BERT = dict(vocab_size=11, hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16,
             max_position_embeddings=16, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
BERT = LazyModule(3301, lambda: _tf().BertForTokenClassification(_tf().BertConfig(num_labels=3, **_BERT)).eval())
LLAMA = LazyModule(3302, lambda: _tf().LlamaForCausalLM(_tf().LlamaConfig(
    vocab_size=11, hidden_size=8, intermediate_size=16, num_hidden_layers=1, num_attention_heads=2,
    num_key_value_heads=2, max_position_embeddings=16, pad_token_id=0)).eval())
BART = LazyModule(3303, lambda: _tf().BartForConditionalGeneration(_tf().BartConfig(
    vocab_size=11, d_model=8, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
    encoder_ffn_dim=16, decoder_ffn_dim=16, max_position_embeddings=32, pad_token_id=1, bos_token_id=0, eos_token_id=2,
    decoder_start_token_id=2, dropout=0.0)).eval())

# per batch the examples' sources and their padding (0: none); group 'clean' never has padding
BATCHES = [
    (["clean", "padded", "clean", "padded"], [0, 2, 0, 1]),
    (["padded", "clean"], [1, 0]),
    (["clean", "clean", "padded", "other", "padded"], [0, 0, 3, 2, 1]),
    (["clean", "other", "clean"], [0, 1, 0]),  # group 'padded' absent
    (["clean", "clean", "clean"], [0, 0, 0]),  # no padding: the batch takes the fast path too
]


def _batch(k: int) -> tuple[list, list, list]:
    """Token ids [B, 6] with their attention mask (``pad`` tokens masked at the end), labels
    (-100 over the padding) and the sources."""
    sources, pads = BATCHES[k]
    g = torch.Generator().manual_seed(3300 + k)
    b = len(sources)
    ids = torch.randint(3, 11, (b, L), generator=g)
    attention = torch.ones(b, L, dtype=torch.long)
    labels = torch.randint(0, 3, (b, L), generator=g)
    for r, pad in enumerate(pads):
        if pad:
            attention[r, L - pad:] = 0
            labels[r, L - pad:] = -100
    return [{"input_ids": ids, "attention_mask": attention}, labels], [Along(0), Along(0)], sources


def bert_tokens(inputs, labels):
    """An encoder: ``create_bidirectional_mask``'s ``padding_mask.all()``."""
    return {"loss_ner": BERT(**inputs, labels=labels).loss}


def llama_causal(inputs, labels):
    """A decoder-only causal LM: ``create_causal_mask``'s ``fast_all(padding_mask)``."""
    return {"loss_lm": LLAMA(**inputs, labels=inputs["input_ids"].masked_fill(labels == -100, -100)).loss}


def bart_seq2seq(inputs, labels):
    """Both: the encoder's padding mask and the decoder's causal one."""
    return {"loss_s2s": BART(**inputs, labels=torch.where(labels == -100, labels, labels + 3)).loss}


@pytest.mark.parametrize("body", [bert_tokens, llama_causal, bart_seq2seq])
@pytest.mark.parametrize("k", range(len(BATCHES)))
def test_an_sdpa_mask_skip_keeps_the_group_without_padding(body, k):
    got, want, said = split_outcome(body, *_batch(k))
    assert not wrong_companions(got, want), (got, want)
    assert set(got) == set(want), said
    assert not any("decide" in m for m in said), said


def _own_fast_path(x, mask):
    """The user's own skip, whose two ways differ: unpadded, a plain mean of the squares; padded,
    a masked mean of the absolute values."""
    if mask.all():
        return (x ** 2).mean()
    return (x.abs() * mask).sum() / mask.sum()


def _ignore_bidirectional_mask_sdpa(mask):  # the name of transformers' fast path, in the user's module
    return mask.all()


def users_fast_path(inputs, labels):
    x = BERT(**inputs).logits
    return {"loss_own": _own_fast_path(x, inputs["attention_mask"][..., None].float())}


def same_name_elsewhere(inputs, labels):
    x = BERT(**inputs).logits
    mask = inputs["attention_mask"][..., None].float()
    if _ignore_bidirectional_mask_sdpa(mask.bool()):
        return {"loss_own": (x ** 2).mean()}
    return {"loss_own": (x.abs() * mask).sum() / mask.sum()}


@pytest.mark.parametrize("body", [users_fast_path, same_name_elsewhere])
@pytest.mark.parametrize("k", [0, 1, 2])
def test_a_branch_on_all_whose_ways_differ_declines_the_group_that_decides_otherwise(body, k):
    got, want, said = split_outcome(body, *_batch(k))
    assert not wrong_companions(got, want), (got, want)
    assert "loss_own_clean" in want and "loss_own_clean" not in got
    assert any("'loss_own'" in m and "'clean'" in m and "Tensor.all" in m for m in said), said
    assert "loss_own_padded" in got
