"""``torch.cdist`` of two tensors each wholly of one image (TCC's frames of one video against
another's): the same image pairs with itself as that image's; two images' pairing ends attribution
at the op, so only the keys it reaches decline (the call's other keys split as the oracle, the body
on each group's images alone); one image's rows against every image's rows decline."""

import torch
from _helpers import check_rule, rule_batch, rule_outcome


def _soft_nn(a, b):
    """Each row of ``a``'s soft nearest neighbour's squared distance in ``b``."""
    d = torch.cdist(a, b) ** 2
    return (d.softmax(-1) * d).sum(-1)


def own_and_every_pair(outputs, targets):
    """Each image against itself (its rows and its targets' rows), and against every other image."""
    own = torch.stack([_soft_nn(outputs["x"][i], t["y"]).mean() for i, t in enumerate(targets)]).mean()
    n = outputs["x"].shape[0]
    pairs = [_soft_nn(outputs["x"][i], outputs["x"][j]).mean() for i in range(n) for j in range(n) if i != j]
    out = {"loss_own": own}
    if pairs:  # (a group of one image has none)
        out["loss_pairs"] = torch.stack(pairs).mean()
    return out


def own_against_the_batch(outputs, targets):
    """Each image's rows against every image's rows at once."""
    every = outputs["x"].flatten(0, 1)
    return {"loss": torch.stack([_soft_nn(outputs["x"][i], every).mean() for i in range(len(targets))]).mean()}


def test_own_pairs_split_beside_a_key_of_pairs_of_images():
    """(fails before s50: the pairs' cdist declined the whole call, ``loss_own`` included)"""
    for seed, weights in ((0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5])):
        got, want, said = rule_outcome(own_and_every_pair, rule_batch(seed, weights))
        own = {k: v for k, v in want.items() if k.startswith("loss_own")}
        assert set(got) == set(own), (seed, got, said)
        assert all(abs(got[k] - own[k]) <= 1e-5 * abs(own[k]) + 1e-6 for k in own), seed
        assert any("'loss_pairs'" in m and "torch.cdist" in m for m in said), said


def test_one_images_rows_against_every_images_decline():
    check_rule(own_against_the_batch, "softmax", declines=True)  # (the distances' rows: every image's)


def pair_distance_read(outputs, targets):
    """The first two images' closest distance read on the host, scaling every image's loss."""
    d = torch.cdist(outputs["x"][0], outputs["x"][1]).min().item()
    return {"loss": outputs["x"].mean() * d}


def pair_distance_factor(outputs, targets):
    """Each image's loss times its closest distance to the previous image (detached)."""
    total = 0.0
    for i, t in enumerate(targets):
        d = torch.cdist(outputs["x"][i], outputs["x"][i - 1]).min().detach()
        total = total + (outputs["x"][i] - t["y"]).abs().mean() * d
    return {"loss": total / len(targets)}


def test_a_distance_of_two_images_reaching_a_key_declines_it():
    """Read on the host or as a factor: no companion (each group of two images or more)."""
    for body in (pair_distance_read, pair_distance_factor):
        for seed, weights in ((0, [1.0, 0.5, 0.5, 1.0]), (3, [0.5, 1.0, 1.0, 0.5])):
            got, _, said = rule_outcome(body, rule_batch(seed, weights))
            assert got == {} and any("torch.cdist" in m for m in said), (body.__name__, seed, got, said)
