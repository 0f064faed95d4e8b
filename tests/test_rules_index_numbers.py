"""Python numbers a DETR body takes from the matcher's indices, as a factor or a divisor of a loss of
several images, against the oracle (red team 39's last silently WRONG pins; ``elementwise.INDEX_NUMBER``).

The indices (``[(src_b, tgt_b), ...]``) are no image's tracked data, so no rule of sizes or of host reads
sees a value read of them: ``indices[0][0].max().item() + 1``, ``int(indices[0][0][0])``, the size of the
first image's matches in a product (``* indices[0][0].shape[0]``), and the largest or smallest image's
count (``max(len(s) for s, _ in indices)``) were read as constants of the call, on a group alone another
image's; a sum of their values read on the host (``sum(s.max().item() + 1 for s, _ in indices)``) was
another constant. ``_provenance`` now tags a number picked by position (``pick``), chosen among the
images' (``vext``) or read of argument tensors' values (``vread``); where such a number, rooted in the
argument holding the matcher's index tensors (``Frame.index_item``), reaches a product or a division the
rules would keep, the key declines naming it. Near misses split exactly: each image's own count in a
loop, the matches' total (``sum(len(s) ..)``, a running ``n += len(s)``, made a tensor, clamped and read
back), and a constant of the body that equals an image's count by value (RT-DETR's ``weight_dict``; as an
int it equals the count of images of a batch of two, declined by another rule). Not read: such a number
made in a helper and returned to the body (``n = first_count(indices)``) until pin41: a helper of the
module or a method of ``self``'s class is read (``_provenance._Reading._helper``)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import PER_IMAGE, ROWS, TARGETS, Share, split_outcome, wrong_companions

Q = 6
# (loss_weight per image, matches per image): 2 to 5 images, a group absent in the last, the first
# image's count unlike its group's
BATCHES = [([1.0, 0.5, 1.0, 0.5], [1, 3, 2, 2]), ([0.5, 1.0, 0.5], [3, 1, 2]), ([1.0, 0.5], [2, 1]),
           ([1.0, 1.0, 0.5, 0.5, 0.5], [2, 2, 1, 3, 1]), ([1.0, 1.0, 1.0], [3, 1, 2])]


def batch(k: int, batches: list[tuple[list[float], list[int]]] = BATCHES, seed: int = 4000) -> tuple[list, list]:
    """Batch ``k`` of ``batches``: targets of the given weights and box counts, the matcher's indices."""
    weights, counts = batches[k]
    g = torch.Generator().manual_seed(seed + k)
    targets, indices = [], []
    for w, n in zip(weights, counts):
        targets.append({"boxes": torch.rand(n, 4, generator=g), "labels": torch.randint(0, 3, (n,), generator=g),
                        "loss_weight": w})
        indices.append((torch.randperm(Q, generator=g)[:n], torch.randperm(n, generator=g)))
    out = {"pred_boxes": torch.rand(len(weights), Q, 4, generator=g).requires_grad_()}
    return [out, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)]


def _matched(o, t, idx):
    b = torch.cat([torch.full_like(s, i) for i, (s, _) in enumerate(idx)])
    q = torch.cat([s for s, _ in idx])
    return o["pred_boxes"][b, q], torch.cat([u["boxes"][j] for u, (_, j) in zip(t, idx)])


def _l1(o, t, idx):
    src, tgt = _matched(o, t, idx)
    return F.l1_loss(src, tgt, reduction="sum")


def _over_first_query(loss, indices):
    return loss / (indices[0][0].max().item() + 1)  # a helper's parameter: the body's ``idx``


def over_max_query_in_helper(o, t, idx, num_boxes):
    return {"loss_bbox": _over_first_query(_l1(o, t, idx), idx)}


def times_first_match_numel(o, t, idx, num_boxes):
    return {"loss_bbox": _l1(o, t, idx) * idx[0][0].numel() / num_boxes}


def times_last_target_index(o, t, idx, num_boxes):
    k = int(idx[-1][1][0]) + 1
    return {"loss_bbox": _l1(o, t, idx) * k / num_boxes}


def over_largest_count(o, t, idx, num_boxes):
    return {"loss_bbox": _l1(o, t, idx) / max(len(s) for s, _ in idx)}


def over_smallest_count_list(o, t, idx, num_boxes):
    n = min([s.shape[0] for s, _ in idx])
    return {"loss_bbox": _l1(o, t, idx) / n}


def over_summed_values_read(o, t, idx, num_boxes):
    return {"loss_bbox": _l1(o, t, idx) / sum(s.max().item() + 1 for s, _ in idx)}


DECLINE = [over_max_query_in_helper, times_first_match_numel, times_last_target_index, over_largest_count,
           over_smallest_count_list, over_summed_values_read]


def near_over_total_matches(o, t, idx, num_boxes):
    return {"loss_bbox": _l1(o, t, idx) / max(sum(len(s) for s, _ in idx), 1)}


def near_running_count(o, t, idx, num_boxes):
    n = 0
    for s, _ in idx:
        n += s.shape[0]
    return {"loss_bbox": _l1(o, t, idx) / max(n, 1)}


def near_each_image_over_its_count(o, t, idx, num_boxes):
    per = []
    for b in range(len(idx)):
        s, j = idx[b]
        per.append(F.l1_loss(o["pred_boxes"][b, s], t[b]["boxes"][j], reduction="sum") / max(idx[b][0].shape[0], 1))
    return {"loss_bbox": torch.stack(per).sum()}


def near_constant_weight_equal_to_a_count(o, t, idx, num_boxes):
    weight_dict = {"loss_bbox": 2.0}
    return {"loss_bbox": _l1(o, t, idx) * weight_dict["loss_bbox"] / num_boxes}


def near_total_matches_read_back(o, t, idx, num_boxes):
    n = torch.as_tensor(float(sum(len(s) for s, _ in idx))).clamp(min=1).item()
    return {"loss_bbox": _l1(o, t, idx) / n}


EXACT = [near_total_matches_read_back, near_over_total_matches, near_running_count, near_each_image_over_its_count,
         near_constant_weight_equal_to_a_count]


def outcomes(body):
    """``split_outcome`` of ``body`` on each batch."""
    return [split_outcome(body, *batch(k)) for k in range(len(BATCHES))]


@pytest.mark.parametrize("body", EXACT, ids=lambda f: f.__name__)
def test_near_misses_split_exactly(body):
    for k, (got, want, said) in enumerate(outcomes(body)):
        assert set(got) == set(want) and not said, (k, said)
        assert not wrong_companions(got, want), k


@pytest.mark.parametrize("body", DECLINE, ids=lambda f: f.__name__)
def test_numbers_of_one_images_indices_decline_naming_them(body):
    """No companion is wrong; the batches decline with a first warning naming the key, most of them the
    matcher's indices (another rule may see first a number equal to the count of images)."""
    seen = outcomes(body)
    assert all(not wrong_companions(got, want) for got, want, _ in seen)
    declined = [said[0] for got, _, said in seen if not got]
    assert len(declined) >= 4 and all("key 'loss_bbox'" in m for m in declined), declined
    assert sum("matcher's indices" in m for m in declined) >= 2, declined


def _first_count(indices):
    return indices[0][0].numel()


def _largest_count(indices):
    return max(len(s) for s, _ in indices)


def _first_query(indices):
    return indices[0][0].max().item() + 1


def _first_count_again(indices):
    return _first_count(indices)


def times_first_count_of_a_helper(o, t, idx, num_boxes):
    return {"loss_bbox": _l1(o, t, idx) * _first_count(idx) / num_boxes}


def over_largest_count_of_a_helper_kept_in_a_local(o, t, idx, num_boxes):
    n = _largest_count(idx)
    return {"loss_bbox": _l1(o, t, idx) / n}


def times_first_query_of_a_helper(o, t, idx, num_boxes):
    return {"loss_bbox": _l1(o, t, idx) * _first_query(idx) / num_boxes}


def over_first_count_of_a_helper_of_a_helper(o, t, idx, num_boxes):
    return {"loss_bbox": _l1(o, t, idx) / _first_count_again(idx)}


class _Criterion:
    def _count(self, indices):
        return indices[0][0].shape[0]

    def _total(self, indices):
        return max(sum(len(s) for s, _ in indices), 1)

    def loss(self, o, t, idx, num_boxes):
        return {"loss_bbox": _l1(o, t, idx) * self._count(idx) / num_boxes}

    def near_loss(self, o, t, idx, num_boxes):
        return {"loss_bbox": _l1(o, t, idx) / self._total(idx)}


_CRITERION = _Criterion()


def times_first_count_of_a_method_of_another_object(o, t, idx, num_boxes):
    return _CRITERION.loss(o, t, idx, num_boxes)


def _total_count(indices):
    return max(sum(len(s) for s, _ in indices), 1)


def near_over_total_of_a_helper(o, t, idx, num_boxes):
    return {"loss_bbox": _l1(o, t, idx) / _total_count(idx)}


@pytest.mark.parametrize("body", [times_first_count_of_a_helper, over_largest_count_of_a_helper_kept_in_a_local,
                                  times_first_query_of_a_helper, over_first_count_of_a_helper_of_a_helper,
                                  times_first_count_of_a_method_of_another_object, _CRITERION.loss],
                         ids=lambda f: f.__name__)
def test_a_number_of_one_images_indices_returned_by_a_helper_declines(body):
    """Was silently wrong (detr40; a strict xfail until pin41): a number of one image's indices made in a
    helper of the module, or a method of ``self``'s class, and returned to the body was not read
    (``_provenance`` read no called function). The helper's own reading now gives the call's result its
    ``pick`` / ``vext`` / ``vread`` (``_Reading._helper``), and a method's receiver is the caller's
    (``resolved``): the key declines naming the matcher's indices."""
    seen = outcomes(body)
    assert all(not wrong_companions(got, want) for got, want, _ in seen)
    declined = [said[0] for got, want, said in seen if not got and len(want) > 1]
    assert len(declined) == 4 and all("key 'loss_bbox'" in m for m in declined), declined


@pytest.mark.parametrize("body", [near_over_total_of_a_helper, _CRITERION.near_loss], ids=lambda f: f.__name__)
def test_the_matches_total_of_a_helper_splits_exactly(body):
    for k, (got, want, said) in enumerate(outcomes(body)):
        assert set(got) == set(want) and not said, (k, said)
        assert not wrong_companions(got, want), k
