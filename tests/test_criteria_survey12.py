"""Coverage survey 12: 29 public criteria not in the earlier surveys, from pose, speech, medical
registration and segmentation, 3-D shapes, reinforcement learning, semi-supervised learning,
ranking and count forecasting; the harness and its vocabulary (``MIXES``, ``GAP``, ``wrong``, the
3 % target of issue #13) are ``_survey``'s. Each body reproduces a criterion's ops in code of its
own and is decorated from outside; no pattern here drove a rule.

FIRST_CONTACT (29 patterns, two batches, nothing changed for them): 365 expected companions, 68
declined, 44 GAP (12.1 %), 0 WRONG. No companion differed from the oracle: the per-image weights
(a tensor of them, ``new_tensor``, ``repeat_interleave`` per SDF sample), ``int(cls.shape[0])``
normalisers, a flow model's ``z.size(1)`` equal to batch 1's image count, ``target.shape[0]``,
host-read counts, column writes into ``zeros_like(rewards)``, a soft-DTW table started from
``torch.full`` and a gradient at points stacked in the call all split exactly. The GAPs, each where
the warning names the op: ``torch.lgamma`` (negative binomial NLL and the evidential KL, 10);
``F.kl_div`` with the legacy ``size_average=False`` (decoupled KD, 5); ``Tensor.div`` of
per-utterance sums by the batch's ``torch.sum(x_mask)``, then summed (VITS duration, 5); the RLOO
reshape ``(k, -1)`` of rows, which declines the whole call and with it the per-row KL and score
(10); two cascade stages whose ``.item()`` counts are equal on batch 1 (17), so the divisor cannot
be told from the other stage's read and the call declines (12); a deep-supervision scale (2/3)
equal to the mean of batch 1's weights, read as a statistic of the weights at ``Tensor.mul`` (2).
The other 24 declines mix images: BMN's coefficients from the batch's ratio of positives,
advantages standardised over the batch, the RLOO leave-one-out baseline, a batch AUC.

Now: 365 expected, 31 declined, 7 GAP (1.9 %), 0 WRONG. ``lgamma`` / ``digamma`` are element-wise
ops with a rule; the legacy ``size_average`` / ``reduce`` decide a loss's reduction as torch reads
them; a reshape that puts several of the call's own rows (images 0..B-1 in order, known without a
read) in one row loses only what is computed from it, so RLOO's KL and score split; of two equal
counts read with ``.item()``, the one whose very float divides a loss is its normaliser (a copy is
matched by value and still declines). Left: the deep-supervision weight equal to a batch's mean
weight (2). Since survey 13 (365, 26, 2 GAP, 0.5 %): VITS's per-row sums divided by the batch's
``torch.sum(x_mask)`` and summed are their sum over it (5).
"""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F
from _helpers import ROWS, TARGETS
from _survey import Case, keys, survey_tests
from _survey import focal as _focal
from _survey import gen as _gen
from _survey import leaf as _leaf
from _survey import stack as _stack

WEIGHTS = ([1.0, 0.5, 0.5, 1.0], [0.5, 1.0, 0.5])
SOURCES = (["web", "code", "web", "book"], ["code", "web", "code"])
S = 8  # image side


# -- batches --------------------------------------------------------------------------------------

NL = 5  # face landmarks (0 and 1 the eye centres)


def face_batch(seed: int) -> tuple[list, list, None]:
    """Face alignment: landmarks [B, NL, 2] near each image's ground truth (offsets on both sides
    of the Wing loss's ``w``)."""
    g = _gen(seed + 1200)
    targets = [{"landmarks": torch.rand(NL, 2, generator=g) * 0.6 + 0.2, "loss_weight": w} for w in WEIGHTS[seed]]
    pred = _stack(targets, "landmarks") + torch.randn(len(targets), NL, 2, generator=g) * 0.08
    return [{"landmarks": pred.requires_grad_()}, targets], [ROWS, TARGETS], None


NSPK, L, TT, TX, NMEL = 2, 64, 6, 4, 5  # speakers, samples, mel frames, text tokens, mel bins
NFFT, HOP = 16, 8
HANN = torch.hann_window(NFFT)
MEL_BASIS = torch.rand(NMEL, NFFT // 2 + 1, generator=_gen(21))


def audio_batch(seed: int) -> tuple[list, list, list]:
    """Speech, one source per utterance: separated sources [B, NSPK, L] and their references,
    the mixture; a vocoder's waveform [B, L] with its reference and the discriminators' outputs /
    feature maps (lists of [B, ...]); a TTS decoder's mel, postnet mel [B, TT, NMEL] and gate
    logits [B, TT] with mel lengths; VITS posterior / prior statistics [B, 2, TT] and log
    durations [B, 1, TX] with text lengths."""
    g = _gen(seed + 1210)
    b = len(SOURCES[seed])
    refs = torch.randn(b, NSPK, L, generator=g)
    perm = torch.tensor([[0, 1] if r % 2 else [1, 0] for r in range(b)])
    est = torch.stack([refs[r, perm[r]] for r in range(b)]) + torch.randn(b, NSPK, L, generator=g) * 0.5
    wav = torch.randn(b, L, generator=g) * 0.3
    model = {"sep": est.requires_grad_(), "wav": (wav + torch.randn(b, L, generator=g) * 0.1).requires_grad_(),
             "d_g": [_leaf(b, 4, g=g), _leaf(b, 2, g=g)],
             "fmap_r": [[torch.randn(b, 3, 4, generator=g), torch.randn(b, 2, generator=g)], [torch.randn(b, 5, generator=g)]],
             "fmap_g": [[_leaf(b, 3, 4, g=g), _leaf(b, 2, g=g)], [_leaf(b, 5, g=g)]],
             "mel": _leaf(b, TT, NMEL, g=g), "post": _leaf(b, TT, NMEL, g=g), "gate": _leaf(b, TT, g=g),
             "z_p": _leaf(b, 2, TT, g=g), "logs_q": _leaf(b, 2, TT, g=g, scale=0.3), "m_p": _leaf(b, 2, TT, g=g),
             "logs_p": _leaf(b, 2, TT, g=g, scale=0.3), "logw": _leaf(b, 1, TX, g=g)}
    mel_len = torch.tensor([TT - r % 3 for r in range(b)])
    gate = (torch.arange(TT)[None] >= mel_len[:, None] - 1).float()
    batch = {"sources": refs, "mix": refs.sum(1), "wav": wav, "mel": torch.randn(b, TT, NMEL, generator=g),
             "gate": gate, "mel_len": mel_len, "text_len": torch.tensor([TX - r % 2 for r in range(b)]),
             "durations": torch.randint(1, 4, (b, 1, TX), generator=g).float()}
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


PATCH = 4
NP = (S // PATCH) ** 2  # patches per image
C3 = 3  # image channels: equal to the image count of batch 1


def image_batch(seed: int) -> tuple[list, list, None]:
    """Images [B, 3, S, S] with per-image data: MAE patch predictions [B, NP, PATCH**2 * 3] and
    a masking noise per image; deep-supervision logits at three scales with labels downsampled per
    scale; a registration flow [B, 2, S, S] with a moving and a fixed image; a box-supervised
    mask logit [B, 1, S, S] with the box's mask and the image in a Lab-like space; a flow model's
    latent [B, 3, S, S] and log-determinant [B]; a Retinex decomposition of a low / normal-light
    pair."""
    g = _gen(seed + 1220)
    b = len(WEIGHTS[seed])
    outputs = {"pred": _leaf(b, NP, PATCH * PATCH * 3, g=g),
               "ds": [_leaf(b, 3, S >> i, S >> i, g=g) for i in range(3)],
               "flow": _leaf(b, 2, S, S, g=g, scale=0.1), "mask": _leaf(b, 1, S, S, g=g),
               "z": _leaf(b, C3, S, S, g=g), "logdet": _leaf(b, g=g),
               "R_low": torch.rand(b, 3, S, S, generator=g).requires_grad_(),
               "I_low": torch.rand(b, 1, S, S, generator=g).requires_grad_(),
               "R_high": torch.rand(b, 3, S, S, generator=g).requires_grad_(),
               "I_high": torch.rand(b, 1, S, S, generator=g).requires_grad_()}
    targets = []
    for w in WEIGHTS[seed]:
        seg = torch.randint(0, 3, (1, S, S), generator=g)
        box = torch.zeros(1, S, S)
        x, y = torch.randint(0, S // 2, (2,), generator=g).tolist()
        box[:, y:y + 4, x:x + 3] = 1
        high = torch.rand(3, S, S, generator=g)
        targets.append({"image": torch.rand(3, S, S, generator=g), "noise": torch.rand(NP, generator=g),
                        "segs": [seg[:, ::1 << i, ::1 << i] for i in range(3)],
                        "moving": torch.rand(1, S, S, generator=g), "fixed": torch.rand(1, S, S, generator=g),
                        "box_mask": box, "lab": torch.rand(3, S, S, generator=g),
                        "low": high * 0.2, "high": high, "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


NA, NCD = 12, 2  # anchors, classes (3-D detection)
TP = 10  # temporal positions (action proposals)
NR = 6  # sampled RoIs per image


def detection_batch(seed: int) -> tuple[list, list, None]:
    """3-D detection over NA anchors: class logits [B, NA, NCD], boxes [B, NA, 7] (heading last),
    direction logits [B, NA, 2]; per image anchor labels (-1 ignored, 0 background, 1..NCD) and box
    targets. A cascade's three stages over NR sampled RoIs per image: class logits [B, NR, NCD + 1]
    and deltas [B, NR, 4]; per image and stage the RoIs' labels (NCD background), label weights and
    delta targets. Temporal action proposals: start / end probabilities [B, TP] and per-image Gaussian
    start / end targets."""
    g = _gen(seed + 1230)
    b = len(WEIGHTS[seed])
    outputs = {"cls": _leaf(b, NA, NCD, g=g), "box": _leaf(b, NA, 7, g=g), "dir": _leaf(b, NA, 2, g=g),
               "stage_cls": [_leaf(b, NR, NCD + 1, g=g) for _ in STAGE_WEIGHTS],
               "stage_box": [_leaf(b, NR, 4, g=g) for _ in STAGE_WEIGHTS],
               "start": torch.rand(b, TP, generator=g).requires_grad_(), "end": torch.rand(b, TP, generator=g).requires_grad_()}
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        labels = torch.zeros(NA, dtype=torch.long)
        labels[torch.rand(NA, generator=g) < 0.15] = -1
        labels[torch.randperm(NA, generator=g)[:(i + seed) % 3]] = torch.randint(1, NCD + 1, ((i + seed) % 3,), generator=g)
        t = torch.arange(TP).float()
        c = torch.randint(0, TP, (2,), generator=g).float()
        targets.append({"anchor_labels": labels, "anchor_boxes": torch.randn(NA, 7, generator=g),
                        "roi_labels": torch.randint(0, NCD + 1, (3, NR), generator=g),
                        "roi_label_weights": (torch.rand(3, NR, generator=g) < 0.9).float(),
                        "roi_deltas": torch.randn(3, NR, 4, generator=g),
                        "start": torch.exp(-(t - c[0]) ** 2 / 2), "end": torch.exp(-(t - c[1]) ** 2 / 2), "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


NCLS = 5


def class_batch(seed: int) -> tuple[list, list, list]:
    """Classification, one source per sample: student logits [B, NCLS], a teacher's, weak / strong
    views of an unlabelled sample; labels; click-through and conversion logits with their labels."""
    g = _gen(seed + 1240)
    b = len(SOURCES[seed])
    model = {"logits": _leaf(b, NCLS, g=g, scale=2.0), "logits_w": _leaf(b, NCLS, g=g, scale=2.0),
             "logits_s": _leaf(b, NCLS, g=g, scale=2.0), "ctr": _leaf(b, g=g), "cvr": _leaf(b, g=g)}
    click = torch.tensor(([1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 0.0])[seed])  # each group of two rows has both
    batch = {"y": torch.randint(0, NCLS, (b,), generator=g), "teacher": torch.randn(b, NCLS, generator=g) * 2,
             "click": click, "conv": click * (torch.rand(b, generator=g) < 0.5).float()}
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


NACT, TR = 3, 4  # actions, rollout steps


def rl_batch(seed: int) -> tuple[list, list, list]:
    """Reinforcement learning, one source per environment: values [B, TR + 1] and new action
    log-probs [B, TR] with rewards, dones and old log-probs; Q-values [B, NACT] with the online
    and target networks' next-state values, actions, rewards, dones and importance weights."""
    g = _gen(seed + 1250)
    b = len(SOURCES[seed])
    model = {"values": _leaf(b, TR + 1, g=g), "logp": (torch.randn(b, TR, generator=g) * 0.2 - 1).requires_grad_(),
             "q": _leaf(b, NACT, g=g)}
    batch = {"rewards": torch.randn(b, TR, generator=g), "dones": (torch.rand(b, TR, generator=g) < 0.2).float(),
             "old_logp": torch.randn(b, TR, generator=g) * 0.2 - 1, "q_next": torch.randn(b, NACT, generator=g),
             "q_target_next": torch.randn(b, NACT, generator=g), "action": torch.randint(0, NACT, (b,), generator=g),
             "reward": torch.randn(b, generator=g), "done": (torch.rand(b, generator=g) < 0.3).float(),
             "is_weight": torch.rand(b, generator=g) * 0.5 + 0.5}
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


TS, V = 6, 9  # tokens, vocabulary
RLOO_K = 2
RLOO_SOURCES = (["web", "code", "web", "code"], ["code", "web", "book", "code", "web", "book"])


def _lm(g: torch.Generator, b: int) -> tuple[dict, dict]:
    ids = torch.randint(0, V, (b, TS), generator=g)
    attn = torch.ones(b, TS, dtype=torch.long)
    for r in range(b):
        attn[r, TS - r % 2:] = 0
    assistant = torch.zeros(b, TS, dtype=torch.long)
    for r in range(b):
        assistant[r, 2 + r % 2:] = 1
    labels = ids.clone()
    labels[:, :2] = -100
    return ({"logits": _leaf(b, TS, V, g=g)},
            {"input_ids": ids, "attention_mask": attn, "assistant_masks": assistant, "labels": labels,
             "ref_logp": torch.randn(b, generator=g) - 8, "scores": torch.randn(b, generator=g)})


def lm_batch(seed: int) -> tuple[list, list, list]:
    """Language models, one source per sequence: logits [B, TS, V]; input ids, attention and
    assistant-token masks from a chat template."""
    model, batch = _lm(_gen(seed + 1260), len(SOURCES[seed]))
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


def rloo_batch(seed: int) -> tuple[list, list, list]:
    """RLOO_K completions per prompt, completion-major (row ``i`` and row ``i + P`` answer one
    prompt, and share its source): logits, labels, the reference's sequence log-prob and the
    reward model's score."""
    model, batch = _lm(_gen(seed + 1270), len(RLOO_SOURCES[seed]))
    return [model, batch], [ROWS, ROWS], RLOO_SOURCES[seed]


TC, TF = 5, 4  # context and forecast lengths


def series_batch(seed: int) -> tuple[list, list, list]:
    """Forecasting, one source per series: count-model parameters [B, TF] (raw mean, raw
    dispersion), a point forecast [B, TF]; context counts [B, TC] with their observed mask, future
    counts [B, TF] with theirs."""
    g = _gen(seed + 1280)
    b = len(SOURCES[seed])
    model = {"mu": _leaf(b, TF, g=g), "alpha": _leaf(b, TF, g=g), "forecast": _leaf(b, TF, g=g)}
    past_obs = (torch.rand(b, TC, generator=g) < 0.8).float()
    past_obs[:, 0] = 1
    batch = {"past": torch.randint(0, 6, (b, TC), generator=g).float(), "past_obs": past_obs,
             "future": torch.randint(0, 6, (b, TF), generator=g).float(),
             "future_obs": (torch.rand(b, TF, generator=g) < 0.9).float()}
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


NPT, ZD, HID = 6, 3, 8  # points per shape, latent width, hidden width
SDF_W1 = torch.randn(HID, ZD + 3, generator=_gen(22)) * 0.5
SDF_B1 = torch.randn(HID, generator=_gen(23)) * 0.1
SDF_W2 = torch.randn(1, HID, generator=_gen(24)) * 0.5
SDF_B2 = torch.zeros(1)


def shape_batch(seed: int) -> tuple[list, list, None]:
    """3-D shapes: occupancy logits [B, NPT], a latent posterior (mean, log-std [B, ZD]); a shape
    code [B, ZD] and predicted SDF [B, NPT]; upsampled points [B, NPT, 3]. Per shape occupancies,
    surface points with normals and free-space points, SDF samples, ground-truth points."""
    g = _gen(seed + 1290)
    b = len(WEIGHTS[seed])
    outputs = {"occ_logits": _leaf(b, NPT, g=g), "z_mean": _leaf(b, ZD, g=g), "z_logstd": _leaf(b, ZD, g=g, scale=0.3),
               "latent": _leaf(b, ZD, g=g), "sdf": _leaf(b, NPT, g=g, scale=0.1),
               "points": _leaf(b, NPT, 3, g=g, scale=0.05)}
    targets = [{"occ": (torch.rand(NPT, generator=g) < 0.4).float(), "surface": torch.randn(NPT, 3, generator=g),
                "normals": F.normalize(torch.randn(NPT, 3, generator=g), dim=-1), "free": torch.randn(NPT, 3, generator=g),
                "sdf": torch.randn(NPT, generator=g) * 0.1, "points": torch.randn(NPT, 3, generator=g) * 0.05,
                "loss_weight": w} for w in WEIGHTS[seed]]
    return [outputs, targets], [ROWS, TARGETS], None


LR = 5  # items per list


def rank_batch(seed: int) -> tuple[list, list, list]:
    """Learning to rank, one source per query: scores [B, LR]; graded relevance, -1 padding."""
    g = _gen(seed + 1300)
    b = len(SOURCES[seed])
    rel = torch.randint(0, 3, (b, LR), generator=g)
    for r in range(b):
        rel[r, LR - r % 2:] = -1
        rel[r, 0] = 2
    return [{"scores": _leaf(b, LR, g=g)}, {"relevance": rel}], [ROWS, ROWS], SOURCES[seed]


# -- pose, audio ----------------------------------------------------------------------------------


def wing_on_landmarks_and_nme_over_interocular_distance(outputs, targets):
    """Face alignment: the Wing loss of each landmark coordinate (``w * log(1 + |x| / eps)`` under
    ``w``, ``|x| - C`` above it, ``torch.where``), summed over coordinates and landmarks, mean over
    images, each image's sum times its ``loss_weight`` (a tensor of the targets' weights); the
    normalised mean error logged under ``torch.no_grad``: each image's mean landmark distance over
    its inter-ocular distance (landmarks 0 and 1), mean."""
    w, eps = 0.1, 0.02
    c = w - w * math.log(1 + w / eps)
    gt = _stack(targets, "landmarks")
    x = (outputs["landmarks"] - gt).abs()
    wing = torch.where(x < w, w * torch.log(1 + x / eps), x - c)
    with torch.no_grad():
        iod = (gt[:, 0] - gt[:, 1]).norm(dim=-1)
        nme = ((outputs["landmarks"] - gt).norm(dim=-1).mean(1) / iod).mean()
    weights = torch.tensor([t["loss_weight"] for t in targets])
    return {"loss_wing": (wing.sum((1, 2)) * weights).mean(), "nme": nme}


def _si_sdr(est: torch.Tensor, ref: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    est = est - est.mean(-1, keepdim=True)
    ref = ref - ref.mean(-1, keepdim=True)
    proj = (est * ref).sum(-1, keepdim=True) * ref / (ref.pow(2).sum(-1, keepdim=True) + eps)
    noise = est - proj
    return 10 * torch.log10(proj.pow(2).sum(-1) / (noise.pow(2).sum(-1) + eps) + eps)


def permutation_invariant_si_sdr_with_reordered_sources(model, batch):
    """Speech separation: SI-SDR (zero-mean, projection on the reference) of every speaker order
    (``itertools.permutations``), mean over speakers, the best order per utterance (``max``), the
    negative mean; the sources reordered by the best permutation (a table of permutations indexed
    by the argmax, ``index_select`` per utterance) and the SI-SDR improvement over the mixture."""
    est, ref = model["sep"], batch["sources"]
    perms = torch.tensor(list(itertools.permutations(range(NSPK))))
    per = torch.stack([_si_sdr(est[:, p], ref).mean(-1) for p in perms], 1)
    best, idx = per.max(1)
    reordered = torch.stack([torch.index_select(s, 0, p) for s, p in zip(est, perms[idx])])
    with torch.no_grad():
        base = _si_sdr(batch["mix"][:, None].expand_as(ref), ref)
        improvement = (_si_sdr(reordered, ref) - base).mean()
    return {"loss_pit": -best.mean(), "si_sdr_i": improvement}


def tacotron_masked_mel_postnet_mse_and_gate_bce_with_pos_weight(model, batch):
    """A TTS decoder: a sequence mask from the mel lengths (``arange < len``) expanded over the mel
    bins, MSE of the decoder's and the postnet's mel summed over the masked values over the mask's
    sum; the stop-token BCE of ``gate.view(-1, 1)`` with ``pos_weight`` 5."""
    mask = (torch.arange(TT)[None] < batch["mel_len"][:, None]).unsqueeze(2).float().expand_as(batch["mel"])
    mel = F.mse_loss(model["mel"] * mask, batch["mel"] * mask, reduction="sum") / mask.sum()
    post = F.mse_loss(model["post"] * mask, batch["mel"] * mask, reduction="sum") / mask.sum()
    gate = F.binary_cross_entropy_with_logits(model["gate"].view(-1, 1), batch["gate"].view(-1, 1),
                                              pos_weight=torch.tensor(5.0))
    return {"loss": mel + post + gate, "loss_mel": mel, "loss_post": post, "loss_gate": gate}


def vits_prior_kl_and_log_duration_over_mask_sums(model, batch):
    """VITS: the KL of the posterior sample under the prior per frame, ``sum(kl * z_mask) /
    sum(z_mask)``; the duration loss ``sum((logw - logw_) ** 2, [1, 2]) / sum(x_mask)`` per
    utterance, summed (``torch.sum(l_length.float())``)."""
    z_mask = (torch.arange(TT)[None] < batch["mel_len"][:, None]).unsqueeze(1).float()
    kl = model["logs_p"] - model["logs_q"] - 0.5
    kl = kl + 0.5 * ((model["z_p"] - model["m_p"]) ** 2) * torch.exp(-2.0 * model["logs_p"])
    kl = torch.sum(kl * z_mask) / torch.sum(z_mask)
    x_mask = (torch.arange(TX)[None] < batch["text_len"][:, None]).unsqueeze(1).float()
    logw_ = torch.log(batch["durations"] + 1e-6) * x_mask
    l_length = torch.sum((model["logw"] - logw_) ** 2, [1, 2]) / torch.sum(x_mask)
    return {"loss_kl": kl, "loss_dur": torch.sum(l_length.float())}


def hifigan_log_mel_l1_feature_matching_and_least_squares_generator(model, batch):
    """A GAN vocoder's generator: the log-mel (reflect-padded ``torch.stft``, magnitude with 1e-9,
    a fixed filterbank ``matmul``, ``log(clamp(min=1e-5))``) L1 times 45; the feature matching
    ``mean(|r - g|)`` over every discriminator's feature maps, times 2; the least-squares
    ``mean((1 - dg) ** 2)`` over the discriminators, the sums started from a Python 0."""

    def log_mel(y):
        pad = (NFFT - HOP) // 2
        y = F.pad(y.unsqueeze(1), (pad, pad), mode="reflect").squeeze(1)
        spec = torch.stft(y, NFFT, hop_length=HOP, win_length=NFFT, window=HANN, center=False, return_complex=True)
        spec = torch.sqrt(spec.real.pow(2) + spec.imag.pow(2) + 1e-9)
        return torch.log(torch.clamp(torch.matmul(MEL_BASIS, spec), min=1e-5))

    loss_mel = F.l1_loss(log_mel(batch["wav"]), log_mel(model["wav"])) * 45
    fm = 0
    for dr, dg in zip(model["fmap_r"], model["fmap_g"]):
        for rl, gl in zip(dr, dg):
            fm += torch.mean(torch.abs(rl - gl))
    gen = 0
    for dg in model["d_g"]:
        gen += torch.mean((1 - dg) ** 2)
    return {"loss_gen_all": gen + fm * 2 + loss_mel, "loss_mel": loss_mel, "loss_fm": fm * 2, "loss_gen": gen}


# -- images, medical ------------------------------------------------------------------------------


def mae_masked_patch_mse_with_norm_pix_and_per_image_noise(outputs, targets):
    """Masked autoencoder: the images patchified (``reshape`` + ``einsum('nchpwq->nhwpqc')``), each
    patch normalised by its mean and variance (``norm_pix_loss``); the mask from each image's noise
    (``argsort`` twice, ``ones`` with the first ``len_keep`` columns zeroed, ``gather`` by the
    restore ids); the patch MSE mean over pixels, summed over masked patches over the mask's sum."""
    imgs = _stack(targets, "image")
    h = w = S // PATCH
    x = imgs.reshape(imgs.shape[0], 3, h, PATCH, w, PATCH)
    x = torch.einsum("nchpwq->nhwpqc", x)
    target = x.reshape(imgs.shape[0], h * w, PATCH ** 2 * 3)
    mean = target.mean(dim=-1, keepdim=True)
    var = target.var(dim=-1, keepdim=True)
    target = (target - mean) / (var + 1.0e-6) ** 0.5
    noise = _stack(targets, "noise")
    n, length = noise.shape
    len_keep = int(length * (1 - 0.75))
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    mask = torch.ones([n, length])
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, dim=1, index=ids_restore)
    loss = (outputs["pred"] - target) ** 2
    loss = loss.mean(dim=-1)
    return {"loss": (loss * mask).sum() / mask.sum()}


def nnunet_deep_supervision_batch_dice_and_ce_with_halving_weights(outputs, targets):
    """Deep supervision: weights ``1 / 2 ** i`` with the lowest resolution's set to 0, normalised;
    per scale the loader's downsampled labels (stacked), CE of ``target[:, 0].long()`` plus the
    batch soft dice without background (one-hot by ``scatter_`` under ``no_grad``, sums over the
    batch and the spatial axes, ``(2 i + 1e-5) / clip(g + p + 1e-5, 1e-8)``, mean over classes,
    negated), skipping scales of weight 0."""
    weights = [1 / (2 ** i) for i in range(len(outputs["ds"]))]
    weights[-1] = 0
    total = sum(weights)
    weights = [w / total for w in weights]
    loss = 0
    for i, (w, logits) in enumerate(zip(weights, outputs["ds"])):
        if w == 0:
            continue
        target = torch.stack([t["segs"][i] for t in targets])
        ce = F.cross_entropy(logits, target[:, 0].long())
        x = logits.softmax(1)
        with torch.no_grad():
            y = torch.zeros(x.shape, dtype=torch.bool).scatter_(1, target.long(), 1)[:, 1:]
            sum_gt = y.sum([0, 2, 3])
        x = x[:, 1:]
        intersect = (x * y).sum([0, 2, 3])
        sum_pred = x.sum([0, 2, 3])
        dc = (2 * intersect + 1e-5) / torch.clip(sum_gt + sum_pred + 1e-5, 1e-8)
        loss = loss + w * (ce - dc.mean())
    return {"loss": loss}


IDENTITY = F.affine_grid(torch.eye(2, 3)[None], [1, 1, S, S], align_corners=True)


def voxelmorph_local_ncc_and_diffusion_regulariser(outputs, targets):
    """Registration: the moving image warped by ``grid_sample`` at the identity grid plus the flow;
    the local normalised cross-correlation with a 5x5 window (``conv2d`` of I, J, I², J², IJ with a
    ones filter), ``-mean(cc)``; the diffusion regulariser ``mean(dx²) + mean(dy²)`` of the flow's
    forward differences over 2."""
    moving, fixed, flow = _stack(targets, "moving"), _stack(targets, "fixed"), outputs["flow"]
    grid = IDENTITY.expand(flow.shape[0], -1, -1, -1) + flow.permute(0, 2, 3, 1)
    warped = F.grid_sample(moving, grid, align_corners=True)
    win = 5
    filt = torch.ones(1, 1, win, win)
    i_, j_ = fixed, warped

    def box(v):
        return F.conv2d(v, filt, padding=win // 2)

    i_sum, j_sum, i2_sum, j2_sum, ij_sum = box(i_), box(j_), box(i_ * i_), box(j_ * j_), box(i_ * j_)
    size = win * win
    u_i, u_j = i_sum / size, j_sum / size
    cross = ij_sum - u_j * i_sum - u_i * j_sum + u_i * u_j * size
    i_var = i2_sum - 2 * u_i * i_sum + u_i * u_i * size
    j_var = j2_sum - 2 * u_j * j_sum + u_j * u_j * size
    ncc = -torch.mean(cross * cross / (i_var * j_var + 1e-5))
    dy = torch.abs(flow[:, :, 1:, :] - flow[:, :, :-1, :])
    dx = torch.abs(flow[:, :, :, 1:] - flow[:, :, :, :-1])
    grad = (torch.mean(dx * dx) + torch.mean(dy * dy)) / 2.0
    return {"loss": ncc + 0.01 * grad, "loss_ncc": ncc, "loss_grad": grad}


def _unfold_without_centre(x: torch.Tensor, k: int, d: int) -> torch.Tensor:
    u = F.unfold(x, kernel_size=k, padding=(k + (d - 1) * (k - 1)) // 2, dilation=d)
    u = u.reshape(x.size(0), x.size(1), -1, x.size(2), x.size(3))
    return torch.cat((u[:, :, :k * k // 2], u[:, :, k * k // 2 + 1:]), dim=2)


def boxinst_projection_dice_and_pairwise_colour_affinity(outputs, targets):
    """Box-supervised instance masks: the projection loss, dice (squared denominators) of the
    mask's and the box's max along each axis, mean; the pairwise loss, the log-probability that
    each pixel and its 8 dilated neighbours (``F.unfold`` without the centre) share a label
    (``max`` + ``log(exp + exp)``), over neighbours of similar colour inside the box
    (``exp(-||Δlab|| / 2) >= 0.3`` times the box), summed over their count (``clamp(min=1)``)."""
    logits, boxes = outputs["mask"], _stack(targets, "box_mask")
    scores = logits.sigmoid()

    def dice(x, y):
        return 1 - 2 * (x * y).sum(1) / ((x ** 2).sum(1) + (y ** 2).sum(1) + 1e-5)

    proj_x = dice(scores.max(dim=3, keepdim=True)[0].flatten(1), boxes.max(dim=3, keepdim=True)[0].flatten(1))
    proj_y = dice(scores.max(dim=2, keepdim=True)[0].flatten(1), boxes.max(dim=2, keepdim=True)[0].flatten(1))
    log_fg, log_bg = F.logsigmoid(logits), F.logsigmoid(-logits)
    same_fg = log_fg[:, :, None] + _unfold_without_centre(log_fg, 3, 2)
    same_bg = log_bg[:, :, None] + _unfold_without_centre(log_bg, 3, 2)
    top = torch.max(same_fg, same_bg)
    log_same = torch.log(torch.exp(same_fg - top) + torch.exp(same_bg - top)) + top
    lab = _stack(targets, "lab")
    sim = torch.exp(-torch.norm(lab[:, :, None] - _unfold_without_centre(lab, 3, 2), dim=1) * 0.5)
    weights = (sim >= 0.3).float() * boxes
    pairwise = -(log_same[:, 0] * weights).sum() / weights.sum().clamp(min=1.0)
    return {"loss_prj": (proj_x + proj_y).mean(), "loss_pairwise": pairwise}


def glow_bits_per_dim_with_logdet_and_bin_count(outputs, targets):
    """A normalising flow: the objective ``logdet - log(n_bins) * pixels + log N(z; 0, 1)`` summed
    per image (``zeros_like(logdet)`` plus each term), ``pixels = C * H * W`` from ``z.size(1..3)``,
    bits per dim ``-objective / float(log(2) * pixels)``, mean."""
    z, logdet = outputs["z"], outputs["logdet"]
    pixels = z.size(1) * z.size(2) * z.size(3)
    objective = torch.zeros_like(logdet)
    objective += float(-math.log(32) * pixels)
    objective += logdet
    objective += (-0.5 * (math.log(2 * math.pi) + z ** 2)).sum(dim=[1, 2, 3])
    nll = (-objective) / float(math.log(2.0) * pixels)
    return {"loss_bpd": torch.mean(nll)}


GRAD_X = torch.tensor([[0.0, 0.0], [-1.0, 1.0]]).view(1, 1, 2, 2)
GRAD_Y = GRAD_X.transpose(2, 3)


def retinex_decomposition_reconstruction_and_structure_aware_smoothness(outputs, targets):
    """Retinex decomposition: reflectance times the illumination repeated over 3 channels
    (``cat``) against both images of the pair, the cross terms times 0.001, the reflectances
    equal (one detached); the illumination's gradients (``conv2d`` with 2x2 difference kernels,
    ``abs``) times ``exp(-10 * avg_pool(gradient of the reflectance's luma))``, mean."""
    low, high = _stack(targets, "low"), _stack(targets, "high")
    r_low, i_low, r_high, i_high = (outputs[k] for k in ("R_low", "I_low", "R_high", "I_high"))
    i_low3, i_high3 = torch.cat([i_low, i_low, i_low], dim=1), torch.cat([i_high, i_high, i_high], dim=1)

    def gradient(x, kernel):
        return torch.abs(F.conv2d(x, kernel, stride=1, padding=1))

    def smooth(i, r):
        r = 0.299 * r[:, 0:1] + 0.587 * r[:, 1:2] + 0.114 * r[:, 2:3]
        return torch.mean(gradient(i, GRAD_X) * torch.exp(-10 * F.avg_pool2d(gradient(r, GRAD_X), 3, 1, 1))
                          + gradient(i, GRAD_Y) * torch.exp(-10 * F.avg_pool2d(gradient(r, GRAD_Y), 3, 1, 1)))

    recon = F.l1_loss(r_low * i_low3, low) + F.l1_loss(r_high * i_high3, high)
    mutual = 0.001 * F.l1_loss(r_high * i_low3, low) + 0.001 * F.l1_loss(r_low * i_high3, high)
    equal = F.l1_loss(r_low, r_high.detach())
    smoothness = smooth(i_low, r_low) + smooth(i_high, r_high)
    return {"loss_decom": recon + mutual + 0.1 * smoothness + 0.01 * equal, "loss_smooth": smoothness}


# -- detection ------------------------------------------------------------------------------------


def pointpillars_per_image_positive_normaliser_focal_sin_difference_and_direction(outputs, targets):
    """Anchor-based 3-D detection: ``batch_size = int(cls.shape[0])``; class weights (positives and
    negatives) and box weights (positives) divided in place by each image's positive count
    (``sum(1, keepdim=True)``, ``clamp(min=1)``); focal over the one-hot without background, the
    heading by sine difference (``sin a cos b`` vs ``cos a sin b`` joined by ``cat``) in a smooth L1
    written out, the direction CE; each weighted, summed, over ``batch_size``."""
    labels, box_t = _stack(targets, "anchor_labels"), _stack(targets, "anchor_boxes")
    batch_size = int(outputs["cls"].shape[0])
    positives, negatives = labels > 0, labels == 0
    cls_weights = (negatives * 1.0 + positives * 1.0).float()
    reg_weights = positives.float()
    pos_normalizer = positives.sum(1, keepdim=True).float()
    reg_weights /= torch.clamp(pos_normalizer, min=1.0)
    cls_weights /= torch.clamp(pos_normalizer, min=1.0)
    cls_t = labels * (labels >= 0).type_as(labels)
    onehot = torch.zeros(*labels.shape, NCD + 1).scatter_(-1, cls_t.unsqueeze(-1).long(), 1.0)[..., 1:]
    cls_loss = (_focal(outputs["cls"], onehot) * cls_weights.unsqueeze(-1)).sum() / batch_size
    pred = outputs["box"]
    rad_p = torch.sin(pred[..., 6:7]) * torch.cos(box_t[..., 6:7])
    rad_t = torch.cos(pred[..., 6:7]) * torch.sin(box_t[..., 6:7])
    diff = torch.cat([pred[..., :6], rad_p], -1) - torch.cat([box_t[..., :6], rad_t], -1)
    n = torch.abs(diff)
    loc = torch.where(n < 1 / 9, 0.5 * n ** 2 * 9, n - 0.5 / 9)
    loc_loss = (loc * reg_weights.unsqueeze(-1)).sum() / batch_size
    dir_t = (box_t[..., 6] > 0).long()
    dir_loss = (F.cross_entropy(outputs["dir"].transpose(1, 2), dir_t, reduction="none") * reg_weights).sum() / batch_size
    return {"loss_cls": cls_loss, "loss_loc": loc_loss * 2.0, "loss_dir": dir_loss * 0.2}


STAGE_WEIGHTS = (1.0, 0.5, 0.25)


def cascade_stage_losses_times_stage_weights_over_host_read_counts(outputs, targets):
    """A cascade of three box heads over each image's sampled RoIs (flattened ``[B * R, ...]``):
    per stage the class CE summed over the count of positive label weights read with ``.item()``
    (``max(.., 1.)``), the smooth L1 of the foreground RoIs' deltas summed over the number of
    sampled RoIs (``bbox_targets.size(0)``); each stage's losses times its weight (1, 0.5, 0.25),
    keys ``s{i}.loss_cls`` / ``s{i}.loss_bbox``."""
    losses = {}
    for i, w in enumerate(STAGE_WEIGHTS):
        labels = torch.cat([t["roi_labels"][i] for t in targets])
        label_weights = torch.cat([t["roi_label_weights"][i] for t in targets])
        bbox_targets = torch.cat([t["roi_deltas"][i] for t in targets])
        cls = outputs["stage_cls"][i].flatten(0, 1)
        avg_factor = max(torch.sum(label_weights > 0).float().item(), 1.0)
        loss_cls = (F.cross_entropy(cls, labels, reduction="none") * label_weights).sum() / avg_factor
        pos = (labels >= 0) & (labels < NCD)
        pred = outputs["stage_box"][i].flatten(0, 1)[pos]
        loss_bbox = F.smooth_l1_loss(pred, bbox_targets[pos], beta=1.0, reduction="sum") / bbox_targets.size(0)
        losses[f"s{i}.loss_cls"], losses[f"s{i}.loss_bbox"] = loss_cls * w, loss_bbox * w
    return losses


def bmn_start_end_bce_with_the_batch_positive_ratio(outputs, targets):
    """Temporal action proposals: start and end probabilities flattened over the batch, positives
    ``gt > 0.5``, ``ratio = len(pmask) / sum(pmask)`` and coefficients ``0.5 ratio / (ratio - 1)``,
    ``0.5 ratio`` weighting the log-likelihoods, ``-mean``."""

    def bi_loss(pred, gt):
        pred, gt = pred.view(-1), gt.view(-1)
        pmask = (gt > 0.5).float()
        ratio = len(pmask) / torch.sum(pmask)
        coef_0, coef_1 = 0.5 * ratio / (ratio - 1), 0.5 * ratio
        loss_pos = coef_1 * torch.log(pred + 1e-6) * pmask
        loss_neg = coef_0 * torch.log(1.0 - pred + 1e-6) * (1.0 - pmask)
        return -1 * torch.mean(loss_pos + loss_neg)

    start = bi_loss(outputs["start"], _stack(targets, "start"))
    end = bi_loss(outputs["end"], _stack(targets, "end"))
    return {"loss_tem": start + end, "loss_start": start, "loss_end": end}


# -- classification, semi-supervised, recommendation, ranking -------------------------------------


def decoupled_kd_target_and_non_target_kl_over_batch_size(model, batch):
    """Decoupled distillation: target-class and other-class masks by ``scatter_``, the binary
    (target / rest) probabilities ``cat`` of masked sums, ``kl_div(log, p, size_average=False) * T²
    / target.shape[0]``; the non-target KL with the target logit pushed down by ``1000 * mask``;
    warm-up ``min(epoch / 20, 1)``; the CE."""
    ls, lt, target = model["logits"], batch["teacher"], batch["y"]
    temp, epoch = 4.0, 5
    gt_mask = torch.zeros_like(ls).scatter_(1, target.reshape(-1).unsqueeze(1), 1).bool()
    other_mask = torch.ones_like(ls).scatter_(1, target.reshape(-1).unsqueeze(1), 0).bool()

    def cat_mask(t, m1, m2):
        return torch.cat([(t * m1).sum(dim=1, keepdims=True), (t * m2).sum(1, keepdims=True)], dim=1)

    ps = cat_mask(F.softmax(ls / temp, dim=1), gt_mask, other_mask)
    pt = cat_mask(F.softmax(lt / temp, dim=1), gt_mask, other_mask)
    tckd = F.kl_div(torch.log(ps), pt, size_average=False) * (temp ** 2) / target.shape[0]
    pt2 = F.softmax(lt / temp - 1000.0 * gt_mask, dim=1)
    ls2 = F.log_softmax(ls / temp - 1000.0 * gt_mask, dim=1)
    nckd = F.kl_div(ls2, pt2, size_average=False) * (temp ** 2) / target.shape[0]
    return {"loss_ce": F.cross_entropy(ls, target), "loss_kd": min(epoch / 20, 1.0) * (1.0 * tckd + 8.0 * nckd)}


def fixmatch_confidence_masked_pseudo_label_ce(model, batch):
    """Semi-supervised: the labelled CE; pseudo-labels from the weak view's detached softmax
    (``max``), a mask ``max_probs.ge(0.5).float()``, the strong view's CE times the mask, mean; the
    mask's mean logged."""
    lx = F.cross_entropy(model["logits"], batch["y"], reduction="mean")
    pseudo = torch.softmax(model["logits_w"].detach() / 1.0, dim=-1)
    max_probs, targets_u = torch.max(pseudo, dim=-1)
    mask = max_probs.ge(0.5).float()
    lu = (F.cross_entropy(model["logits_s"], targets_u, reduction="none") * mask).mean()
    return {"loss": lx + 1.0 * lu, "loss_x": lx, "loss_u": lu, "mask_prob": mask.mean()}


def evidential_dirichlet_mse_with_annealed_kl(model, batch):
    """Evidential classification: ``alpha = relu(out) + 1``, the Dirichlet's expected squared error
    and variance, the KL of the misleading evidence to the uniform Dirichlet (``lgamma``,
    ``digamma``) annealed by ``min(1, epoch / 10)`` as tensors; mean; the uncertainty ``K / S``."""
    y = F.one_hot(batch["y"], NCLS).float()
    alpha = F.relu(model["logits"]) + 1
    s = alpha.sum(dim=1, keepdim=True)
    err = ((y - alpha / s) ** 2).sum(dim=1, keepdim=True)
    var = (alpha * (s - alpha) / (s * s * (s + 1))).sum(dim=1, keepdim=True)
    annealing = torch.min(torch.tensor(1.0), torch.tensor(5 / 10))
    kl_alpha = (alpha - 1) * (1 - y) + 1
    ones = torch.ones([1, NCLS])
    s_kl = kl_alpha.sum(dim=1, keepdim=True)
    first = (torch.lgamma(s_kl) - torch.lgamma(kl_alpha).sum(dim=1, keepdim=True)
             + torch.lgamma(ones).sum(dim=1, keepdim=True) - torch.lgamma(ones.sum(dim=1, keepdim=True)))
    second = ((kl_alpha - ones) * (torch.digamma(kl_alpha) - torch.digamma(s_kl))).sum(dim=1, keepdim=True)
    loss = torch.mean(err + var + annealing * (first + second))
    return {"loss_edl": loss, "uncertainty": (NCLS / s).mean().detach()}


def esmm_ctr_and_ctcvr_through_the_product_and_batch_auc(model, batch):
    """Entire-space multi-task: ``p_ctcvr = p_ctr * p_cvr``, BCE of the click on ``p_ctr`` and of
    click-and-convert on ``p_ctcvr`` (``F.binary_cross_entropy``); the batch AUC of the click head
    (every positive against every negative) logged."""
    p_ctr, p_cvr = torch.sigmoid(model["ctr"]), torch.sigmoid(model["cvr"])
    l_ctr = F.binary_cross_entropy(p_ctr, batch["click"])
    l_ctcvr = F.binary_cross_entropy(p_ctr * p_cvr, batch["click"] * batch["conv"])
    with torch.no_grad():
        pos, neg = p_ctr[batch["click"] > 0.5], p_ctr[batch["click"] < 0.5]
        auc = (pos[:, None] > neg[None]).float().mean()
    return {"loss": l_ctr + l_ctcvr, "loss_ctr": l_ctr, "loss_ctcvr": l_ctcvr, "auc_ctr": auc}


def approx_ndcg_with_sigmoid_soft_ranks_per_list(model, batch):
    """Listwise ranking: padded items' scores filled low, soft ranks ``0.5 + sum_j sigmoid(alpha (s_j
    - s_i))`` over the list's real items, gains ``2 ** rel - 1``, DCG over ``log2(1 + rank)``, the
    ideal DCG from the gains sorted per list, ``-mean(dcg / idcg)``; the hard NDCG@3 of the scores'
    order (``argsort``, ``gather``) logged."""
    rel, mask = batch["relevance"], batch["relevance"] >= 0
    s = model["scores"].masked_fill(~mask, -1e4)
    gains = (2 ** rel.clamp(min=0).float() - 1) * mask
    approx_rank = 0.5 + (torch.sigmoid(10.0 * (s[:, None, :] - s[:, :, None])) * mask[:, None, :]).sum(-1)
    dcg = (gains / torch.log2(1 + approx_rank)).sum(-1)
    discount = torch.log2(torch.arange(LR) + 2.0)
    ideal = (torch.sort(gains, descending=True, dim=-1)[0] / discount).sum(-1)
    with torch.no_grad():
        order = torch.argsort(s, dim=-1, descending=True)
        hard = (gains.gather(1, order)[:, :3] / discount[:3]).sum(-1)
    return {"loss_approx_ndcg": -(dcg / ideal.clamp(min=1e-10)).mean(), "ndcg@3": (hard / ideal).mean()}


# -- reinforcement learning, language models ------------------------------------------------------


CLIPFRACS: list[float] = []


def ppo_gae_by_reverse_time_loop_clipped_surrogate_and_value(model, batch):
    """PPO: advantages by GAE under ``no_grad`` (a reverse loop over steps writing ``adv[:, t]`` into
    ``zeros_like(rewards)``), returns; the clipped surrogate with raw advantages and with
    advantages standardised over the batch; the value MSE times 0.5; the approximate KL and the
    clip fraction logged, the clip fraction also appended to a list with ``.item()`` as CleanRL's
    loop does."""
    values, rewards, dones = model["values"], batch["rewards"], batch["dones"]
    with torch.no_grad():
        adv = torch.zeros_like(rewards)
        last = torch.zeros_like(rewards[:, 0])
        for t in reversed(range(rewards.shape[1])):
            nonterminal = 1.0 - dones[:, t]
            delta = rewards[:, t] + 0.99 * values[:, t + 1] * nonterminal - values[:, t]
            last = delta + 0.99 * 0.95 * nonterminal * last
            adv[:, t] = last
        returns = adv + values[:, :-1]
    ratio = (model["logp"] - batch["old_logp"]).exp()
    pg = torch.max(-adv * ratio, -adv * torch.clamp(ratio, 0.8, 1.2)).mean()
    norm = (adv - adv.mean()) / (adv.std() + 1e-8)
    pg_norm = torch.max(-norm * ratio, -norm * torch.clamp(ratio, 0.8, 1.2)).mean()
    with torch.no_grad():
        approx_kl = ((ratio - 1) - ratio.log()).mean()
        clipfrac = ((ratio - 1.0).abs() > 0.2).float().mean()
        CLIPFRACS.append(clipfrac.item())
    return {"loss_pg": pg, "loss_pg_norm": pg_norm, "loss_v": 0.5 * ((values[:, :-1] - returns) ** 2).mean(),
            "approx_kl": approx_kl, "clipfrac": clipfrac}


def double_dqn_huber_td_with_importance_weights(model, batch):
    """Double DQN: the taken action's Q (``gather``), the target from the online network's argmax
    evaluated by the target network under ``no_grad``, the Huber loss per transition times the
    replay's importance weights, mean; the mean absolute TD error and mean Q logged."""
    q = model["q"].gather(1, batch["action"][:, None]).squeeze(1)
    with torch.no_grad():
        a_star = batch["q_next"].argmax(1, keepdim=True)
        target = batch["reward"] + 0.99 * (1 - batch["done"]) * batch["q_target_next"].gather(1, a_star).squeeze(1)
    loss = (batch["is_weight"] * F.smooth_l1_loss(q, target, reduction="none")).mean()
    return {"loss_td": loss, "td_abs": (q - target).abs().mean().detach(), "q_mean": q.mean().detach()}


def sft_ce_on_assistant_tokens_from_the_template_mask(model, batch):
    """Chat SFT: labels the input ids with every non-assistant and padding token set to -100
    (boolean writes), shifted; the CE mean over counted tokens; the per-sequence mean of token
    losses (``reduction='none'`` on ``[B, V, T]``, masked sum over the row's count, ``clamp``), mean;
    the count of trained tokens logged."""
    labels = batch["input_ids"].clone()
    labels[batch["assistant_masks"] == 0] = -100
    labels[batch["attention_mask"] == 0] = -100
    logits, labels = model["logits"][..., :-1, :].contiguous(), labels[..., 1:].contiguous()
    loss = F.cross_entropy(logits.view(-1, V), labels.view(-1))
    m = labels != -100
    per = F.cross_entropy(logits.transpose(1, 2), labels, reduction="none")
    seq = (per * m).sum(1) / m.sum(1).clamp(min=1)
    return {"loss": loss, "loss_seq_mean": seq.mean(), "num_tokens": m.sum().float()}


def rloo_leave_one_out_baseline_over_each_prompts_completions(model, batch):
    """RLOO: each completion's log-prob (gathered labels, masked sum); under ``no_grad`` the reward
    minus 0.05 times the KL to the reference, reshaped ``(k, -1)``, the baseline the other
    completions' mean ``(sum(0) - r) / (k - 1)``, advantages flattened; ``-(adv * logp).mean()``;
    the KL and the score logged."""
    labels = batch["labels"][:, 1:]
    m = labels != -100
    tok = model["logits"][:, :-1].log_softmax(-1).gather(2, labels.clamp(min=0)[..., None]).squeeze(2)
    logp = (tok * m).sum(1)
    with torch.no_grad():
        kl = logp - batch["ref_logp"]
        r = (batch["scores"] - 0.05 * kl).reshape(RLOO_K, -1)
        adv = (r - (r.sum(0) - r) / (RLOO_K - 1)).flatten()
    return {"loss_rloo": -(adv * logp).mean(), "kl": kl.mean(), "score": batch["scores"].mean()}


# -- forecasting, 3-D -----------------------------------------------------------------------------


def negative_binomial_nll_with_mean_scaling_and_tweedie(model, batch):
    """Count forecasting: each series' scale ``1 +`` its observed context's mean; the negative
    binomial (``softplus`` mean times the scale, dispersion over its square root) log-likelihood
    with ``lgamma``, weighted by the observed future, summed over its sum (``clamp(min=1)``); the
    Tweedie deviance (power 1.5) of the log-mean, mean."""
    obs = batch["past_obs"]
    scale = 1 + (batch["past"] * obs).sum(1, keepdim=True) / obs.sum(1, keepdim=True).clamp(min=1)
    mu = F.softplus(model["mu"]) * scale
    r = 1.0 / (F.softplus(model["alpha"]) / scale.sqrt())
    y = batch["future"]
    ll = (torch.lgamma(y + r) - torch.lgamma(y + 1) - torch.lgamma(r) + r * torch.log(r / (r + mu))
          + y * torch.log(mu / (r + mu)))
    w = batch["future_obs"]
    log_mu = torch.log(mu)
    tweedie = -y * torch.exp(log_mu * (1 - 1.5)) / (1 - 1.5) + torch.exp(log_mu * (2 - 1.5)) / (2 - 1.5)
    return {"loss_nb": -(ll * w).sum() / w.sum().clamp(min=1.0), "loss_tweedie": tweedie.mean()}


def soft_dtw_recursion_over_cells_batched_over_series(model, batch):
    """Soft-DTW: squared distances of the forecast and the future (``cdist`` of ``[B, T, 1]``), the
    recursion ``R[i][j] = D[:, i-1, j-1] - gamma logsumexp(-stack(3 neighbours) / gamma)`` over a
    table of ``[B]`` tensors started from ``torch.full((B,), inf)`` and ``zeros(B)``; the last
    cell's mean; the MSE next to it."""
    x, y = model["forecast"], batch["future"]
    d = torch.cdist(x.unsqueeze(-1), y.unsqueeze(-1)) ** 2
    b, n, m = d.shape
    gamma = 0.1
    inf = torch.full((b,), float("inf"))
    table = [[inf] * (m + 1) for _ in range(n + 1)]
    table[0][0] = torch.zeros(b)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            prev = torch.stack([table[i - 1][j - 1], table[i - 1][j], table[i][j - 1]], -1)
            table[i][j] = d[:, i - 1, j - 1] - gamma * torch.logsumexp(-prev / gamma, dim=-1)
    return {"loss_sdtw": table[n][m].mean(), "loss_mse": F.mse_loss(x, y)}


def occupancy_bce_summed_over_points_and_latent_kl(outputs, targets):
    """Occupancy networks: the KL of ``Normal(mean, exp(logstd))`` to ``Normal(0, 1)``
    (``torch.distributions.kl_divergence``) summed over the latent, mean; the occupancy BCE
    (``'none'``) summed over points, times each shape's ``loss_weight``, mean; the IoU of thresholded occupancies per shape (``&``,
    ``|``), mean, under ``no_grad``."""
    occ = _stack(targets, "occ")
    q_z = torch.distributions.Normal(outputs["z_mean"], torch.exp(outputs["z_logstd"]))
    p0_z = torch.distributions.Normal(torch.zeros(ZD), torch.ones(ZD))
    kl = torch.distributions.kl_divergence(q_z, p0_z).sum(dim=-1).mean()
    weights = outputs["occ_logits"].new_tensor([t["loss_weight"] for t in targets])
    occ_loss = (F.binary_cross_entropy_with_logits(outputs["occ_logits"], occ, reduction="none").sum(-1) * weights).mean()
    with torch.no_grad():
        pred, gt = outputs["occ_logits"] >= 0, occ >= 0.5
        iou = ((pred & gt).float().sum(-1) / (pred | gt).float().sum(-1).clamp(min=1)).mean()
    return {"loss": kl + occ_loss, "loss_kl": kl, "loss_occ": occ_loss, "iou": iou}


def _sdf(latent: torch.Tensor, pts: torch.Tensor) -> torch.Tensor:
    h = torch.cat([latent[:, None].expand(-1, pts.shape[1], -1), pts], -1)
    return F.linear(F.softplus(F.linear(h, SDF_W1, SDF_B1), beta=100), SDF_W2, SDF_B2).squeeze(-1)


def implicit_geometric_regularisation_eikonal_and_normals(outputs, targets):
    """Implicit surfaces: the shape code with surface and free-space points stacked in the call
    (``requires_grad_()``) through a fixed MLP (``F.linear``, ``softplus(beta=100)``); the SDF's
    gradients at the points (``autograd.grad`` with ``grad_outputs`` of ones, ``create_graph``,
    grad enabled); ``|sdf|`` mean on the surface, the eikonal ``(||grad|| - 1) ** 2`` mean in free
    space, the normals' distance ``||grad - n||`` mean."""
    with torch.enable_grad():
        surf = torch.stack([t["surface"] for t in targets]).requires_grad_()
        free = torch.stack([t["free"] for t in targets]).requires_grad_()
        sp, fp = _sdf(outputs["latent"], surf), _sdf(outputs["latent"], free)
        g_s = torch.autograd.grad(sp, surf, grad_outputs=torch.ones_like(sp), create_graph=True, retain_graph=True)[0]
        g_f = torch.autograd.grad(fp, free, grad_outputs=torch.ones_like(fp), create_graph=True, retain_graph=True)[0]
    mnfld = sp.abs().mean()
    eikonal = ((g_f.norm(2, dim=-1) - 1) ** 2).mean()
    normals = (g_s - _stack(targets, "normals")).norm(2, dim=-1).mean()
    return {"loss": mnfld + 0.1 * eikonal + normals, "loss_mnfld": mnfld, "loss_eikonal": eikonal,
            "loss_normals": normals}


def deepsdf_clamped_l1_over_samples_and_code_regulariser(outputs, targets):
    """DeepSDF: SDF samples flattened (``reshape(-1, 1)``), ``num_sdf_samples = sdf_gt.shape[0]``,
    both sides clamped to ±0.1, L1 (``'none'``) times each sample's shape weight
    (``repeat_interleave`` of the ``loss_weight`` s), summed over the sample count; the codes' norms summed
    (``torch.sum(torch.norm(codes, dim=1))``) times ``1e-4 * min(1, epoch / 100)`` over the same
    count."""
    sdf_gt = _stack(targets, "sdf").reshape(-1, 1)
    num_sdf_samples = sdf_gt.shape[0]
    pred = torch.clamp(outputs["sdf"].reshape(-1, 1), -0.1, 0.1)
    weights = torch.tensor([t["loss_weight"] for t in targets]).repeat_interleave(NPT)[:, None]
    l1 = (F.l1_loss(pred, torch.clamp(sdf_gt, -0.1, 0.1), reduction="none") * weights).sum() / num_sdf_samples
    reg = (1e-4 * min(1, 50 / 100) * torch.sum(torch.norm(outputs["latent"], dim=1))) / num_sdf_samples
    return {"loss": l1 + reg, "loss_sdf": l1, "loss_code": reg}


def point_upsampling_repulsion_among_each_clouds_nearest_and_chamfer(outputs, targets):
    """Point-cloud upsampling: squared distances within each cloud (``cdist ** 2``), the k nearest
    (``(-d).topk(k + 1)`` without the point itself), ``(radius - sqrt(d)) * exp(-d / h²)`` mean; the
    Chamfer distance to the ground truth per cloud (``min`` both ways, ``mean(1)``) times 100,
    mean."""
    pred = outputs["points"]
    d = torch.cdist(pred, pred) ** 2
    dist = torch.clamp(-(-d).topk(4, dim=-1)[0][:, :, 1:], min=1e-12)
    repulsion = torch.mean((0.07 - dist.sqrt()) * torch.exp(-dist / 0.03 ** 2))
    cd = torch.cdist(pred, _stack(targets, "points"))
    chamfer = cd.min(2)[0].mean(1) + cd.min(1)[0].mean(1)
    return {"loss_rep": repulsion, "loss_cd": (chamfer * 100).mean()}


# -- the table ------------------------------------------------------------------------------------


CASES = {c.body.__name__: c for c in [
    Case(wing_on_landmarks_and_nme_over_interocular_distance, face_batch),
    Case(permutation_invariant_si_sdr_with_reordered_sources, audio_batch),
    Case(tacotron_masked_mel_postnet_mse_and_gate_bce_with_pos_weight, audio_batch),
    # split since survey 13: the full sum of per-row values over a batch sum is their sum over it
    Case(vits_prior_kl_and_log_duration_over_mask_sums, audio_batch),
    Case(hifigan_log_mel_l1_feature_matching_and_least_squares_generator, audio_batch),
    Case(mae_masked_patch_mse_with_norm_pix_and_per_image_noise, image_batch),
    Case(nnunet_deep_supervision_batch_dice_and_ce_with_halving_weights, image_batch, gaps=keys("loss@1"),
         why="the scale weight 2/3 equals the mean of batch 1's weights (0.5, 1, 0.5): Tensor.mul by a statistic "
             "of the images' weights declines the call"),
    Case(voxelmorph_local_ncc_and_diffusion_regulariser, image_batch),
    Case(boxinst_projection_dice_and_pairwise_colour_affinity, image_batch),
    Case(glow_bits_per_dim_with_logdet_and_bin_count, image_batch),
    Case(retinex_decomposition_reconstruction_and_structure_aware_smoothness, image_batch),
    Case(pointpillars_per_image_positive_normaliser_focal_sin_difference_and_direction, detection_batch),
    # split since first contact: the float a read returned, divided by as it is, is that read
    Case(cascade_stage_losses_times_stage_weights_over_host_read_counts, detection_batch),
    Case(bmn_start_end_bce_with_the_batch_positive_ratio, detection_batch, keys("loss_tem", "loss_start", "loss_end"),
         why="the coefficients are the batch's ratio of positives (a count over every image)"),
    # split since first contact: the legacy size_average / reduce decide the reduction as in torch
    Case(decoupled_kd_target_and_non_target_kl_over_batch_size, class_batch),
    Case(fixmatch_confidence_masked_pseudo_label_ce, class_batch),
    # split since first contact: ``lgamma`` and ``digamma`` are element-wise ops with a rule
    Case(evidential_dirichlet_mse_with_annealed_kl, class_batch),
    Case(esmm_ctr_and_ctcvr_through_the_product_and_batch_auc, class_batch, keys("auc_ctr"),
         why="the AUC ranks every positive against every negative of the batch"),
    Case(approx_ndcg_with_sigmoid_soft_ranks_per_list, rank_batch),
    Case(ppo_gae_by_reverse_time_loop_clipped_surrogate_and_value, rl_batch, keys("loss_pg_norm"),
         why="advantages standardised by the batch's mean and std"),
    Case(double_dqn_huber_td_with_importance_weights, rl_batch),
    Case(sft_ce_on_assistant_tokens_from_the_template_mask, lm_batch),
    # ``kl`` and ``score`` split since first contact: a reshape mixing the call's own rows loses only what it reaches
    # split since session 35 (grp2): each completion's baseline is the other completions of its prompt,
    # rows ``reshape(RLOO_K, -1)`` makes one column of, each column's rows of one source
    Case(rloo_leave_one_out_baseline_over_each_prompts_completions, rloo_batch),
    Case(negative_binomial_nll_with_mean_scaling_and_tweedie, series_batch),  # split since first contact (lgamma)
    Case(soft_dtw_recursion_over_cells_batched_over_series, series_batch),
    Case(occupancy_bce_summed_over_points_and_latent_kl, shape_batch),
    Case(implicit_geometric_regularisation_eikonal_and_normals, shape_batch),
    Case(deepsdf_clamped_l1_over_samples_and_code_regulariser, shape_batch),
    Case(point_upsampling_repulsion_among_each_clouds_nearest_and_chamfer, shape_batch),
]}


NOW = (365, 21, 2, 0)  # expected, declined, GAP, WRONG (first contact: 365, 68, 44, 0)
globals().update(survey_tests(CASES, range(len(WEIGHTS)), 29, NOW))
