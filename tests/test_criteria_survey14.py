"""Coverage survey 14: public criteria not in the earlier surveys (Hugging Face transformers'
model heads, detectron2's RPN and sigmoid box head, YOLOX, torchvision's FCOS, ultralytics' v8
head, torchmetrics' regression metrics, SigLIP, DINOv2 / iBOT self-distillation, BEiT / SimMIM
masked image modelling, mixture-of-experts router losses); the harness and its vocabulary
(``MIXES``, ``GAP``, ``wrong``, the 3 % target of issue #13) are ``_survey``'s. Each body
reproduces a criterion's ops in code of its own and is decorated from outside; no pattern here
drove a rule.

FIRST_CONTACT (18 patterns, two batches, nothing changed for them): 263 expected companions, 101
declined, 67 GAP (25.5 %), 0 WRONG. No companion differed from the oracle: HF DETR's ``num_boxes``
``clamp(min=1).item()`` with two auxiliary outputs and the ``weight_dict`` total, the three
sequence-classification problem types, multiple choice's ``view(-1, num_choices)`` of
example-major rows, T5's labels shifted right, the old token-classification ``torch.where`` with
a 0-dim ``ignore_index``, wav2vec2's CTC (``masked_select`` targets, conv output lengths,
``zero_infinity``, both reductions) and its mean pooling over unpadded frames, detectron2's
sigmoid-CE box head over ``max(numel, 1.0)``, torchvision's FCOS over ``max(1, .item())``,
torchmetrics' MSLE and cosine similarity, iBOT's per-image masked-patch mean and BEiT / SimMIM all
split exactly. The GAPs, each where the warning names the op: ``Tensor.item`` of detectron2 RPN's
anchor counts, read only for logging, which declines the whole call (16); YOLOX's ``num_fg +=
int(fg_mask.sum())`` per image, a host-read number that reaches several images' losses "at mul"
(whole call, 20); ultralytics v8's terms written into ``loss = torch.zeros(3)`` through
``Tensor.__setitem__`` on 4 images, and on 3 images an internal error at ``Tensor.matmul`` (the
DFL's ``softmax(-1).matmul(proj)`` of ``[B, A, 4, REG]`` by ``[REG]``; dict unchanged, no key
named; 16); DINO's and iBOT's CLS terms over crop-major ``[NCROP * B, K]`` outputs (``chunk`` of
``torch.cat``ed crops), whose first dim is not the number of images, so no row is read as an
image's (no key named: "no returned key could be attributed"; iBOT's total named at
``Tensor.add``; 15). The other 34 declines mix images: the MoE load-balancing loss (each expert's
share of the batch's tokens), torchmetrics' relative squared error and R2 (deviation from the
batch's mean), SigLIP's all-pairs sigmoid, DINOv2's Sinkhorn-Knopp over the batch and KoLeo's
nearest neighbour in the batch.

Since: the internal error at ``Tensor.matmul`` (a matrix product by a vector mapped the images'
dim to the wrong output dim) is fixed (``test_a_matrix_product_with_a_vector_keeps_the_images``);
the v8 body then still declined at ``Tensor.__setitem__``. Its buffer of losses splits since
(16): reduced losses written by position into a small ``torch.zeros`` / ``torch.empty`` buffer,
each position scaled in place (``loss[0] *= gain``: read, ``mul_`` of the view, written back), read
back per position (``loss.detach()[i]``, ``loss[i]``) and summed times ``pred.shape[0]``, each
position one ratio of its own (``test_rules_indexing.py``: ``test_a_buffer_of_losses_scaled_and_read_by_position``).
The DINO / iBOT declines stay (15), as they should: the crop-major outputs are
passed in already joined, and a first dim of NCROP times the images cannot tell crop-major rows
from image-major ones (reading them by size would be silently wrong for ``[B * NCROP]`` rows);
the same terms with the crops passed as a list and ``torch.cat``ed in the body split exactly
since (``test_rules_shape.py::test_crops_joined_and_cut_back_keep_each_crops_images``), and
each of these keys is now declined with a warning naming it and the joined argument's shape
(they were declined without one). A number ``.item()`` returns whose every
use the body's code proves to be Python arithmetic with plain numbers or ``torch.tensor``
(detectron2 RPN's ``torch.tensor(num_pos_anchors / num_images)``) no longer declines the call: the
RPN's two losses split on 3 images; the two anchor-count keys made of the reads get no companion
(8: the value of a Python number is not followed into a tensor). On 4 images the losses' normaliser
``batch_size_per_image * num_images`` = 16, 4 x the images with a factor equal to their count, was
declined per key (4); it splits since the division's code shows a constant times ``len`` of the
stacked labels (``test_rules_row_count.py::test_a_sum_over_a_constant_times_a_length_of_image_rows_divides_by_the_group_s_count``).
YOLOX's ``num_fg += num_fg_img`` splits (16): the per-image reads added up in a
loop are each group's own sum where the body's code shows every image's read added once (empty
images and equal counts included), the literal slices ``xyxy[:, :2]`` after an image's read set
no size, and ``reg_weight * loss_iou`` is a parameter of the body however a read equals it; its
logged ``torch.tensor(num_fg / max(num_gts, 1))`` declines with a warning (4).
Then: 263 expected, 61 declined, 27 GAP (10.3 %), 0 WRONG. Since (s24gap): the RPN's anchor-count
keys split (8): ``pos_mask.sum().item()`` read for logging is, on a group alone, the group's sum,
and ``/ num_images`` with ``num_images = len(gt_labels)`` (a local stored from the length of the
stacked labels) its count of images; ``torch.tensor`` of that number is the expression of the two
(``tests/test_rules_host_numbers.py``). Then: 263 expected, 53 declined, 19 GAP (7.2 %), 0 WRONG.
NOW (cov39b): YOLOX's logged ``torch.tensor(num_fg / max(num_gts, 1))`` splits (4): a one-element
tensor of Python arithmetic (``+ - * /``, the builtin ``max`` with a literal, ``float``) of literals
and of running sums the code proves added once per image in a loop (``num_fg += num_fg_img``, a
read; ``num_gts += len(gt)``, a size), floored after it as written, is that expression of the
group's sums, each sum's numbers found per image by value (``tests/test_rules_running_sums.py``, with
near misses). 263 expected, 49 declined, 15 GAP (5.7 %), 0 WRONG. Left: DINO's and iBOT's crop-major
``[NCROP * B, K]`` outputs passed in joined (15), which no size tells from image-major rows.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from _helpers import KEEP, PER_IMAGE, ROWS, TARGETS, Owned
from _survey import Case, keys, sinkhorn, survey_tests
from _survey import gen as _gen
from _survey import leaf as _leaf
from _survey import stack as _stack

WEIGHTS = ([0.5, 1.0, 1.0, 0.5], [1.0, 0.5, 0.5])
SOURCES = (["web", "book", "web", "code"], ["book", "web", "book"])
NC = 4  # foreground classes


# -- batches --------------------------------------------------------------------------------------


def _boxes(n: int, g: torch.Generator) -> torch.Tensor:
    """``n`` valid xyxy boxes in [0, 1]."""
    xy = torch.rand(n, 2, generator=g) * 0.5
    return torch.cat([xy, xy + 0.1 + torch.rand(n, 2, generator=g) * 0.4], 1)


NQ = 5  # queries


def query_batch(seed: int) -> tuple[list, list, None]:
    """A DETR head as Hugging Face writes it: ``logits`` [B, NQ, NC + 1], ``pred_boxes`` (cxcywh,
    sigmoid) and two ``auxiliary_outputs``; per image ``class_labels`` and ``boxes`` (1 to 3) and
    the matcher's (query, target) indices."""
    g = _gen(seed + 1400)
    b = len(WEIGHTS[seed])

    def head() -> dict:
        return {"logits": _leaf(b, NQ, NC + 1, g=g), "pred_boxes": _leaf(b, NQ, 4, g=g)}

    outputs = {**head(), "auxiliary_outputs": [head(), head()]}
    targets, indices = [], []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        xyxy = _boxes(n, g)
        cxcywh = torch.cat([(xyxy[:, :2] + xyxy[:, 2:]) / 2, xyxy[:, 2:] - xyxy[:, :2]], 1)
        targets.append({"class_labels": torch.randint(0, NC, (n,), generator=g), "boxes": cxcywh, "loss_weight": w})
        indices.append((torch.randperm(NQ, generator=g)[:n], torch.randperm(n, generator=g)))
    return [outputs, targets, indices], [ROWS, TARGETS, PER_IMAGE], None


A, R = 12, 6  # anchors (or grid points) per image, sampled RoIs per image


def dense_batch(seed: int) -> tuple[list, list, None]:
    """Dense detectors: per-anchor objectness, class logits, box deltas / boxes / distances and
    centerness [B, A, ...] over two levels; RoI head logits [B, R, NC + 1] and boxes; per image the
    anchors' labels (1 / 0 / -1 ignored), matched gt indices (-1 background, -2 between
    thresholds), gt boxes and classes, soft class scores."""
    g = _gen(seed + 1410)
    b = len(WEIGHTS[seed])
    outputs = {"obj": [_leaf(b, A // 2, g=g), _leaf(b, A - A // 2, g=g)], "deltas": _leaf(b, A, 4, g=g, scale=0.3),
               "obj1": _leaf(b, A, 1, g=g), "cls": _leaf(b, A, NC, g=g),
               "ltrb": _leaf(b, A, 4, g=g, scale=0.3), "ctr": _leaf(b, A, g=g),
               "dist": _leaf(b, A, 4, REG, g=g), "roi_cls": _leaf(b, R, NC + 1, g=g),
               "roi_boxes": _leaf(b, R, 4, g=g, scale=0.05)}
    centres = torch.rand(b, A, 2, generator=g) * 0.6 + 0.2
    sizes = torch.rand(b, A, 2, generator=g) * 0.3 + 0.1
    outputs["box_xywh"] = torch.cat([centres, sizes], -1).requires_grad_()
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        labels = torch.randint(-1, 2, (A,), generator=g)
        labels[i % A] = 1
        matched = torch.randint(-2, n, (A,), generator=g)
        matched[(i + 1) % A] = 0
        fg = matched >= 0
        scores = torch.zeros(A, NC)
        gt_cls = torch.randint(0, NC, (n,), generator=g)
        scores[fg, gt_cls[matched[fg]]] = torch.rand(int(fg.sum()), generator=g) * 0.9 + 0.05
        roi_gt = torch.randint(0, NC + 1, (R,), generator=g)
        targets.append({"anchor_labels": labels, "anchor_deltas": torch.randn(A, 4, generator=g) * 0.3,
                        "matched": matched, "boxes": _boxes(n, g), "gt_classes": gt_cls, "scores": scores,
                        "roi_gt": roi_gt, "roi_gt_boxes": _boxes(R, g), "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


REG = 8  # distribution bins (DFL)
ANCHORS = torch.rand(A, 2, generator=_gen(1415)) * 0.6 + 0.2  # grid-point centres shared by every image


NCLS, D = 5, 6  # classes, embedding width


def class_batch(seed: int) -> tuple[list, list, list]:
    """Samples, one source each: logits [B, NCLS], a regression head [B, 1], multiple-choice scores
    [B * CH, 1], image and text embeddings [B, D], predictions and targets for regression metrics;
    labels, multi-hot labels, float targets, choice labels."""
    g = _gen(seed + 1420)
    b = len(SOURCES[seed])
    model = {"logits": _leaf(b, NCLS, g=g, scale=2.0), "reg": _leaf(b, 1, g=g),
             "img": _leaf(b, D, g=g), "txt": _leaf(b, D, g=g), "pred": (torch.rand(b, D, generator=g) * 3).requires_grad_()}
    batch = {"y": torch.randint(0, NCLS, (b,), generator=g), "multi": (torch.rand(b, NCLS, generator=g) < 0.4).float(),
             "value": torch.randn(b, generator=g), "choice": torch.randint(0, CH, (b,), generator=g),
             "target": torch.rand(b, D, generator=g) * 3}
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


CH = 3  # choices


def choice_batch(seed: int) -> tuple[list, list, list]:
    """``class_batch`` with the multiple-choice scores of each (example, choice) row [B * CH, 1],
    example-major."""
    args, kinds, labels = class_batch(seed)
    b = len(labels)
    scores = _leaf(b * CH, 1, g=_gen(seed + 1425))
    return [*args, scores], [*kinds, Owned(torch.arange(b).repeat_interleave(CH))], labels


NCROP, P, K = 4, 6, 8  # crops (2 global), patches, prototypes


def ssl_batch(seed: int) -> tuple[list, list, list]:
    """Self-distillation, one source per image: the student's crops [NCROP * B, K] (crop-major, as
    ``torch.cat`` of the crops makes them), the teacher's two global crops [2 * B, K], patch
    tokens of both [B, P, K] with a per-image patch mask, a student's CLS embeddings [B, D];
    masked-image-modelling logits over a visual vocabulary [B, P, K] with token labels, and a
    pixel reconstruction [B, 3, 4, 4] with its mask; the teacher's centres (buffers)."""
    g = _gen(seed + 1430)
    b = len(SOURCES[seed])
    mask = torch.rand(b, P, generator=g) < 0.5
    mask[:, 0] = True
    mask[0] = False  # an image without masked patches: its term is 0 / clamp(0, 1)
    outputs = {"s_patch": _leaf(b, P, K, g=g), "cls_emb": _leaf(b, D, g=g), "mim": _leaf(b, P, K, g=g),
               "rec": _leaf(b, 3, 4, 4, g=g)}
    batch = {"t_patch": torch.randn(b, P, K, generator=g), "mask": mask,
             "tokens": torch.randint(0, K, (b, P), generator=g), "image": torch.randn(b, 3, 4, 4, generator=g),
             "pix_mask": (torch.rand(b, 1, 4, 4, generator=g) < 0.5).float()}
    student = _leaf(NCROP * b, K, g=g)
    teacher = torch.randn(2 * b, K, generator=g)
    centres = {"cls": torch.randn(1, K, generator=g) * 0.1, "patch": torch.randn(1, 1, K, generator=g) * 0.1}
    owner = torch.arange(b)
    return ([outputs, batch, student, teacher, centres],
            [ROWS, ROWS, Owned(owner.repeat(NCROP)), Owned(owner.repeat(2)), KEEP], SOURCES[seed])


def mim_batch(seed: int) -> tuple[list, list, list]:
    """``ssl_batch``'s student outputs and batch alone."""
    args, kinds, labels = ssl_batch(seed)
    return args[:2], kinds[:2], labels


T, V, E, KTAG = 6, 9, 4, 3  # tokens, vocabulary, experts, tags
TF = 20  # audio frames


def lm_batch(seed: int) -> tuple[list, list, list]:
    """Sequences, one source each: decoder logits [B, T, V], token-classification logits [B, T,
    KTAG], router logits [B, T, E], CTC logits over frames [B, TF', V]; labels with -100 padding,
    an attention mask, tags, audio attention masks of different lengths, character labels padded
    with -100."""
    g = _gen(seed + 1440)
    b = len(SOURCES[seed])
    attn = torch.ones(b, T, dtype=torch.long)
    for r in range(b):
        attn[r, T - r % 3:] = 0
    labels = torch.randint(1, V, (b, T), generator=g).masked_fill(attn == 0, -100)
    audio = torch.ones(b, TF, dtype=torch.long)
    chars = torch.randint(1, V, (b, 4), generator=g)
    for r in range(b):
        audio[r, TF - 3 * (r % 3):] = 0
        chars[r, 4 - r % 2:] = -100
    model = {"lm": _leaf(b, T, V, g=g), "tags": _leaf(b, T, KTAG, g=g), "router": _leaf(b, T, E, g=g),
             "ctc": _leaf(b, _frames(TF), V, g=g)}
    batch = {"labels": labels, "attention_mask": attn, "tag_labels": torch.randint(0, KTAG, (b, T), generator=g),
             "audio_mask": audio, "chars": chars}
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


def _frames(n):
    """wav2vec2's feature-extractor output length: two 1-d convolutions (kernel 4 stride 2, kernel
    3 stride 2), ``(n - kernel) // stride + 1`` each (``torch.div(.., rounding_mode='floor')``)."""
    for kernel, stride in ((4, 2), (3, 2)):
        n = (torch.div(n - kernel, stride, rounding_mode="floor") if isinstance(n, torch.Tensor) else (n - kernel) // stride) + 1
    return n


# -- box helpers ----------------------------------------------------------------------------------


def _cxcywh_to_xyxy(b):
    cx, cy, w, h = b.unbind(-1)
    return torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], -1)


def _giou_pairs(a, b, eps=1e-7):
    """Generalised IoU of row-aligned xyxy boxes (torchvision's ``generalized_box_iou_loss``
    without the ``1 -``), and their IoU."""
    lt, rb = torch.max(a[:, :2], b[:, :2]), torch.min(a[:, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - inter
    iou = inter / (union + eps)
    enc = (torch.max(a[:, 2:], b[:, 2:]) - torch.min(a[:, :2], b[:, :2])).clamp(min=0).prod(-1)
    return iou - (enc - union) / (enc + eps), iou


def _giou_matrix(a, b):
    """Pairwise generalised IoU [N, M] of xyxy boxes (DETR's ``generalized_box_iou``)."""
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt = torch.max(a[:, None, :2], b[:, :2])
    rb = torch.min(a[:, None, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = area_a[:, None] + area_b - inter
    iou = inter / union
    enc = (torch.max(a[:, None, 2:], b[:, 2:]) - torch.min(a[:, None, :2], b[:, :2])).clamp(min=0).prod(-1)
    return iou - (enc - union) / enc


# -- Hugging Face model heads ---------------------------------------------------------------------


def _hf_detr_losses(out, targets, indices, num_boxes, eos_coef=0.1):
    logits = out["logits"]
    batch_idx = torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)])
    src_idx = torch.cat([src for src, _ in indices])
    classes = torch.full(logits.shape[:2], NC, dtype=torch.int64, device=logits.device)
    classes[(batch_idx, src_idx)] = torch.cat([t["class_labels"][j] for t, (_, j) in zip(targets, indices)])
    empty_weight = torch.ones(NC + 1)
    empty_weight[-1] = eos_coef
    loss_ce = F.cross_entropy(logits.transpose(1, 2), classes, empty_weight)
    with torch.no_grad():
        lengths = torch.as_tensor([len(t["class_labels"]) for t in targets])
        card = (logits.argmax(-1) != logits.shape[-1] - 1).sum(1)
        card_err = F.l1_loss(card.float(), lengths.float())
    src = out["pred_boxes"][(batch_idx, src_idx)]
    tgt = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, indices)], dim=0)
    loss_bbox = F.l1_loss(src, tgt, reduction="none").sum() / num_boxes
    giou = torch.diag(_giou_matrix(_cxcywh_to_xyxy(src.sigmoid()), _cxcywh_to_xyxy(tgt)))
    return {"loss_ce": loss_ce, "loss_bbox": loss_bbox, "loss_giou": (1 - giou).sum() / num_boxes,
            "cardinality_error": card_err}


def hf_detr_for_object_detection_weighted_loss_dict_with_aux_outputs(outputs, targets, indices):
    """transformers' ``DetrForObjectDetection``: ``num_boxes = sum(len(t["class_labels"]))`` as a
    tensor, ``clamp(min=1).item()``; the class-weighted CE with ``empty_weight`` (``eos_coef``),
    the cardinality error under ``no_grad``, L1 and GIoU of matched boxes over ``num_boxes``; each
    auxiliary output's losses suffixed ``_{i}``; the loss the sum of ``loss_dict[k] *
    weight_dict[k]`` over the weighted keys."""
    num_boxes = torch.as_tensor([sum(len(t["class_labels"]) for t in targets)], dtype=torch.float)
    num_boxes = torch.clamp(num_boxes, min=1).item()
    loss_dict = _hf_detr_losses(outputs, targets, indices, num_boxes)
    for i, aux in enumerate(outputs["auxiliary_outputs"]):
        loss_dict.update({f"{k}_{i}": v for k, v in _hf_detr_losses(aux, targets, indices, num_boxes).items()})
    weight_dict = {"loss_ce": 1, "loss_bbox": 5, "loss_giou": 2}
    weight_dict.update({f"{k}_{i}": v for i in range(2) for k, v in list(weight_dict.items())})
    loss = sum(loss_dict[k] * weight_dict[k] for k in loss_dict if k in weight_dict)
    return {"loss": loss, **loss_dict}


def hf_sequence_classification_three_problem_types(model, batch):
    """transformers' ``*ForSequenceClassification``: ``problem_type`` from the head — regression
    (``num_labels == 1``: ``MSELoss`` of ``logits.squeeze()`` and ``labels.squeeze()``),
    single-label (``CrossEntropyLoss`` of ``logits.view(-1, num_labels)``, ``labels.view(-1)``),
    multi-label (``BCEWithLogitsLoss``)."""
    out = {}
    for name, logits, labels in (("regression", model["reg"], batch["value"]), ("single", model["logits"], batch["y"]),
                                 ("multi", model["logits"], batch["multi"])):
        num_labels = logits.size(-1)
        if num_labels == 1:
            loss = F.mse_loss(logits.squeeze(), labels.squeeze())
        elif labels.dtype in (torch.long, torch.int):
            loss = torch.nn.CrossEntropyLoss()(logits.view(-1, num_labels), labels.view(-1))
        else:
            loss = torch.nn.BCEWithLogitsLoss()(logits, labels)
        out[f"loss_{name}"] = loss
    return out


def hf_multiple_choice_scores_viewed_per_example(model, batch, logits):
    """transformers' ``*ForMultipleChoice``: the classifier's score of each (example, choice) row
    [B * CH, 1] ``view(-1, num_choices)``, CE against the right choice; the accuracy logged."""
    reshaped = logits.view(-1, CH)
    loss = F.cross_entropy(reshaped, batch["choice"])
    return {"loss": loss, "accuracy": (reshaped.argmax(-1) == batch["choice"]).float().mean()}


def hf_t5_labels_shifted_right_into_decoder_inputs_and_ce_minus_100(model, batch, pad=0, start=0):
    """transformers' T5: ``decoder_input_ids`` are the labels shifted right
    (``new_zeros``, ``[..., 1:] = labels[..., :-1].clone()``, the start token, ``masked_fill_`` of
    -100 by the pad id), reaching the logits as a small term standing in for the decoder; the LM
    logits scaled by ``d_model ** -0.5`` (tied embeddings) and CE ``ignore_index=-100`` over
    ``view(-1, size(-1))``; tokens counted for logging."""
    labels = batch["labels"]
    shifted = labels.new_zeros(labels.shape)
    shifted[..., 1:] = labels[..., :-1].clone()
    shifted[..., 0] = start
    shifted.masked_fill_(shifted == -100, pad)
    lm_logits = model["lm"] * (D ** -0.5) + 0.01 * shifted.unsqueeze(-1).float()  # the decoder saw its inputs
    loss = F.cross_entropy(lm_logits.view(-1, lm_logits.size(-1)), labels.view(-1), ignore_index=-100)
    return {"loss": loss, "ntokens": (labels != -100).sum().float()}


def hf_token_classification_active_loss_through_where(model, batch):
    """transformers' token classification heads (before 4.x's plain CE): ``active_loss =
    attention_mask.view(-1) == 1``, ``active_labels = torch.where(active_loss, labels.view(-1),
    torch.tensor(loss_fct.ignore_index).type_as(labels))``, CE of the flattened logits."""
    loss_fct = torch.nn.CrossEntropyLoss()
    logits, labels = model["tags"], batch["tag_labels"]
    active_loss = batch["attention_mask"].view(-1) == 1
    active_logits = logits.view(-1, KTAG)
    active_labels = torch.where(active_loss, labels.view(-1), torch.tensor(loss_fct.ignore_index).type_as(labels))
    return {"loss": loss_fct(active_logits, active_labels)}


def hf_wav2vec2_ctc_masked_select_targets_and_output_lengths(model, batch):
    """transformers' ``Wav2Vec2ForCTC``: input lengths from ``attention_mask.sum(-1)`` through the
    feature extractor's conv arithmetic; ``labels_mask = labels >= 0``, ``target_lengths =
    labels_mask.sum(-1)``, ``flattened_targets = labels.masked_select(labels_mask)``; the float32
    ``log_softmax`` transposed to time-major; ``ctc_loss`` with ``blank=0``, ``zero_infinity=True``
    and ``ctc_loss_reduction`` ``'mean'`` (each over its target length, then the batch mean) and
    ``'sum'``."""
    labels = batch["chars"]
    input_lengths = _frames(batch["audio_mask"].sum(-1)).to(torch.long)
    labels_mask = labels >= 0
    target_lengths = labels_mask.sum(-1)
    flattened_targets = labels.masked_select(labels_mask)
    log_probs = F.log_softmax(model["ctc"], dim=-1, dtype=torch.float32).transpose(0, 1)
    out = {}
    for reduction in ("mean", "sum"):
        out[f"loss_ctc_{reduction}"] = F.ctc_loss(log_probs, flattened_targets, input_lengths, target_lengths,
                                                  blank=0, reduction=reduction, zero_infinity=True)
    return out


POOL_W = torch.randn(NCLS, V, generator=_gen(1445))  # the classifier's weight, fixed


def hf_wav2vec2_sequence_classification_mean_pooled_over_unpadded_frames(model, batch):
    """transformers' ``Wav2Vec2ForSequenceClassification``: the frame-level padding mask from the
    attention mask (``_get_feature_vector_attention_mask``: ones up to each output length, built by
    a write at ``arange(B), lengths - 1`` and a reversed ``cumsum``), padded frames zeroed by a
    boolean write into the projected states, their sum over ``padding_mask.sum(dim=1).view(-1, 1)``,
    the classifier, CE over ``view(-1, num_labels)``."""
    hidden = model["ctc"] * 1.0
    lengths = _frames(batch["audio_mask"].sum(-1)).to(torch.long)
    b, frames = hidden.shape[:2]
    padding_mask = torch.zeros((b, frames), dtype=batch["audio_mask"].dtype)
    padding_mask[(torch.arange(b), lengths - 1)] = 1
    padding_mask = padding_mask.flip([-1]).cumsum(-1).flip([-1]).bool()
    hidden[~padding_mask] = 0.0
    pooled = hidden.sum(dim=1) / padding_mask.sum(dim=1).view(-1, 1)
    logits = F.linear(pooled, POOL_W)
    labels = batch["chars"][:, 0] % NCLS
    return {"loss": F.cross_entropy(logits.view(-1, NCLS), labels.view(-1))}


def hf_moe_router_z_loss_and_load_balancing_over_attended_tokens(model, batch, top_k=2, coef=0.01):
    """transformers' mixture-of-experts heads: the LM CE with -100; Switch's router z-loss
    (``logsumexp(router_logits, -1) ** 2`` summed over ``num_groups * tokens_per_group``); Mixtral's
    ``load_balancing_loss_func`` with an attention mask (the top-k experts' one-hot masks, the
    fraction of attended tokens routed to each expert and the mean routing probability, each a
    sum over the batch's tokens over their count; their product summed, times ``num_experts``)."""
    ce = F.cross_entropy(model["lm"].view(-1, V), batch["labels"].view(-1), ignore_index=-100)
    router = model["router"]
    num_groups, tokens_per_group, _ = router.shape
    z = torch.sum(torch.logsumexp(router, dim=-1) ** 2) / (num_groups * tokens_per_group)
    weights = F.softmax(router.reshape(-1, E), dim=-1)
    _, selected = torch.topk(weights, top_k, dim=-1)
    expert_mask = F.one_hot(selected, E)
    attn = batch["attention_mask"]
    b, t = attn.shape
    expert_attn = attn[:, :, None, None].expand(b, t, top_k, E).reshape(-1, top_k, E)
    tokens_per_expert = torch.sum(expert_mask.float() * expert_attn, dim=0) / torch.sum(expert_attn, dim=0)
    router_attn = attn[:, :, None].expand(b, t, E).reshape(-1, E)
    router_prob = torch.sum(weights * router_attn, dim=0) / torch.sum(router_attn, dim=0)
    aux = torch.sum(tokens_per_expert * router_prob.unsqueeze(0)) * E
    return {"loss": ce + coef * aux + 0.001 * z, "loss_ce": ce, "router_z_loss": z, "aux_loss": aux}


# -- detection ------------------------------------------------------------------------------------


def detectron2_rpn_objectness_and_deltas_over_sampled_anchors_times_images(outputs, targets, batch_size_per_image=4):
    """detectron2's ``RPN.losses``: ``gt_labels = torch.stack(gt_labels)``, positive / negative
    anchor counts read with ``.item()`` and logged ``/ num_images``; the objectness logits of the
    levels ``cat(dim=1)``; smooth L1 (beta 0) of the positive anchors' deltas and BCE-with-logits
    of the valid anchors, both ``reduction='sum'``, over ``batch_size_per_image * num_images``;
    each times ``self.loss_weight`` (a dict of 1.0)."""
    gt_labels = torch.stack([t["anchor_labels"] for t in targets])
    num_images = len(gt_labels)
    pos_mask = gt_labels == 1
    num_pos_anchors = pos_mask.sum().item()
    num_neg_anchors = (gt_labels == 0).sum().item()
    gt_deltas = torch.stack([t["anchor_deltas"] for t in targets])
    loc = F.smooth_l1_loss(outputs["deltas"][pos_mask], gt_deltas[pos_mask], beta=0.0, reduction="sum")
    valid_mask = gt_labels >= 0
    objectness = F.binary_cross_entropy_with_logits(torch.cat(outputs["obj"], dim=1)[valid_mask],
                                                    gt_labels[valid_mask].to(torch.float32), reduction="sum")
    normalizer = batch_size_per_image * num_images
    losses = {"loss_rpn_cls": objectness / normalizer, "loss_rpn_loc": loc / normalizer}
    loss_weight = {"loss_rpn_cls": 1.0, "loss_rpn_loc": 1.0}
    losses = {k: v * loss_weight.get(k, 1.0) for k, v in losses.items()}
    losses["num_pos_anchors"] = torch.tensor(num_pos_anchors / num_images)
    losses["num_neg_anchors"] = torch.tensor(num_neg_anchors / num_images)
    return losses


def detectron2_fast_rcnn_sigmoid_ce_and_class_agnostic_giou(outputs, targets):
    """detectron2's ``FastRCNNOutputLayers`` with ``use_sigmoid_ce`` and ``box_reg_loss_type='giou'``:
    ``gt_classes`` cat over images, a one-hot target ``new_zeros(N, K + 1)`` written at
    ``range(N)``, the background column dropped, ``BCE-with-logits(..., 'none')`` summed over ``N``;
    the foreground RoIs (``nonzero((gt >= 0) & (gt < K))[:, 0]``) decoded boxes' GIoU loss summed
    over ``max(gt_classes.numel(), 1.0)``; each times ``loss_weight``."""
    cls = outputs["roi_cls"].flatten(0, 1)
    gt_classes = torch.cat([t["roi_gt"] for t in targets], dim=0)
    n = cls.shape[0]
    target = cls.new_zeros(n, NC + 1)
    target[range(len(gt_classes)), gt_classes] = 1
    target = target[:, :NC]
    loss_cls = torch.sum(F.binary_cross_entropy_with_logits(cls[:, :-1], target, reduction="none")) / n
    proposals = torch.cat([t["roi_gt_boxes"] for t in targets]) + 0.02
    fg_inds = torch.nonzero((gt_classes >= 0) & (gt_classes < NC))[:, 0]
    pred = proposals[fg_inds] + outputs["roi_boxes"].flatten(0, 1)[fg_inds]
    giou, _ = _giou_pairs(pred, torch.cat([t["roi_gt_boxes"] for t in targets])[fg_inds])
    loss_box = (1 - giou).sum() / max(gt_classes.numel(), 1.0)
    loss_weight = {"loss_cls": 1.0, "loss_box_reg": 1.0}
    return {"loss_cls": loss_cls * loss_weight["loss_cls"], "loss_box_reg": loss_box * loss_weight["loss_box_reg"]}


def _xywh_iou(a, b):
    tl = torch.max(a[:, :2] - a[:, 2:] / 2, b[:, :2] - b[:, 2:] / 2)
    br = torch.min(a[:, :2] + a[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2)
    area_i = torch.prod(br - tl, 1) * (tl < br).type(tl.type()).prod(dim=1)
    return area_i / (torch.prod(a[:, 2:], 1) + torch.prod(b[:, 2:], 1) - area_i + 1e-16)


def yolox_iou_objectness_and_iou_aware_class_targets_over_num_fg(outputs, targets, reg_weight=5.0):
    """YOLOX's ``get_losses``: per image (a loop) the foreground anchors and their gt, ``num_fg +=
    num_fg_img`` and ``num_gts += len(gt)`` as Python ints; the class target ``F.one_hot(gt_cls,
    NC) * pred_ious_this_matching.unsqueeze(-1)`` (IoUs of the detached predictions), the
    objectness target ``fg_mask.unsqueeze(-1)``; lists cat; ``num_fg = max(num_fg, 1)``; ``1 -
    iou ** 2`` of the foreground boxes, BCE of every anchor's objectness and of the foreground
    class logits, each ``.sum() / num_fg``; the total with ``reg_weight`` and the foreground
    ratio ``num_fg / max(num_gts, 1)``."""
    box = outputs["box_xywh"]
    cls_targets, reg_targets, obj_targets, fg_masks = [], [], [], []
    num_fg, num_gts = 0.0, 0.0
    for b, t in enumerate(targets):
        num_gts += len(t["boxes"])
        fg_mask = t["matched"] >= 0
        matched = t["matched"][fg_mask]
        num_fg_img = int(fg_mask.sum())
        num_fg += num_fg_img
        xyxy = t["boxes"][matched]
        gt_xywh = torch.cat([(xyxy[:, :2] + xyxy[:, 2:]) / 2, xyxy[:, 2:] - xyxy[:, :2]], 1)
        with torch.no_grad():
            pred_ious_this_matching = _xywh_iou(box[b][fg_mask].detach(), gt_xywh)
        cls_targets.append(F.one_hot(t["gt_classes"][matched].to(torch.int64), NC) * pred_ious_this_matching.unsqueeze(-1))
        reg_targets.append(gt_xywh)
        obj_targets.append(fg_mask.unsqueeze(-1).to(box.dtype))
        fg_masks.append(fg_mask)
    cls_targets, reg_targets = torch.cat(cls_targets, 0), torch.cat(reg_targets, 0)
    obj_targets, fg_masks = torch.cat(obj_targets, 0), torch.cat(fg_masks, 0)
    num_fg = max(num_fg, 1)
    loss_iou = (1 - _xywh_iou(box.view(-1, 4)[fg_masks], reg_targets) ** 2).sum() / num_fg
    loss_obj = F.binary_cross_entropy_with_logits(outputs["obj1"].view(-1, 1), obj_targets, reduction="none").sum() / num_fg
    loss_cls = F.binary_cross_entropy_with_logits(outputs["cls"].view(-1, NC)[fg_masks], cls_targets,
                                                  reduction="none").sum() / num_fg
    return {"total_loss": reg_weight * loss_iou + loss_obj + loss_cls, "iou_loss": reg_weight * loss_iou,
            "conf_loss": loss_obj, "cls_loss": loss_cls, "num_fg": torch.tensor(num_fg / max(num_gts, 1))}


def _focal_sum(x, t, alpha=0.25, gamma=2.0):
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * ((1 - p_t) ** gamma)
    loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss.sum()


def torchvision_fcos_focal_giou_and_centerness_over_item_foreground(outputs, targets):
    """torchvision's ``FCOSHead.compute_loss``: per image the gt classes and boxes at
    ``matched_idxs.clip(min=0)``, classes of unmatched points set to -1, stacked;
    ``foregroud_mask = all_gt_classes_targets >= 0``, ``num_foreground = foregroud_mask.sum().item()``;
    ``gt_classes_targets = torch.zeros_like(cls_logits)`` written 1.0 at ``[foregroud_mask,
    classes[foregroud_mask]]``, the focal loss summed; ltrb distances decoded around the grid
    points (``box_coder.decode``, the points stacked per image) and the GIoU loss of the foreground
    (``reduction='sum'``); the centerness target ``sqrt(lr.min / lr.max * tb.min / tb.max)`` of the
    encoded gt (``abs`` here: random boxes need not hold their points) and its BCE-with-logits over
    the foreground, summed; each / ``max(1, num_foreground)``."""
    cls = outputs["cls"]
    all_gt_classes_targets, all_gt_boxes_targets = [], []
    for t in targets:
        matched = t["matched"]
        gt_classes_targets = t["gt_classes"][matched.clip(min=0)]
        gt_boxes_targets = t["boxes"][matched.clip(min=0)]
        gt_classes_targets[matched < 0] = -1
        all_gt_classes_targets.append(gt_classes_targets)
        all_gt_boxes_targets.append(gt_boxes_targets)
    all_gt_classes_targets = torch.stack(all_gt_classes_targets)
    all_gt_boxes_targets = torch.stack(all_gt_boxes_targets)
    foregroud_mask = all_gt_classes_targets >= 0
    num_foreground = foregroud_mask.sum().item()
    gt_classes_targets = torch.zeros_like(cls)
    gt_classes_targets[foregroud_mask, all_gt_classes_targets[foregroud_mask]] = 1.0
    loss_cls = _focal_sum(cls, gt_classes_targets)
    anchors = torch.stack([ANCHORS for _ in targets])
    ltrb = outputs["ltrb"].exp() * 0.1
    pred_boxes = torch.cat([anchors - ltrb[..., :2], anchors + ltrb[..., 2:]], -1)
    giou, _ = _giou_pairs(pred_boxes[foregroud_mask], all_gt_boxes_targets[foregroud_mask])
    loss_reg = (1 - giou).sum()
    reg_targets = torch.cat([anchors - all_gt_boxes_targets[..., :2], all_gt_boxes_targets[..., 2:] - anchors], -1)
    left_right, top_bottom = reg_targets[:, :, [0, 2]], reg_targets[:, :, [1, 3]]
    gt_ctr = torch.sqrt((left_right.min(dim=-1)[0] / left_right.max(dim=-1)[0]).abs()
                        * (top_bottom.min(dim=-1)[0] / top_bottom.max(dim=-1)[0]).abs())
    loss_ctr = F.binary_cross_entropy_with_logits(outputs["ctr"][foregroud_mask], gt_ctr[foregroud_mask], reduction="sum")
    return {"classification": loss_cls / max(1, num_foreground), "bbox_regression": loss_reg / max(1, num_foreground),
            "bbox_ctrness": loss_ctr / max(1, num_foreground)}


def ultralytics_v8_bce_ciou_dfl_over_target_scores_sum_times_batch(outputs, targets, gains=(7.5, 0.5, 1.5)):
    """ultralytics' ``v8DetectionLoss``: ``loss = torch.zeros(3)``; ``target_scores_sum =
    max(target_scores.sum(), 1)``; BCE of every anchor's class logits against the (assigner's
    soft) target scores ``.sum() / target_scores_sum``; the ``BboxLoss``: ``weight =
    target_scores.sum(-1)[fg_mask].unsqueeze(-1)``, ``((1 - iou) * weight).sum() /
    target_scores_sum`` and the distribution focal loss (left / right bins ``long()``, CE of each
    weighted by the distance, ``.mean(-1, keepdim=True) * weight``) over the same; each written
    into ``loss[i]`` then times its gain (box 7.5, cls 0.5, dfl 1.5); ``loss.sum() * batch_size``
    and ``loss.detach()`` for logging."""
    loss = torch.zeros(3)
    pred_scores = outputs["cls"]
    batch_size = pred_scores.shape[0]
    target_scores = _stack(targets, "scores")
    fg_mask = _stack(targets, "matched") >= 0
    target_bboxes = torch.stack([t["boxes"][t["matched"].clip(min=0)] for t in targets])
    target_scores_sum = max(target_scores.sum(), 1)
    loss[1] = F.binary_cross_entropy_with_logits(pred_scores, target_scores.to(pred_scores.dtype),
                                                 reduction="none").sum() / target_scores_sum
    anchor_points = ANCHORS.expand(batch_size, -1, -1)
    pred_dist = outputs["dist"]
    proj = torch.arange(REG, dtype=torch.float) * 0.05
    ltrb = pred_dist.softmax(-1).matmul(proj)
    pred_bboxes = torch.cat([anchor_points - ltrb[..., :2], anchor_points + ltrb[..., 2:]], -1)
    weight = target_scores.sum(-1)[fg_mask].unsqueeze(-1)
    giou, _ = _giou_pairs(pred_bboxes[fg_mask], target_bboxes[fg_mask])
    loss[0] = ((1.0 - giou.unsqueeze(-1)) * weight).sum() / target_scores_sum
    target_ltrb = (torch.cat([anchor_points - target_bboxes[..., :2], target_bboxes[..., 2:] - anchor_points], -1) / 0.05)
    target = target_ltrb[fg_mask].clamp_(0, REG - 1 - 0.01)
    tl = target.long()
    tr = tl + 1
    wl = tr - target
    wr = 1 - wl
    dist = pred_dist[fg_mask].view(-1, REG)
    dfl = (F.cross_entropy(dist, tl.view(-1), reduction="none").view(tl.shape) * wl
           + F.cross_entropy(dist, tr.view(-1), reduction="none").view(tl.shape) * wr).mean(-1, keepdim=True)
    loss[2] = (dfl * weight).sum() / target_scores_sum
    loss[0] *= gains[0]
    loss[1] *= gains[1]
    loss[2] *= gains[2]
    items = loss.detach()
    return {"loss": loss.sum() * batch_size, "box_loss": items[0], "cls_loss": items[1], "dfl_loss": items[2]}


# -- metrics, contrastive, self-distillation, masked image modelling -------------------------------


def torchmetrics_msle_cosine_relative_squared_error_and_r2(model, batch):
    """torchmetrics' functional regression metrics used as losses: ``mean_squared_log_error``
    (``log1p`` of both, squared difference summed over ``numel``), ``cosine_similarity`` with
    ``reduction='mean'`` (row dot products over the product of norms), ``relative_squared_error``
    (the squared error's sum over the targets' squared deviation from their mean, per output,
    averaged) and ``r2_score`` (``1 - rss / tss``, uniform average)."""
    p, t = model["pred"], batch["target"]
    msle = torch.sum(torch.pow(torch.log1p(p) - torch.log1p(t), 2)) / t.numel()
    dot = (p * t).sum(dim=-1)
    cos = (dot / (torch.norm(p, p=2, dim=-1) * torch.norm(t, p=2, dim=-1))).mean()
    n = t.size(0)
    sum_error, sum_squared_error = torch.sum(t, dim=0), torch.sum(t * t, dim=0)
    rss = torch.sum((t - p) ** 2, dim=0)
    tss = sum_squared_error - sum_error * sum_error / n
    rse = torch.mean(rss / tss)
    r2 = torch.mean(1 - rss / tss)
    return {"loss_msle": msle, "cosine": cos, "loss_rse": rse, "r2": r2}


def siglip_pairwise_sigmoid_with_learned_scale_and_bias(model, batch, logit_scale=2.3, logit_bias=-10.0):
    """SigLIP: unit-normalised image and text embeddings, ``logits = img @ txt.T * exp(t) + b``,
    labels ``2 * eye(n) - 1``, ``-logsigmoid(labels * logits).sum() / n``; CLIP-style image-text
    accuracy of the diagonal logged."""
    img = F.normalize(model["img"], dim=-1)
    txt = F.normalize(model["txt"], dim=-1)
    logits = img @ txt.T * torch.tensor(logit_scale).exp() + logit_bias
    n = logits.size(0)
    labels = 2 * torch.eye(n) - torch.ones(n, n)
    loss = -F.logsigmoid(labels * logits).sum() / n
    return {"loss_siglip": loss, "i2t_acc": (logits.argmax(1) == torch.arange(n)).float().mean()}


def dinov2_multi_crop_distillation_centred_and_sinkhorn_with_koleo(outputs, batch, student, teacher, centres,
                                                                   student_temp=0.1, teacher_temp=0.04):
    """DINO's ``DINOLoss``: the student's crops ``cat`` crop-major and ``chunk(ncrops)``, each over
    ``student_temp``; the teacher's global crops ``softmax((t - center) / teacher_temp)`` (the EMA
    centre a buffer) ``.detach().chunk(2)``; ``-q * log_softmax(s)`` summed over prototypes, mean
    over the batch, for every (teacher, student) pair of different crops, over ``n_loss_terms``.
    DINOv2 swaps the centring for Sinkhorn-Knopp over the batch (``exp(t / temp).t()`` normalised
    by its total, rows and columns alternately) and adds the KoLeo regulariser (``-log`` of each
    CLS embedding's distance to its nearest other one in the batch, mean)."""
    student_out = (student / student_temp).chunk(NCROP)
    teacher_out = F.softmax((teacher - centres["cls"]) / teacher_temp, dim=-1).detach().chunk(2)
    with torch.no_grad():
        sk_out = sinkhorn(teacher, teacher_temp).chunk(2)
    losses = {}
    for name, targets_ in (("loss_dino", teacher_out), ("loss_dino_sk", sk_out)):
        total_loss, n_loss_terms = 0, 0
        for iq, q in enumerate(targets_):
            for v in range(len(student_out)):
                if v == iq:
                    continue
                loss = torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1)
                total_loss += loss.mean()
                n_loss_terms += 1
        losses[name] = total_loss / n_loss_terms
    x = F.normalize(outputs["cls_emb"], eps=1e-8, p=2, dim=-1)
    with torch.no_grad():
        dots = torch.mm(x, x.t())
        n = x.shape[0]
        dots.view(-1)[:: (n + 1)].fill_(-1)
        _, nn_idx = torch.max(dots, dim=1)
    distances = F.pairwise_distance(x, x[nn_idx], 2, eps=1e-8)
    losses["loss_koleo"] = -torch.log(distances + 1e-8).mean()
    return losses


def ibot_masked_patch_distillation_per_image_over_its_masked_count(outputs, batch, student, teacher, centres,
                                                                   student_temp=0.1, teacher_temp=0.04):
    """iBOT's patch term: the teacher's patch tokens ``softmax((t - center2) / temp)``; per patch
    ``sum(-t * log_softmax(s / temp), -1)``; per image ``sum(loss * mask.float(), -1) /
    mask.sum(-1).clamp(min=1.0)``, mean over images; the CLS term of the first global crops
    (teacher crop 0, student crop 1, both ``chunk``ed) next to it, each halved into the total."""
    t_patch = F.softmax((batch["t_patch"] - centres["patch"]) / teacher_temp, dim=-1)
    loss2 = torch.sum(-t_patch * F.log_softmax(outputs["s_patch"] / student_temp, dim=-1), dim=-1)
    mask = batch["mask"].flatten(-1)
    loss2 = torch.sum(loss2 * mask.float(), dim=-1) / mask.sum(dim=-1).clamp(min=1.0)
    q = F.softmax((teacher - centres["cls"]) / teacher_temp, dim=-1).chunk(2)[0]
    s = (student / student_temp).chunk(NCROP)[1]
    loss1 = torch.sum(-q * F.log_softmax(s, dim=-1), dim=-1).mean()
    return {"patch": loss2.mean(), "cls": loss1, "loss": 0.5 * loss1 + 0.5 * loss2.mean()}


def beit_masked_token_ce_and_simmim_masked_pixel_l1(outputs, batch, in_chans=3):
    """BEiT's masked image modelling: CE of ``logits[bool_masked_pos]`` against
    ``labels[bool_masked_pos]`` (an image without masked patches adds none); transformers'
    ``ViTForMaskedImageModeling`` (SimMIM): the patch mask ``repeat_interleave``d to pixels, ``l1
    (reduction='none')`` of the reconstruction, ``(loss * mask).sum() / (mask.sum() + 1e-5) /
    num_channels``."""
    pos = batch["mask"]
    ce = F.cross_entropy(outputs["mim"][pos], batch["tokens"][pos])
    mask = batch["pix_mask"].repeat_interleave(1, 2).repeat_interleave(1, 3)
    rec = F.l1_loss(batch["image"], outputs["rec"], reduction="none")
    l1 = (rec * mask).sum() / (mask.sum() + 1e-5) / in_chans
    return {"loss_mim": ce, "loss_simmim": l1}


# -- the table ------------------------------------------------------------------------------------


CASES = {c.body.__name__: c for c in [
    Case(hf_detr_for_object_detection_weighted_loss_dict_with_aux_outputs, query_batch),
    Case(hf_sequence_classification_three_problem_types, class_batch),
    Case(hf_multiple_choice_scores_viewed_per_example, choice_batch),
    Case(hf_t5_labels_shifted_right_into_decoder_inputs_and_ce_minus_100, lm_batch),
    Case(hf_token_classification_active_loss_through_where, lm_batch),
    Case(hf_wav2vec2_ctc_masked_select_targets_and_output_lengths, lm_batch),
    Case(hf_wav2vec2_sequence_classification_mean_pooled_over_unpadded_frames, lm_batch),
    Case(hf_moe_router_z_loss_and_load_balancing_over_attended_tokens, lm_batch, keys("loss", "aux_loss"),
         why="each expert's share of the batch's tokens times its mean routing probability over them"),
    Case(detectron2_rpn_objectness_and_deltas_over_sampled_anchors_times_images, dense_batch),
    Case(detectron2_fast_rcnn_sigmoid_ce_and_class_agnostic_giou, dense_batch),
    # cov39b: the logged ``torch.tensor(num_fg / max(num_gts, 1))`` of two running sums splits (4 closed)
    Case(yolox_iou_objectness_and_iou_aware_class_targets_over_num_fg, dense_batch),
    Case(torchvision_fcos_focal_giou_and_centerness_over_item_foreground, dense_batch),
    Case(ultralytics_v8_bce_ciou_dfl_over_target_scores_sum_times_batch, dense_batch),
    Case(torchmetrics_msle_cosine_relative_squared_error_and_r2, class_batch, keys("loss_rse", "r2"),
         why="the targets' squared deviation from the batch's mean"),
    Case(siglip_pairwise_sigmoid_with_learned_scale_and_bias, class_batch, keys("loss_siglip", "i2t_acc"),
         why="every image against every text of the batch"),
    Case(dinov2_multi_crop_distillation_centred_and_sinkhorn_with_koleo, ssl_batch, keys("loss_dino_sk", "loss_koleo"),
         gaps=keys("loss_dino"),
         why="Sinkhorn-Knopp normalises over the batch; each embedding's nearest neighbour in the batch; the "
             "crop-major [NCROP * B, K] outputs are not read as images' rows"),
    Case(ibot_masked_patch_distillation_per_image_over_its_masked_count, ssl_batch, gaps=keys("cls", "loss"),
         why="the crop-major [NCROP * B, K] outputs are not read as images' rows"),
    Case(beit_masked_token_ce_and_simmim_masked_pixel_l1, mim_batch),
]}


NOW = (263, 49, 15, 0)  # expected, declined, GAP, WRONG (first contact: 263, 101, 67, 0)
globals().update(survey_tests(CASES, range(len(WEIGHTS)), 18, NOW,
                              over_target="15 GAP of 263 (5.7 %; 25.5 % on first contact), see the module docstring"))
