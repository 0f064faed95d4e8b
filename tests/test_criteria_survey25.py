"""Coverage survey 25: six more libraries as installed from the package registry, unmodified, and
the parts of two already installed that no survey called -- pyro-ppl's distributions as
likelihood heads (zero-inflated negative binomial counts, asymmetric Laplace quantiles, a mixture
of diagonal normals over trajectory end points, a projected normal over directions) and its
``Trace_ELBO`` over a plate of examples (MAP guide, with and without per-example ``poutine.scale``);
roma's rotations (6-D Gram-Schmidt and quaternion geodesic errors with learned uncertainties,
Procrustes-aligned joints with per-joint confidences, an object's symmetries); zuko's conditional
flows (NSF, MAF, a Gaussian mixture) as posterior-estimation NLL; vector-quantize-pytorch's
quantisers in training mode (VQ with a learnable codebook and its commitment loss, masked; FSQ;
residual VQ; LFQ's entropy terms); torch-geometric's graph readouts over ragged graphs joined in
the body; gpytorch's Bernoulli and Gaussian expected log-likelihoods; pytorch-metric-learning's proxy and margin losses no survey used (large-margin softmax,
SphereFace, normalised softmax, SoftTriple, ProxyNCA, sub-center ArcFace with class weights,
SupCon, multi-similarity) and torchmetrics' audio, regression, multi-scale image and hinge
functions -- each called on the batch inside a body decorated from outside. Skipped when a
package is absent. None of them imports torchvision.

pyro-ppl 1.9.2, roma 1.8.0, zuko 1.6.0, vector-quantize-pytorch 1.32.0, torch-geometric 2.8.1,
gpytorch 1.15.2, pytorch-metric-learning 2.9.0 and torchmetrics 1.9.0 as measured; four batches as survey 24's: 4
examples of three groups (two where the weights give the groups), 3 of two, 3 of one group (the
others absent), 1 example. Examples with targets carry ``loss_weight``; embeddings, waveforms and
token sequences get their groups through ``losssplit.sources`` where said.

FIRST_CONTACT (35 patterns, nothing changed for them): 399 expected companions, 167 declined, 151
GAP (37.8 %), 0 WRONG. Split exactly at first contact: pyro's zero-inflated negative binomial (but
on a group of one example, below), asymmetric Laplace with the weights, mixture of diagonal normals
with the best mode's displacement, projected normal with the angular error, a masked normal over
the examples' and the kept values' counts; roma's Gram-Schmidt
geodesic and PoseNet's learned weighting; both torch-geometric readouts over graphs of 3 to 6 nodes
(``global_mean_pool`` / ``global_max_pool``, node CE over every node, attention ``softmax`` and
``scatter`` within each graph, BCE with per-graph weights, node losses weighted by ``w[batch]``,
over ``x.shape[0]`` and as a mean of per-graph sums); FSQ; gpytorch's Gaussian expected
log-likelihood; every pml proxy loss where the labels are stacked tensors; torchmetrics' SI-SDR and
SNR, MAPE / sMAPE / WMAPE, multi-scale SSIM per image, the spatial correlation coefficient. The
16 declines where examples mix: LFQ's codebook entropy of the batch's mean code distribution,
SupCon and multi-similarity pairs, RASE over the batch's mean maps. The GAPs, each where the
warning names the op (or the call), by cause: vector-quantize-pytorch's quantisers (34): their
einops' ``unpack`` / ``rearrange`` compare a product of sizes of image rows with -1 or 1
(``int(prod(p_shape) == -1)``, ``15 == -1``), a branch no group's value is known for, declined per
group even on the batch of one group
with every weight 1; on the one example ``F.mse_loss``, ``einx.where`` or ``torch.cat`` lose them;
``Tensor.unflatten`` without a rule (zuko's three flows, roma's Procrustes registration, 30); pml's
``check_shapes`` comparing the embeddings' rows with labels made by ``torch.tensor([t["label"] for t
in targets])``, whose size was no known count of image rows (24; split since session 18, which gives
such a list's tensor the examples' rows: 126 GAP, 31.6 %, with 3 declines more -- the masked VQ's
recon and torchmetrics' one-vs-all hinge on batch 2, the hinge's ``torch.unique`` check on the one
example); torchmetrics' counts made tensors (``torch.tensor(target.shape[0])`` of the hinge
losses, Tweedie's ``torch.tensor(target.numel())``) and log-cosh's ``sum(0)`` of flattened values
(18); pyro's ELBO, its ``Tensor.add`` of a Python number read as computed from a length of the data
and ``poutine.scale``'s ``x.shape[0]`` at ``Tensor.mul`` (15); torchmetrics' PIT, its metric matrix
written pair by pair into ``torch.empty`` (7, no key named; split since session 18, as log-cosh but on one example); roma's own default ``epsilon`` read as
computed from the body's ``len(targets)`` (5); gpytorch's Bernoulli quadrature through
``masked_scatter_`` (5; split since session 18, below); node losses over ``len(nodes)``, an int equal
to the graphs that is the length of a list argument other than the targets (6, with ``x.shape[0]``
on the one graph; 2 since session 18, below); single-example and one-example-group edges (7: a
branch of pyro's on ``3 == 1`` for batch 1's group of one).

Session 18 (unflat): 131 declined, 115 GAP (28.8 %), 0 WRONG. ``Tensor.unflatten`` follows rows as
the reshape it is, and what declined after it splits: zuko's ``torch.masked_scatter`` of the scales'
lower triangle (each value checked to be of its position's image), ``tril``, ``solve_triangular``;
roma's ``solve_ex`` and ``matrix_norm``. Zuko's three flows split; roma's Procrustes registration
too, but on the one example (a ``torch.where`` of its eigenvector refinement). Roma's ``epsilon=1e-6``
default was read as computed from ``len(targets)`` only because the body called roma through the
test's lazy ``Later`` proxy, whose attribute the bytecode reader cannot look up without running its
code (then a call is counted where the calling code computes any number from the batch); the body
imports roma as a module, as user code does, and the default is read as the def-time constant it
is: it splits but on the one example (``/ len(targets)`` of 1 taken for a normaliser from outside).

Session 18 (einops): 140 declined, 124 GAP (31.1 %), 0 WRONG. A count of image rows times sizes
(``prod(p_shape)``, an item of a shape read in the call) is never negative, so ``== -1`` decides
alike on every group; ``l2norm(t, dim=1)``'s literal reaches ``F.normalize`` through a helper (was
read as the one example's count by value); a loss over one example's rows on two dims is that
example's. VQ with its commitment splits on every batch; left (11): the masked recon over
``mask.sum()`` of a mask with unknown rows, residual VQ's per-quantizer losses joined by
``torch.cat`` / ``Tensor.add``, FSQ's ``F.linear`` of inputs read as weighted on the one example.

Session 18 (pml): labels made by ``torch.tensor([t[k] for t in targets])`` have the examples' rows; pml's
proxy losses split. Session 18 (metrics): PIT's matrix written row for row and log-cosh's ``sum(0)`` over
``[N, 1]`` split; every dropped key is named. With unflat, einops, pml and metrics merged (session 19):
71 declined, 55 GAP (13.8 %), 0 WRONG.

Session 18 (pyro helper, merged with the above in session 20): 62 declined, 46 GAP (11.5 %), 0
WRONG. gpytorch's Bernoulli quadrature splits (5): ``masked_scatter_`` follows its values in order
as ``torch.masked_scatter`` does (one rule), and values remembering unweighted ones are written
into the unweighted copy alike; a mask testing weighted values is checked to pick the same
positions with the weight 1. The node losses over ``len(nodes)`` split (4): a list argument whose
items are sized as the graphs' ``node_classes``, image by image and not all equal, counts the
images; on the one graph ``/ x.shape[0]`` and ``/ len(nodes)`` still decline (2). Session 20: on a
call of one example its value is its group's (log-cosh's ``sum(0)`` over [6, 1] on the one example):
61 declined, 45 GAP (11.3 %), 0 WRONG. Session 27: one group holding every image takes the whole of
an outside normaliser: 58 declined, 42 GAP (10.5 %), 0 WRONG.

Session 36 (s25b): the values ``torch.unique`` found are tested as a set -- torchmetrics' binary
check ``torch.any((u != 0) & (u != 1))`` of ``u = torch.unique(target)`` holds at some value exactly
where it holds at some element, so it is decided per group from the group's own elements (it was a
branch on data mixed across images, declining the call); the binary hinge splits: 52 declined, 36
GAP (9.0 %), 0 WRONG. Predictions written into data of the rows (``margin = torch.zeros_like(preds);
margin[target] = preds[target]``) make it a prediction, so the one-vs-all hinge's clamped sum of it
is a loss, not a normaliser: 47 declined, 31 GAP (7.8 %), 0 WRONG.

NOW (cov39a, session 38): unchanged, 47 declined, 31 GAP (7.8 %), 0 WRONG. ``torch.cat`` of reduced
values shaped ``[1]`` is followed where the code fixes their count (``tests/test_rules_joined_values.py``),
but ``ResidualVQ`` grows ``all_losses`` per quantizer in a loop whose ``continue`` tests the local
``should_quantize_dropout`` (``self.training and self.quantize_dropout and not return_loss``, with
``return_loss = exists(indices)`` unpacked from a tuple): no proof reads it as deciding alike on a
group alone, so the join still declines (now named at ``torch.cat``). A size of the one image's rows
times literals is its group's (``tests/test_rules_one_image_counts.py``), but MS-SSIM on the one
example next meets its kernel's ``dist / sigma`` with ``sigma=1.0`` equal to the count by value (a
plain number: not proven free of the weight field, declined). Traced, left: pyro's ELBO (15) returns
``loss + (surrogate_loss - torch_item(surrogate_loss))``, its value the Python sum of ``.item()``
reads of each site's ``log_prob_sum`` inside pyro's ``torch_item`` helper (no ``GroupFloat``: the
read's uses are past a ``return``), and ``poutine.scale``'s plate first scales by ``msg["scale"] *
self.size / self.subsample_size`` (``x.shape[0]`` both: a count times then over itself); the ZINB's
branch (4) is pyro's ``broadcast_shape`` comparing ``reversed_shape[i] == 1``, whose two paths give
the same shape (no rule proves it).

NOW (gap41, session 41): 399 expected, 42 declined, 26 GAP (6.5 %), 0 WRONG. Three rules
(``tests/test_rules_weighted_products.py``, with near misses): a matrix product or ``F.linear`` of an
operand with values with the weight field set to 1 gives the product of those (it was declined: on
the one example of weight 0.5, roma's ``lam[..., None, None] * torch.eye(4)`` compared with the
weight and then ``@``, FSQ's decoder of an input so compared); on a call of one image, its rows along
two dims (codes packed along dim 1 against targets stacked along dim 0) are reduced or viewed as
that image's elements (masked VQ's ``(recon * mask).sum()``, residual VQ's ``rearrange``): 5 closed.
Left on the one example: ResidualVQ's join (above), MS-SSIM's ``sigma`` (read as ``sigma[0]`` of a
list torchmetrics builds: no constant proven), RASE's ``rmse_map.sum(0)`` (taken as the image's
values, the key then held no rows), pyro's ELBO and the ZINB's branch.

NOW (gap43, session 43): unchanged, 399 expected, 42 declined, 26 GAP (6.5 %), 0 WRONG. On the one
example the residual VQ first declined at ``commit_loss * self.commitment_weight`` (1.0, equal to
the count by value): ``VectorQuantize.forward`` nests a function reading ``self``, so ``self`` is a
cell (``LOAD_DEREF``) and its configured attribute was no constant of the call. An owner held in a
cell that nothing rebinds is read as ``self`` is (``tests/test_rules_closure_owners.py``); the key
then declines at the ``torch.cat`` join, as on batches 0 and 1. That join stays: besides
``should_quantize_dropout``, the loop tests the locals ``return_loss`` (``exists(indices)``, a call)
and ``is_beam_search`` before it, and the beam block it skips holds a test of ``search_scores``;
no proof reads them as deciding alike on a group alone.

NOW (gap45a, session 45): 399 expected, 41 declined, 25 GAP (6.3 %), 0 WRONG. On a call of one
image a sum or mean along its rows is that image's values, and one image's values accumulated in
place into ``torch.zeros`` (or written over every position) stay that image's, as ``zeros + v`` out
of place did (``tests/test_rules_one_image_writes.py``, with near misses): RASE on the one example
(``target_sum += torch.sum(.., dim=0)``) splits (1). Left, by cause: pyro's ELBO (15: ``.item()``
reads summed in pyro's helper and ``poutine.scale``'s ``size / subsample_size``, pyro's own
arithmetic), the residual VQ's join (5: a loop past tests of locals a proof would have to follow
through ``exists`` / ``default`` helpers and a beam block), the ZINB's ``broadcast_shape`` branch on a
group of one (4: both arms give the same shape, which no rule proves), MS-SSIM on the one example
(1: ``torch.conv2d`` of a tracked kernel).
"""

from __future__ import annotations

import importlib

import pytest
import torch
import torch.nn.functional as F
from _helpers import KEEP, PER_IMAGE, TARGETS, Along
from _survey import LIBRARY_SOURCES, LIBRARY_WEIGHTS, Case, Later, keys, skip_without, survey_tests
from _survey import LazyModule as _Module
from _survey import built as _built
from _survey import gen as _gen
from _survey import leaf as _leaf
from _survey import stack as _stack
from _survey import weights as _weights

skip_without("pyro", "roma", "zuko", "vector_quantize_pytorch", "torch_geometric", "gpytorch", "pytorch_metric_learning",
             "torchmetrics")


pyro = Later("pyro")
pdist = Later("pyro.distributions")
poutine = Later("pyro.poutine")
pinfer = Later("pyro.infer")
roma = Later("roma")


pyg = Later("torch_geometric.nn")
pyg_utils = Later("torch_geometric.utils")
gpytorch = Later("gpytorch")
linear_operator = Later("linear_operator.operators")
tm = Later("torchmetrics.functional")
tm_audio = Later("torchmetrics.functional.audio")
tm_image = Later("torchmetrics.functional.image")

# One worker runs the table: each pattern's outcome is computed once.
pytestmark = pytest.mark.xdist_group("survey25")

# batch 2: every example of one group (the others absent); batch 3: one example
WEIGHTS = LIBRARY_WEIGHTS
SOURCES = LIBRARY_SOURCES


# -- pyro-ppl: likelihood heads and an ELBO over a plate ------------------------------------------

K = 3  # outputs per example


def head_batch(seed: int) -> tuple[list, list, None]:
    """A regression network's raw outputs per example; per example its counts [K], values [K], a
    unit direction [3], a trajectory end point [2], and ``loss_weight``."""
    g = _gen(seed + 2500)
    b = len(WEIGHTS[seed])
    outputs = {"counts": _leaf(b, K, 3, g=g), "quantile": _leaf(b, K, 3, g=g, scale=0.5),
               "direction": _leaf(b, 3, g=g, scale=2.0), "modes": _leaf(b, 4, 5, g=g)}
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        counts = torch.poisson(torch.full((K,), 2.0), generator=g)
        counts[(i + seed) % K] = 0.0  # zero inflation
        targets.append({"counts": counts, "value": torch.randn(K, generator=g),
                        "direction": F.normalize(torch.randn(3, generator=g), dim=0),
                        "end": torch.randn(2, generator=g), "loss_weight": w})
    return [outputs, targets], [Along(0), TARGETS], None


def pyro_zero_inflated_negative_binomial_counts(outputs, targets):
    """A count head (single-cell expression, demand): the negative log-likelihood of a
    zero-inflated negative binomial, summed over the outputs, averaged over the examples."""
    raw = outputs["counts"]
    likelihood = pdist.ZeroInflatedNegativeBinomial(total_count=F.softplus(raw[..., 0]) + 1e-3, logits=raw[..., 1],
                                                    gate_logits=raw[..., 2])
    nll = -likelihood.log_prob(_stack(targets, "counts")).sum(-1)
    return {"loss_zinb": nll.mean(), "zero_rate": likelihood.gate.mean()}


def pyro_asymmetric_laplace_quantiles_weighted(outputs, targets):
    """A quantile head as an asymmetric Laplace likelihood, weighted per example."""
    raw = outputs["quantile"]
    likelihood = pdist.AsymmetricLaplace(raw[..., 0], raw[..., 1].exp(), raw[..., 2].exp())
    nll = -likelihood.log_prob(_stack(targets, "value")).mean(-1)
    w = _weights(targets)
    return {"loss_alaplace": (nll * w).sum() / w.sum()}


def pyro_mixture_of_diag_normals_trajectory(outputs, targets):
    """Multi-modal trajectory end points: a mixture of 4 diagonal normals (means, log scales,
    logits per mode), its NLL and the best mode's displacement."""
    raw = outputs["modes"]
    locs, scales, logits = raw[..., :2], raw[..., 2:4].exp(), raw[..., 4]
    end = _stack(targets, "end")
    nll = -pdist.MixtureOfDiagNormals(locs, scales, logits).log_prob(end)
    best = (locs - end[:, None]).norm(dim=-1).min(dim=1).values
    return {"loss_mdn": nll.mean(), "loss_min_fde": best.mean()}


def pyro_projected_normal_direction(outputs, targets):
    """Gaze or head direction: a projected normal's NLL and the angular error of its mean."""
    concentration = outputs["direction"]
    gt = _stack(targets, "direction")
    nll = -pdist.ProjectedNormal(concentration).log_prob(gt)
    cos = (F.normalize(concentration, dim=-1) * gt).sum(-1).clamp(-1 + 1e-6, 1 - 1e-6)
    return {"loss_projected": nll.mean(), "angle_error": torch.acos(cos).mean()}


Z, X = 2, 5  # latent and observed sizes of the ELBO's model


def _vectors(seed: int, output: str, width: int, field: str, size: int) -> tuple[list, list, None]:
    """A network's ``output`` [B, width] and per example its ``field`` [size] and ``loss_weight``."""
    g = _gen(seed + 2510 + width * 10 + size)
    b = len(WEIGHTS[seed])
    rows = _leaf(b, width, g=g)
    targets = [{field: torch.randn(size, generator=g), "loss_weight": w} for w in WEIGHTS[seed]]
    return [{output: rows}, targets], [Along(0), TARGETS], None


def elbo_batch(seed: int) -> tuple[list, list, None]:
    """An encoder's codes [B, Z] (the MAP guide's points) and per example its observation [X]."""
    return _vectors(seed, "codes", Z, "x", X)


DECODER = _built(2515, lambda: torch.nn.Linear(Z, X))


def _elbo(codes, x, scale=None):
    def model():
        with pyro.plate("data", x.shape[0]):
            z = pyro.sample("z", pdist.Normal(torch.zeros(x.shape[0], Z), 1.0).to_event(1))
            if scale is None:
                pyro.sample("x", pdist.Normal(DECODER(z), 0.5).to_event(1), obs=x)
            else:
                with poutine.scale(scale=scale):
                    pyro.sample("x", pdist.Normal(DECODER(z), 0.5).to_event(1), obs=x)

    def guide():
        with pyro.plate("data", x.shape[0]):
            pyro.sample("z", pdist.Delta(codes).to_event(1))

    return pinfer.Trace_ELBO().differentiable_loss(model, guide)


def pyro_masked_normal_over_counts(outputs, targets):
    """A normal likelihood masked to the positive targets (``.mask``), summed, over the examples'
    count and over the kept values' count."""
    raw, value = outputs["quantile"], _stack(targets, "value")
    likelihood = pdist.Normal(raw[..., 0], raw[..., 1].exp()).mask(value > 0)
    nll = -likelihood.log_prob(value).sum()
    return {"loss_per_example": nll / len(targets), "loss_per_value": nll / (value > 0).sum()}


def pyro_map_elbo_over_a_plate(outputs, targets):
    """A MAP autoencoder's negative ELBO through pyro's trace machinery: the plate sums over the
    examples; one key over the examples' count."""
    x = _stack(targets, "x")
    loss = _elbo(outputs["codes"], x)
    return {"loss_elbo": loss, "loss_elbo_mean": loss / x.shape[0]}


def pyro_map_elbo_scaled_by_the_weights(outputs, targets):
    """The same with the likelihood scaled per example by ``poutine.scale`` of the weights."""
    return {"loss_elbo": _elbo(outputs["codes"], _stack(targets, "x"), scale=_weights(targets))}


# -- roma: rotations --------------------------------------------------------------------------------

J = 6  # joints


def pose_batch(seed: int) -> tuple[list, list, None]:
    """A 6-D pose head's outputs: a 6-D rotation [B, 3, 2], a quaternion [B, 4], a translation [B,
    3], a rotation vector [B, 3], 3-D joints [B, J, 3]; per example its rotation, quaternion,
    translation, joints, joint confidences and ``loss_weight``."""
    g = _gen(seed + 2520)
    b = len(WEIGHTS[seed])
    outputs = {"rot6d": _leaf(b, 3, 2, g=g), "quat": _leaf(b, 4, g=g), "trans": _leaf(b, 3, g=g),
               "rotvec": _leaf(b, 3, g=g), "joints": _leaf(b, J, 3, g=g)}
    targets = []
    for w in WEIGHTS[seed]:
        q = F.normalize(torch.randn(4, generator=g), dim=0)
        targets.append({"quat": q, "rotmat": roma.unitquat_to_rotmat(q), "trans": torch.randn(3, generator=g),
                        "joints": torch.randn(J, 3, generator=g), "conf": torch.rand(J, generator=g) + 0.1,
                        "loss_weight": w})
    return [outputs, targets], [Along(0), TARGETS], None


def roma_6d_gram_schmidt_geodesic(outputs, targets):
    """Zhou et al.'s 6-D rotation: Gram-Schmidt to a rotation, its geodesic distance and the
    matrices' L1."""
    rot = roma.special_gramschmidt(outputs["rot6d"])
    gt = _stack(targets, "rotmat")
    return {"loss_geodesic": roma.rotmat_geodesic_distance(rot, gt).mean(), "loss_rot_l1": (rot - gt).abs().mean()}


LOG_VARS = (torch.tensor(0.0, requires_grad=True), torch.tensor(-3.0, requires_grad=True))


def roma_quaternion_with_learned_uncertainties(outputs, targets, log_vars):
    """PoseNet's learned weighting: translation L1 and quaternion geodesic error, each times
    ``exp(-s)`` plus ``s`` (two 0-dim parameters)."""
    s_t, s_q = log_vars
    t_err = (outputs["trans"] - _stack(targets, "trans")).abs().sum(-1).mean()
    q_err = roma.unitquat_geodesic_distance(roma.quat_normalize(outputs["quat"]), _stack(targets, "quat")).mean()
    return {"loss_pose": t_err * torch.exp(-s_t) + s_t + q_err * torch.exp(-s_q) + s_q}


def roma_pose_batch(seed: int) -> tuple[list, list, None]:
    args, kinds, labels = pose_batch(seed)
    return [*args, LOG_VARS], [*kinds, KEEP], labels


def roma_procrustes_aligned_joints(outputs, targets):
    """PA-MPJPE: each skeleton aligned to its ground truth by a similarity (rotation, scale,
    translation) before the joint error; and with per-joint confidences as registration weights."""
    pred, gt = outputs["joints"], _stack(targets, "joints")
    rot, trans, scale = roma.rigid_points_registration(pred, gt, compute_scaling=True)
    aligned = scale[:, None, None] * pred @ rot.transpose(-1, -2) + trans[:, None]
    conf = _stack(targets, "conf")
    rot_w, trans_w = roma.rigid_points_registration(pred, gt, weights=conf)
    aligned_w = pred @ rot_w.transpose(-1, -2) + trans_w[:, None]
    return {"loss_pa_mpjpe": (aligned - gt).norm(dim=-1).mean(),
            "loss_weighted_rigid": ((aligned_w - gt).norm(dim=-1) * conf).sum() / conf.sum()}


FLIP = torch.diag(torch.tensor([-1.0, -1.0, 1.0]))  # a 180-degree symmetry about z


def roma_rotation_vector_over_an_objects_symmetries(outputs, targets):
    """A symmetric object's rotation error: the smaller geodesic distance to the ground truth or its
    symmetric pose, weighted per example and divided by the examples. roma imported as a module,
    as user code does: through the lazy ``Later`` proxy the call's default ``epsilon`` could not be
    read without running the proxy's code (and was declined as computed from ``len(targets)``)."""
    import roma

    rot = roma.rotvec_to_rotmat(outputs["rotvec"])
    gt = _stack(targets, "rotmat")
    d = torch.minimum(roma.rotmat_geodesic_distance(rot, gt), roma.rotmat_geodesic_distance(rot, gt @ FLIP))
    return {"loss_sym": (d * _weights(targets)).sum() / len(targets)}


# -- zuko: conditional flows as posterior estimators ------------------------------------------------

THETA, CONTEXT = 3, 4


def sbi_batch(seed: int) -> tuple[list, list, None]:
    """A summary network's context [B, CONTEXT]; per example the parameters that simulated it."""
    return _vectors(seed, "context", CONTEXT, "theta", THETA)


def _zuko(kind: str, **kw):
    return lambda: getattr(importlib.import_module("zuko.flows"), kind)(features=THETA, context=CONTEXT, **kw)


NSF = _Module(2535, _zuko("NSF", transforms=2, hidden_features=[16]))
MAF = _Module(2536, _zuko("MAF", transforms=2, hidden_features=[16]))
GMM = _Module(2537, _zuko("GMM", components=3, hidden_features=[16]))


def zuko_neural_spline_flow_nll(outputs, targets):
    return {"loss_npe": -NSF(outputs["context"]).log_prob(_stack(targets, "theta")).mean()}


def zuko_masked_autoregressive_flow_weighted(outputs, targets):
    nll = -MAF(outputs["context"]).log_prob(_stack(targets, "theta"))
    w = _weights(targets)
    return {"loss_npe": (nll * w).sum() / w.sum()}


def zuko_gaussian_mixture_sum_and_mean(outputs, targets):
    nll = -GMM(outputs["context"]).log_prob(_stack(targets, "theta"))
    return {"loss_gmm": nll.mean(), "loss_gmm_sum": nll.sum()}


# -- vector-quantize-pytorch: tokenisers in training mode -------------------------------------------

TOK, DIM = 5, 4  # tokens per example, token size


def token_batch(seed: int) -> tuple[list, list, None]:
    """An encoder's tokens [B, TOK, DIM]; per example the features to reconstruct and its number of
    valid tokens."""
    g = _gen(seed + 2540)
    b = len(WEIGHTS[seed])
    tokens = _leaf(b, TOK, DIM, g=g)
    targets = [{"features": torch.randn(TOK, DIM, generator=g), "length": TOK - (i + seed) % 3, "loss_weight": w}
               for i, w in enumerate(WEIGHTS[seed])]
    return [{"tokens": tokens}, targets], [Along(0), TARGETS], None


def _vq(kind: str, **kw):
    def make():
        module = getattr(importlib.import_module("vector_quantize_pytorch"), kind)(**kw)
        return module.train()
    return make


VQ = _Module(2545, _vq("VectorQuantize", dim=DIM, codebook_size=8, learnable_codebook=True, ema_update=False,
                       commitment_weight=0.25))
FSQ = _Module(2546, _vq("FSQ", levels=[5, 4, 3], dim=DIM))
RVQ = _Module(2547, _vq("ResidualVQ", dim=DIM, num_quantizers=3, codebook_size=8, learnable_codebook=True,
                        ema_update=False))
LFQ = _Module(2548, _vq("LFQ", dim=DIM, codebook_size=16, entropy_loss_weight=0.1, commitment_loss_weight=0.25))
VQ_DECODER = _built(2549, lambda: torch.nn.Linear(DIM, DIM))


def vq_commitment_and_reconstruction(outputs, targets):
    quantized, _, commit = VQ(outputs["tokens"])
    return {"loss_recon": F.mse_loss(VQ_DECODER(quantized), _stack(targets, "features")), "loss_commit": commit}


def vq_masked_commitment(outputs, targets):
    """Variable-length sequences: the commitment over the valid tokens only (``mask=``)."""
    tokens = outputs["tokens"]
    lengths = torch.tensor([t["length"] for t in targets])
    mask = torch.arange(tokens.shape[1])[None] < lengths[:, None]
    quantized, _, commit = VQ(tokens, mask=mask)
    recon = (VQ_DECODER(quantized) - _stack(targets, "features")).pow(2).mean(-1)
    return {"loss_commit": commit, "loss_recon": (recon * mask).sum() / mask.sum()}


def fsq_reconstruction(outputs, targets):
    quantized, _ = FSQ(outputs["tokens"])
    return {"loss_recon": F.l1_loss(VQ_DECODER(quantized), _stack(targets, "features"))}


def residual_vq_per_quantizer_commitments(outputs, targets):
    quantized, _, commits = RVQ(outputs["tokens"])
    return {"loss_commit": commits.sum(), "loss_recon": F.mse_loss(quantized, _stack(targets, "features"))}


def lfq_entropy_and_commitment(outputs, targets):
    """Lookup-free quantisation: per-token entropy minus the codebook entropy of the batch's mean
    code distribution, plus the commitment."""
    quantized, _, aux = LFQ(outputs["tokens"])
    return {"loss_aux": aux, "loss_recon": F.mse_loss(VQ_DECODER(quantized), _stack(targets, "features"))}


# -- torch-geometric: graphs of different sizes joined in the body ----------------------------------

NODE = 4


def graph_batch(seed: int) -> tuple[list, list, None]:
    """One node-feature tensor per graph (a list: 3 to 6 nodes each); per graph its property and
    its nodes' classes."""
    g = _gen(seed + 2550)
    nodes, targets = [], []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 3 + (i + seed) % 4
        nodes.append(_leaf(n, NODE, g=g))
        targets.append({"y": torch.randn(1, generator=g), "node_classes": torch.randint(0, 3, (n,), generator=g),
                        "active": torch.tensor(float((i + seed) % 2)), "loss_weight": w})
    return [nodes, targets], [PER_IMAGE, TARGETS], None


GNN = _built(2555, lambda: torch.nn.ModuleDict({"node": torch.nn.Linear(NODE, 3), "score": torch.nn.Linear(NODE, 1),
                                                "graph": torch.nn.Linear(2 * NODE, 1)}))


def _joined(nodes):
    x = torch.cat(nodes)
    batch = torch.repeat_interleave(torch.arange(len(nodes)), torch.tensor([len(n) for n in nodes]))
    return x, batch


def pyg_mean_and_max_readout_regression(nodes, targets):
    """Graph regression over mean and max pooled nodes, and node classification over every node
    of the batch."""
    x, batch = _joined(nodes)
    pooled = torch.cat([pyg.global_mean_pool(x, batch), pyg.global_max_pool(x, batch)], dim=-1)
    node_classes = torch.cat([t["node_classes"] for t in targets])
    return {"loss_graph": F.mse_loss(GNN["graph"](pooled), _stack(targets, "y")),
            "loss_node": F.cross_entropy(GNN["node"](x), node_classes)}


def pyg_node_losses_four_normalisers(nodes, targets):
    """A node-level CE normalised four ways: the graphs' weights spread to their nodes
    (``w[batch]``), the joined nodes' count ``x.shape[0]``, the graphs' count ``len(nodes)``, and the
    mean of per-graph sums (``global_add_pool``)."""
    x, batch = _joined(nodes)
    node_w = _weights(targets)[batch]
    ce = F.cross_entropy(GNN["node"](x), torch.cat([t["node_classes"] for t in targets]), reduction="none")
    return {"loss_node_weighted": (ce * node_w).sum() / node_w.sum(), "loss_node_mean": ce.sum() / x.shape[0],
            "loss_node_per_graph": ce.sum() / len(nodes), "loss_graph_sums": pyg.global_add_pool(ce[:, None], batch).mean()}


def pyg_attention_readout_classification(nodes, targets):
    """Attention pooling (``softmax`` of node scores within each graph, ``scatter`` sum), a graph
    BCE weighted per graph."""
    x, batch = _joined(nodes)
    attention = pyg_utils.softmax(GNN["score"](x), batch)
    pooled = pyg_utils.scatter(x * attention, batch, dim=0, reduce="sum")
    logits = GNN["graph"](torch.cat([pooled, pyg.global_add_pool(x, batch)], dim=-1)).squeeze(-1)
    bce = F.binary_cross_entropy_with_logits(logits, _stack(targets, "active"), weight=_weights(targets))
    return {"loss_graph_cls": bce}


# -- gpytorch: likelihoods of a variational head ------------------------------------------------

def latent_batch(seed: int) -> tuple[list, list, None]:
    """A variational head's latent function per example, mean and log-variance [B]; per example a
    binary label and a real value."""
    g = _gen(seed + 2600)
    b = len(WEIGHTS[seed])
    outputs = {"mean": _leaf(b, g=g), "log_var": _leaf(b, g=g, scale=0.3)}
    targets = [{"y": torch.tensor(float(i % 2)), "value": torch.randn((), generator=g), "loss_weight": w}
               for i, w in enumerate(WEIGHTS[seed])]
    return [outputs, targets], [Along(0), TARGETS], None


BERNOULLI = _Module(2605, lambda: gpytorch.likelihoods.BernoulliLikelihood())
GAUSSIAN = _Module(2606, lambda: gpytorch.likelihoods.GaussianLikelihood())


def gpytorch_expected_log_likelihoods(outputs, targets):
    """The expected log-likelihood of each example's label under its latent normal (Bernoulli by
    Gauss-Hermite quadrature; Gaussian in closed form with the likelihood's learned noise)."""
    f = gpytorch.distributions.MultivariateNormal(outputs["mean"],
                                                  linear_operator.DiagLinearOperator(outputs["log_var"].exp()))
    return {"loss_bernoulli": -BERNOULLI.module.expected_log_prob(_stack(targets, "y"), f).mean(),
            "loss_gaussian": -GAUSSIAN.module.expected_log_prob(_stack(targets, "value"), f).mean()}


# -- pytorch-metric-learning: proxies and margins ---------------------------------------------------

EMB, CLASSES = 8, 5


def metric_batch(seed: int) -> tuple[list, list, None]:
    """Embeddings [B, EMB]; per example its class (two examples of a class on the batches of
    several)."""
    g = _gen(seed + 2560)
    b = len(WEIGHTS[seed])
    emb = _leaf(b, EMB, g=g)
    targets = [{"label": (i // 2 + seed) % CLASSES, "loss_weight": w} for i, w in enumerate(WEIGHTS[seed])]
    return [{"emb": emb}, targets], [Along(0), TARGETS], None


def _labels(targets):
    return torch.tensor([t["label"] for t in targets])


def _pml(kind: str, reducer=None, **kw):
    def make():
        losses = importlib.import_module("pytorch_metric_learning.losses")
        if reducer is not None:
            kw["reducer"] = reducer()
        return getattr(losses, kind)(**kw)
    return make


def _class_weighted():
    weights = torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0])
    return importlib.import_module("pytorch_metric_learning.reducers").ClassWeightedReducer(weights)


LARGE_MARGIN = _Module(2565, _pml("LargeMarginSoftmaxLoss", num_classes=CLASSES, embedding_size=EMB, margin=3))
SPHEREFACE = _Module(2566, _pml("SphereFaceLoss", num_classes=CLASSES, embedding_size=EMB))
NORM_SOFTMAX = _Module(2567, _pml("NormalizedSoftmaxLoss", num_classes=CLASSES, embedding_size=EMB))
SOFT_TRIPLE = _Module(2568, _pml("SoftTripleLoss", num_classes=CLASSES, embedding_size=EMB, centers_per_class=2))
PROXY_NCA = _Module(2569, _pml("ProxyNCALoss", num_classes=CLASSES, embedding_size=EMB))
SUBCENTER = _Module(2570, _pml("SubCenterArcFaceLoss", reducer=_class_weighted, num_classes=CLASSES,
                               embedding_size=EMB, sub_centers=2))
SUPCON = _Module(2571, _pml("SupConLoss", temperature=0.1))
MULTI_SIM = _Module(2572, _pml("MultiSimilarityLoss"))


def pml_large_margin_and_sphereface(outputs, targets):
    emb, labels = outputs["emb"], _labels(targets)
    return {"loss_lsoftmax": LARGE_MARGIN(emb, labels), "loss_sphereface": SPHEREFACE(emb, labels)}


def pml_normalised_softmax_and_soft_triple(outputs, targets):
    emb, labels = outputs["emb"], _labels(targets)
    return {"loss_normsoftmax": NORM_SOFTMAX(emb, labels), "loss_softtriple": SOFT_TRIPLE(emb, labels)}


def pml_proxy_nca(outputs, targets):
    return {"loss_proxy_nca": PROXY_NCA(outputs["emb"], _labels(targets))}


def pml_subcenter_arcface_class_weighted(outputs, targets):
    return {"loss_subcenter": SUBCENTER(outputs["emb"], _labels(targets))}


def tensor_label_batch(seed: int) -> tuple[list, list, None]:
    """``metric_batch`` with each class a 0-dim tensor in the target dict (stacked, not made with
    ``torch.tensor`` of Python numbers)."""
    args, kinds, labels = metric_batch(seed)
    return [args[0], [{**t, "label": torch.tensor(t["label"])} for t in args[1]]], kinds, labels


def pml_proxy_losses_with_stacked_labels(outputs, targets):
    emb, labels = outputs["emb"], _stack(targets, "label")
    return {"loss_lsoftmax": LARGE_MARGIN(emb, labels), "loss_normsoftmax": NORM_SOFTMAX(emb, labels),
            "loss_softtriple": SOFT_TRIPLE(emb, labels), "loss_proxy_nca": PROXY_NCA(emb, labels),
            "loss_subcenter": SUBCENTER(emb, labels)}


def pml_supcon_and_multi_similarity(outputs, targets):
    """In-batch positives and negatives."""
    emb, labels = outputs["emb"], _labels(targets)
    return {"loss_supcon": SUPCON(emb, labels), "loss_ms": MULTI_SIM(emb, labels)}


# -- torchmetrics: audio, regression, multi-scale images, hinge -----------------------------------

L = 64  # samples per waveform


def audio_batch(seed: int) -> tuple[list, list, list]:
    """A separation network's two sources [B, 2, L] and an enhancer's output [B, L]; per example the
    clean sources and speech. Sources per example."""
    g = _gen(seed + 2580)
    b = len(SOURCES[seed])
    clean = torch.randn(b, 2, L, generator=g)
    outputs = {"separated": (clean.flip(1) + 0.3 * torch.randn(b, 2, L, generator=g)).requires_grad_(),
               "enhanced": (clean[:, 0] + 0.5 * torch.randn(b, L, generator=g)).requires_grad_()}
    return [outputs, {"sources": clean, "speech": clean[:, 0]}], [Along(0), Along(0)], SOURCES[seed]


def tm_si_sdr_and_snr(outputs, clean):
    enhanced, speech = outputs["enhanced"], clean["speech"]
    return {"loss_si_sdr": -tm_audio.scale_invariant_signal_distortion_ratio(enhanced, speech).mean(),
            "loss_snr": -tm_audio.signal_noise_ratio(enhanced, speech, zero_mean=True).mean()}


def tm_permutation_invariant_si_snr(outputs, clean):
    """Two-speaker separation: the best permutation's SI-SNR per mixture (speaker-wise)."""
    best, _ = tm_audio.permutation_invariant_training(outputs["separated"], clean["sources"],
                                                      tm_audio.scale_invariant_signal_noise_ratio)
    return {"loss_pit": -best.mean()}


def value_batch(seed: int) -> tuple[list, list, None]:
    """A forecaster's positive outputs [B, 6] and class scores [B, CLASSES]; per example its
    positive targets and class."""
    g = _gen(seed + 2590)
    b = len(WEIGHTS[seed])
    outputs = {"value": _leaf(b, 6, g=g, scale=0.5), "scores": _leaf(b, CLASSES, g=g), "binary": _leaf(b, g=g)}
    targets = [{"value": torch.rand(6, generator=g) * 3 + 0.5, "label": i % CLASSES, "positive": i % 2,
                "loss_weight": w} for i, w in enumerate(WEIGHTS[seed])]
    return [outputs, targets], [Along(0), TARGETS], None


def tm_log_cosh_tweedie_and_percentage_errors(outputs, targets):
    pred, gt = outputs["value"].exp(), _stack(targets, "value")
    return {"loss_logcosh": tm.log_cosh_error(pred.flatten(), gt.flatten()),
            "loss_tweedie": tm.tweedie_deviance_score(pred.flatten(), gt.flatten(), power=1.5),
            "loss_mape": tm.mean_absolute_percentage_error(pred, gt),
            "loss_smape": tm.symmetric_mean_absolute_percentage_error(pred, gt),
            "loss_wmape": tm.weighted_mean_absolute_percentage_error(pred, gt)}


def tm_hinge_losses(outputs, targets):
    labels = _labels(targets)
    binary = torch.tensor([t["positive"] for t in targets])
    return {"loss_hinge": tm.hinge_loss(outputs["binary"].sigmoid(), binary, task="binary"),
            "loss_multi_hinge": tm.hinge_loss(outputs["scores"].softmax(-1), labels, task="multiclass",
                                              num_classes=CLASSES, squared=True, multiclass_mode="one-vs-all").mean()}


H = 16


def image_batch(seed: int) -> tuple[list, list, None]:
    g = _gen(seed + 2595)
    b = len(WEIGHTS[seed])
    pred = torch.rand(b, 1, H, H, generator=g).requires_grad_()
    targets = [{"image": torch.rand(1, H, H, generator=g), "loss_weight": w} for w in WEIGHTS[seed]]
    return [{"image": pred}, targets], [Along(0), TARGETS], None


def tm_multiscale_ssim_per_image(outputs, targets):
    """Two scales, a data range given, per image (``reduction='none'``) then the mean."""
    ms = tm_image.multiscale_structural_similarity_index_measure(
        outputs["image"], _stack(targets, "image"), data_range=1.0, kernel_size=5, sigma=1.0, betas=(0.5, 0.5),
        reduction="none")
    return {"loss_msssim": (1 - ms).mean()}


def tm_spatial_correlation_and_relative_average_spectral_error(outputs, targets):
    pred, gt = outputs["image"], _stack(targets, "image")
    return {"loss_scc": 1 - tm_image.spatial_correlation_coefficient(pred, gt),
            "loss_rase": tm_image.relative_average_spectral_error(pred, gt, window_size=4) / 100}


_ONE_GROUP = "; on the batch of one example (3) the batch's value is the group's"


def _gap(body, batch, key_names, why, gap_batches=(0, 1, 3)):
    """Keys declined although no example mixes: on the batches of several groups and on the one
    example of group 'synthetic' (batch 3, weight 0.5); the batch of one group with every weight 1
    (2) gives them as returned."""
    return Case(body, batch, gaps=keys(*key_names), gap_batches=gap_batches, why=why)


def _mixing(body, batch, key_names, why, gap_batches=()):
    names = keys(*key_names)
    return Case(body, batch, names, gaps=names, gap_batches=gap_batches, mix_batches=(0, 1), why=why)


_LABELS = ("labels made by ``torch.tensor([t['label'] for t in targets])`` have no known image rows: pml's "
           "``check_shapes`` compares ``embeddings.shape[0] != labels.shape[0]`` (4 != 4), which a group alone "
           "would decide as 2 != 4")
CASES = {c.body.__name__: c for c in [
    Case(pyro_zero_inflated_negative_binomial_counts, head_batch, gaps=keys("loss_zinb_real@1", "zero_rate_real@1"),
         why="group 'real' of batch 1 is one example: a branch of pyro's code on a size of image rows (3 == 1) "
             "that one example alone decides otherwise"),
    Case(pyro_asymmetric_laplace_quantiles_weighted, head_batch),
    Case(pyro_mixture_of_diag_normals_trajectory, head_batch),
    Case(pyro_projected_normal_direction, head_batch),
    Case(pyro_masked_normal_over_counts, head_batch, gaps=keys("loss_per_example_real@1", "loss_per_value_real@1"),
         why="group 'real' of batch 1 is one example: the branch on a size of image rows of the ZINB above"),
    _gap(pyro_map_elbo_over_a_plate, elbo_batch, ["loss_elbo", "loss_elbo_mean"],
         "pyro's ELBO adds a Python number at ``Tensor.add`` that is read as computed from a length of the data "
         "(the call declines)"),
    _gap(pyro_map_elbo_scaled_by_the_weights, elbo_batch, ["loss_elbo"],
         "``poutine.scale`` multiplies the log-probabilities by an int read as the size of a dim of image rows "
         "(``x.shape[0]``): declined at ``Tensor.mul``"),
    Case(roma_6d_gram_schmidt_geodesic, pose_batch),
    Case(roma_quaternion_with_learned_uncertainties, roma_pose_batch),
    # gap41: on the one example a matrix product of operands with weight-1 values keeps its image (2 closed)
    Case(roma_procrustes_aligned_joints, pose_batch),
    # session 27 (s33b): on the one example, one group holds every image: the whole of the normaliser (1 closed)
    Case(roma_rotation_vector_over_an_objects_symmetries, pose_batch),
    Case(zuko_neural_spline_flow_nll, sbi_batch),
    Case(zuko_masked_autoregressive_flow_weighted, sbi_batch),
    Case(zuko_gaussian_mixture_sum_and_mean, sbi_batch),
    Case(vq_commitment_and_reconstruction, token_batch),
    # gap41: on the one example, a reduction (or a view) of its rows along two dims is over that image's
    # elements, and ``F.linear`` of an input with weight-1 values keeps them (3 closed)
    Case(vq_masked_commitment, token_batch),
    Case(fsq_reconstruction, token_batch),
    _gap(residual_vq_per_quantizer_commitments, token_batch, ["loss_commit"],
         "the per-quantizer losses grown into ``all_losses`` by ``torch.cat`` in a loop past a ``continue`` under "
         "the local ``should_quantize_dropout``, which no proof reads as deciding alike on a group alone"),
    _mixing(lfq_entropy_and_commitment, token_batch, ["loss_aux"],
            "the codebook entropy of the batch's mean code distribution"),
    Case(pyg_mean_and_max_readout_regression, graph_batch),
    # session 27 (s33b): on the one graph, one group holds every image: the whole of the normalisers (2 closed)
    Case(pyg_node_losses_four_normalisers, graph_batch),
    Case(pyg_attention_readout_classification, graph_batch),
    Case(gpytorch_expected_log_likelihoods, latent_batch),
    # labels made by ``torch.tensor([t["label"] for t in targets])`` have the examples' rows (session 18): pml's
    # ``check_shapes`` (``embeddings.shape[0] != labels.shape[0]``) compares rows with rows; the class weights
    # picked by those labels are data, not the examples' weights
    Case(pml_large_margin_and_sphereface, metric_batch),
    Case(pml_normalised_softmax_and_soft_triple, metric_batch),
    Case(pml_proxy_nca, metric_batch),
    Case(pml_subcenter_arcface_class_weighted, metric_batch),
    Case(pml_proxy_losses_with_stacked_labels, tensor_label_batch),
    _mixing(pml_supcon_and_multi_similarity, metric_batch, ["loss_supcon", "loss_ms"], "in-batch pairs"),
    Case(tm_si_sdr_and_snr, audio_batch),
    # PIT's metric matrix, written speaker pair by pair into ``torch.empty`` (``mtx[:, i, j] = ...``), has the
    # images' rows since the metrics helper's row-for-row writes (session 18; 7 GAP, declined with no key named)
    Case(tm_permutation_invariant_si_snr, audio_batch),
    # log-cosh's ``sum(0)`` over [B * 6, 1] is the sum of every element (session 18; 4 of 5 GAP); Tweedie's
    # ``torch.tensor(target.numel())`` splits since s24gap's rule (session 17)
    # on the one example, log-cosh's ``sum(0)`` over [6, 1] of one image's values keeps a dim of one: 'no sum or mean
    # over their rows' (1 GAP); on a call of that one example its value is its group's since session 20
    Case(tm_log_cosh_tweedie_and_percentage_errors, value_batch),
    # torchmetrics' binary check ``torch.any((u != 0) & (u != 1))`` of ``u = torch.unique(target)``: a test of the
    # values found, decided per group from its own elements (session 36, s25b: was a branch on data mixed across
    # images, declining the call; 6 closed)
    # one-vs-all: the margins written into ``torch.zeros_like(preds)`` (``margin[target] = preds[target]``) hold
    # predictions, whose clamped sum is a loss (session 36, s25b: was a sum of data followed only as a normaliser's;
    # 5 closed)
    Case(tm_hinge_losses, value_batch),
    _gap(tm_multiscale_ssim_per_image, image_batch, ["loss_msssim"],
         "on the one example: ``Tensor.split`` sized by a size of image rows along a dim without images",
         gap_batches=(3,)),
    # gap45a: on the one example, ``torch.sum(.., dim=0)`` along its rows is its values and ``target_sum += ..``
    # into ``torch.zeros`` keeps them (tests/test_rules_one_image_writes.py; 1 closed)
    _mixing(tm_spatial_correlation_and_relative_average_spectral_error, image_batch, ["loss_rase"],
            "RASE: 100 / the batch's mean target times the root of the batch-mean RMSE map" + _ONE_GROUP),
]}


FIRST = (399, 167, 151, 0)  # expected, declined, GAP, WRONG at first contact (nothing changed for them)
# after session 17's merges (Tweedie's torch.tensor(target.numel()) splits, s24gap): (399, 163, 147, 0); session
# 18 (unflat): Tensor.unflatten as the reshape it is, torch.masked_scatter followed in order, tril / triu,
# solve_ex / solve_triangular, matrix_norm, roma's symmetries body importing roma as a module: (399, 131, 115, 0);
# (einops): prod(shape) == -1, F.normalize's dim, one example's rows: (399, 108, 92, 0); (pml): labels made by
# torch.tensor([t[k] for t in targets]) have the examples' rows: (399, 82, 66, 0); (metrics): PIT's matrix
# written row for row, log-cosh's sum(0) over [N, 1]: (399, 71, 55, 0); (pyro): gpytorch's masked_scatter_ of values
# remembering unweighted ones, node losses over len(nodes) of a list sized as the graphs' node_classes: (399, 62,
# 46, 0); session 20, one example's value: log-cosh's (399, 61, 45, 0); session 27 (s33b): one group holding every
# image takes the whole of an outside normaliser (roma's symmetries on one example, the node losses on one graph):
# (399, 58, 42, 0); session 36 (s25b): torch.unique's values tested as a set (torchmetrics' binary check):
# (399, 52, 36, 0); predictions written into data of the rows are a loss (the one-vs-all hinge's margins):
# (399, 42, 26, 0); gap45a: RASE on the one example (a sum along one image's rows, accumulated into zeros)
NOW = (399, 41, 25, 0)
globals().update(survey_tests(
    CASES, range(len(WEIGHTS)), len(CASES), NOW,
    over_target="25 GAP of 399 (6.3 %; 151, 37.8 % at first contact): pyro's ELBO (15), vector-quantize-pytorch's "
                "joined losses (5), single-example edges (5)"))
