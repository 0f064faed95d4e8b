"""Bodies of helper lenh (session 34): a one-parameter helper returning ``len`` of its argument
(``def _len(v): return len(v)``) whose result the body holds in a local before a clamp bound, an
exponent or a divisor uses it, and ``self.cap`` stored from the count by a method ``forward`` calls.
Near misses (``near_*``) must split exactly; the others must split exactly or decline naming the key.

``BODIES``: name -> (family, batch kind, body), measured by ``tests/_red_team28_measure.py``; the
tests are ``tests/test_len_helpers.py``."""

from __future__ import annotations

from typing import Any

import torch
from _red_team26_bodies import LAB, MATCHED, E
from _red_team27_bodies import registrar

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)
CLASSES = ["car", "person", "bike"]  # a list of no images: its length is a constant


def _len(v):
    return len(v)


def _len_two_lines(v):
    n = len(v)
    return n


def _three(v):
    return 3


@body("local")
def clamp_by_two_line_len_helper_through_local(o, t):
    n = _len_two_lines(t)
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("local")
def clamp_by_len_helper_through_two_locals(o, t):
    n = _len(t)
    cap = 0.1 * n
    return {"loss": (E(o, t) * 3.0).clamp(max=cap).sum()}


@body("local")
def clamp_min_by_len_helper_through_local(o, t):
    n = _len(t)
    return {"loss": (E(o, t) * 3.0).clamp(min=0.2 * n).sum()}


@body("local")
def pow_by_len_helper_through_local(o, t):
    n = _len(t)
    return {"loss": (E(o, t) * 3.0).pow(0.5 * n).sum()}


@body("local")
def clamp_by_len_helper_of_tensor_through_local(o, t):
    n = _len(o["x"])
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("local")
def mean_by_len_helper_through_local(o, t):
    n = _len(t)
    return {"loss": E(o, t).sum() / n}


@body("near")
def near_clamp_by_constant_helper_through_local(o, t):
    n = _three(t)
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("near")
def near_clamp_by_len_helper_of_global_list_through_local(o, t):
    n = _len(CLASSES)
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("near")
def near_clamp_by_len_helper_of_literal_list_through_local(o, t):
    names = ["a", "b", "c"]
    n = _len(names)
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("near")
def near_clamp_by_len_helper_of_one_image_in_loop(o, t):
    e = E(o, t) * 3.0
    out = []
    for b, s in enumerate(t):
        k = _len(s["labels"])  # one image's own count of labels: the same on a group alone
        out.append(e[b].clamp(max=0.1 * k))
    return {"loss": torch.stack(out).sum()}


@body("near", "d")
def near_detr_boxes_clamped_by_own_count(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    k = _len(CLASSES)
    return {"loss": (src - tgt).abs().clamp(max=0.1 * k).sum() / nb}


@body("near", "d")
def near_detr_boxes_over_helper_count_of_boxes(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    n = sum(_len(s["boxes"]) for s in t)
    return {"loss": (src - tgt).abs().sum() / max(n, 1)}


# === ``self.cap`` stored from the count by a method ``forward`` calls ================================


class CapByMethodOfNumber(torch.nn.Module):
    def _setup(self, n):
        self.cap = 0.1 * n

    def forward(self, o, t):
        self._setup(len(t))
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class CapByMethodUnderIf(torch.nn.Module):
    def _setup(self, t):
        self.cap = 0.1 * len(t)

    def forward(self, o, t):
        if len(t) > 0:
            self._setup(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class CapByMethodKeyword(torch.nn.Module):
    def _setup(self, targets):
        n = len(targets)
        self.cap = 0.1 * n

    def forward(self, o, t):
        self._setup(targets=t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class CapByMethodTwoLevels(torch.nn.Module):
    def _inner(self, t):
        self.cap = 0.1 * len(t)

    def _setup(self, t):
        self._inner(t)

    def forward(self, o, t):
        self._setup(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapMethodConstant(torch.nn.Module):
    def _setup(self, t):
        self.cap = 0.3

    def forward(self, o, t):
        self._setup(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapMethodOfClasses(torch.nn.Module):
    def _setup(self, names):
        self.cap = 0.1 * len(names)

    def forward(self, o, t):
        self._setup(CLASSES)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapMethodFirstCallOnly(torch.nn.Module):
    def _setup(self, t):
        self.cap = 0.1 * len(t)  # the first call's (the oracle's instance is warmed on a batch as large)

    def forward(self, o, t):
        if not hasattr(self, "cap"):
            self._setup(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapMethodGuardedInside(torch.nn.Module):
    cap = None

    def _setup(self, t):
        if self.cap is None:
            self.cap = 0.1 * len(t)

    def forward(self, o, t):
        self._setup(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapMethodAfterTheOp(torch.nn.Module):
    cap = 0.3

    def _setup(self, t):
        self.seen = 0.1 * len(t)

    def forward(self, o, t):
        out = (E(o, t) * 3.0).clamp(max=self.cap).sum()
        self._setup(t)
        return {"loss": out}


for _cls in (CapByMethodOfNumber, CapByMethodUnderIf, CapByMethodKeyword, CapByMethodTwoLevels):
    body("method")(_cls)
for _cls in (NearCapMethodConstant, NearCapMethodOfClasses, NearCapMethodFirstCallOnly, NearCapMethodGuardedInside,
             NearCapMethodAfterTheOp):
    body("near")(_cls)


# === other spellings of a method of ``self`` (three still WRONG, pinned in tests/test_len_helpers.py) ==


class _CapBase(torch.nn.Module):
    def _setup(self, t):
        self.cap = 0.1 * len(t)


class CapBySuperMethod(_CapBase):
    def _setup(self, t):
        super()._setup(t)

    def forward(self, o, t):
        self._setup(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class CapByClassCalledMethod(_CapBase):
    def forward(self, o, t):
        _CapBase._setup(self, t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class CapReturnedByMethod(torch.nn.Module):
    def _cap_of(self, t):
        return 0.1 * len(t)

    def forward(self, o, t):
        self.cap = self._cap_of(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class CapInheritedMethod(_CapBase):  # (declines since session 34: the method is found on the class)
    def forward(self, o, t):
        self._setup(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class LocalCapReturnedByMethod(torch.nn.Module):
    def _cap_of(self, t):
        return 0.1 * len(t)

    def forward(self, o, t):
        cap = self._cap_of(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=cap).sum()}


def _count_by_len_helper(t):
    n = _len(t)
    return n


@body("other")
def clamp_by_helper_of_len_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _count_by_len_helper(t)).sum()}


@body("other")
def clamp_by_len_helper_in_closure(o, t):
    n = _len(t)

    def clip(e):
        return e.clamp(max=0.1 * n)
    return {"loss": clip(E(o, t) * 3.0).sum()}


class _ConstantCapBase(torch.nn.Module):
    def _setup(self, t):
        self.cap = 0.3


class NearCapBySuperMethodConstant(_ConstantCapBase):
    def _setup(self, t):
        super()._setup(t)

    def forward(self, o, t):
        self._setup(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapByClassCalledMethodOfClasses(_CapBase):
    def forward(self, o, t):
        _CapBase._setup(self, CLASSES)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapReturnedConstantByMethod(torch.nn.Module):
    def _cap_of(self, t):
        return 0.3

    def forward(self, o, t):
        self.cap = self._cap_of(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapReturnedByMethodOfClasses(torch.nn.Module):
    def _cap_of(self, names):
        return 0.1 * len(names)

    def forward(self, o, t):
        self.cap = self._cap_of(CLASSES)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


for _cls in (CapBySuperMethod, CapByClassCalledMethod, CapReturnedByMethod, CapInheritedMethod, LocalCapReturnedByMethod):
    body("other")(_cls)
for _cls in (NearCapBySuperMethodConstant, NearCapByClassCalledMethodOfClasses, NearCapReturnedConstantByMethod,
             NearCapReturnedByMethodOfClasses):
    body("near")(_cls)


# === a function returning a number it computes from the count (``_bytecode._returns_count``) ========


def cap_of(t):
    return 0.1 * len(t)


def half_count(t):
    return 0.5 * len(t)


def _num_boxes(t):
    return max(sum(len(s["boxes"]) for s in t), 1)


def constant_cap(t):
    return 0.3


def classes_count(t):
    return len(CLASSES)


@body("function")
def clamp_by_count_function(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of(t)).sum()}


@body("function")
def clamp_by_count_function_through_local(o, t):
    c = cap_of(t)
    return {"loss": (E(o, t) * 3.0).clamp(max=c).sum()}


@body("function")
def sum_over_count_function(o, t):
    return {"loss": E(o, t).sum() / half_count(t)}


@body("function")
def sum_times_count_function(o, t):
    return {"loss": E(o, t).sum() * cap_of(t)}


class ClampByMethodReturningCount(torch.nn.Module):
    def _cap_of(self, t):
        return 0.1 * len(t)

    def forward(self, o, t):
        return {"loss": (E(o, t) * 3.0).clamp(max=self._cap_of(t)).sum()}


body("function")(ClampByMethodReturningCount)


@body("near", "d")
def near_detr_over_num_boxes_function(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / _num_boxes(t)}


@body("near", "d")
def near_detr_over_num_boxes_function_through_local(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    n = _num_boxes(t)
    return {"loss": (src - tgt).abs().sum() / n}


@body("near")
def near_clamp_by_count_function_of_classes(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of(CLASSES)).sum()}


@body("near")
def near_clamp_by_constant_function(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=constant_cap(t)).sum()}


@body("near")
def near_sum_times_constant_function(o, t):
    return {"loss": E(o, t).sum() * constant_cap(t)}


@body("near")
def near_sum_over_classes_count_function(o, t):
    return {"loss": E(o, t).sum() / classes_count(t)}


# === near misses of real criteria (session 34, fixl): a count taken of rows, a whole shape ===========


def _matched_and_count(o, t, idx):
    src, tgt = MATCHED(o, t, idx)
    return src, tgt, len(src)


@body("near", "d")
def near_detr_over_row_count_a_helper_returns(o, t, idx, nb):
    """(mmdet's varifocal / quality focal) a helper returning the matched rows and ``len`` of them
    (of a tensor it computes, no parameter): the group's own count of those rows."""
    src, tgt, n = _matched_and_count(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / max(n, 1)}


def cap_of_listed(t):
    names = [s["labels"] for s in t]
    return 0.1 * len(names)


@body("function")
def clamp_by_count_function_of_a_local_list(o, t):
    """(the other side of the row-count near miss) ``len`` of a list the function builds from its
    parameter: still read as the count (``_bytecode._listed``), declines."""
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_listed(t)).sum()}


PROXIES = torch.linspace(-1.0, 1.0, 30).reshape(6, 5)


def _margin_loss(emb, labels):
    scores = torch.matmul(emb, PROXIES)
    margin = torch.zeros(scores.shape)
    margin[torch.arange(0, margin.shape[0]), labels] = 0.1
    return torch.nn.functional.cross_entropy(scores - margin, labels, reduction="none").sum()


@body("near")
def near_margin_made_with_a_whole_shape(o, t):
    """(pytorch-metric-learning's SoftTriple) a margin ``torch.zeros(scores.shape)`` of class scores
    [B, 5], made after a ``len()`` of image rows, 0.1 written at each row's own class: its width is
    the scores' classes, the same on a group alone."""
    emb = o["emb"]
    assert len(emb) > 0
    return {"loss": _margin_loss(emb, LAB(t)[:, 0])}


# === r2ln (session 34): helpers of helpers, a nested function's free variable, a divisor a function =====
# returning a number of no argument computes (``_bytecode._forwarded_to``, ``_cell_count``, ``argumentless_call``)


def _len_forwarded(t):
    return _len(t)


def _len_forwarded_twice(t):
    return _len_forwarded(t)


def _len_forwarded_thrice(t):
    n = _len_forwarded_twice(t)
    return n


def _cap_forwarded(t):
    return cap_of(t)


def _three_forwarded(t):
    return _three(t)


def _classes_forwarded(t):
    return classes_count(t)


def _classes_count_through_local(t):
    n = len(CLASSES)
    return n


LEVELS = (8, 16, 32)  # a tuple of plain numbers: its length is a constant
SEEN: list[Any] = []  # a list the body refills with its images
N_IMAGES = 0  # a global the body sets to the count


def levels_count(t):
    return len(LEVELS)


def seen_count(t):
    return len(SEEN)


def images_set(t):
    return N_IMAGES


def three_of_call(t):
    return _three_of_nothing()


def _three_of_nothing():
    return 3


def _classes_plus_one(t):
    return len(CLASSES) + 1


@body("forward")
def clamp_by_forwarded_len_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _len_forwarded(t)).sum()}


@body("forward")
def clamp_by_twice_forwarded_len_helper_through_local(o, t):
    n = _len_forwarded_twice(t)
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("forward")
def clamp_by_thrice_forwarded_len_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _len_forwarded_thrice(t)).sum()}


@body("forward")
def sum_times_forwarded_count_function(o, t):
    return {"loss": E(o, t).sum() * _cap_forwarded(t)}


@body("forward")
def clamp_by_forwarded_len_helper_of_one_image(o, t):  # one image's rows: on a group alone another image's
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _len_forwarded_twice(t[0]["y"])).sum()}


@body("near")
def near_clamp_by_forwarded_constant_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _three_forwarded(t)).sum()}


@body("near")
def near_clamp_by_forwarded_classes_count(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _classes_forwarded(t)).sum()}


@body("near")
def near_clamp_by_forwarded_len_helper_of_classes(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _len_forwarded_twice(CLASSES)).sum()}


@body("closure")
def clamp_by_forwarded_len_helper_in_closure(o, t):
    n = _len_forwarded_twice(t)

    def clip(e):
        return e.clamp(max=0.1 * n)
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("closure")
def clamp_by_len_helper_in_lambda(o, t):
    n = _len(t)
    clip = lambda e: e.clamp(max=0.1 * n)  # noqa: E731
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("closure")
def sum_times_count_function_in_closure(o, t):
    c = cap_of(t)

    def scaled(e):
        return e.sum() * c
    return {"loss": scaled(E(o, t))}


@body("closure")
def clamp_by_len_helper_two_closures_deep(o, t):
    n = _len(t)

    def outer(e):
        def clip(e):
            return e.clamp(max=0.1 * n)
        return clip(e)
    return {"loss": outer(E(o, t) * 3.0).sum()}


@body("near")
def near_clamp_by_constant_helper_in_closure(o, t):
    n = _three(t)

    def clip(e):
        return e.clamp(max=0.1 * n)
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("near")
def near_clamp_by_len_helper_of_classes_in_closure(o, t):
    n = _len(CLASSES)

    def clip(e):
        return e.clamp(max=0.1 * n)
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("near")
def near_sum_over_classes_count_function_through_local(o, t):
    c = classes_count(t)
    return {"loss": E(o, t).sum() / c}


@body("near")
def near_sum_over_classes_count_through_a_local_of_its_own(o, t):
    return {"loss": E(o, t).sum() / _classes_count_through_local(t)}


@body("near")
def near_sum_over_forwarded_classes_count(o, t):
    return {"loss": E(o, t).sum() / _classes_forwarded(t)}


@body("near")
def near_sum_over_levels_count_function(o, t):
    return {"loss": E(o, t).sum() / levels_count(t)}


@body("near")
def near_sum_over_constant_helper_through_local(o, t):
    k = _three(t)
    return {"loss": E(o, t).sum() / k}


@body("near")
def near_mean_over_len_helper(o, t):  # the count itself: a mean over the group
    return {"loss": E(o, t).sum() / _len(t)}


@body("divisor")
def sum_over_function_calling_a_function(o, t):  # what ``_three_of_nothing`` returns: not read
    return {"loss": E(o, t).sum() / three_of_call(t)}


@body("divisor")
def sum_over_count_of_a_refilled_global(o, t):
    SEEN.clear()
    for s in t:
        SEEN.append(s)
    return {"loss": E(o, t).sum() / seen_count(t)}


@body("divisor")
def sum_over_a_global_set_to_the_count(o, t):
    global N_IMAGES
    N_IMAGES = len(t)
    return {"loss": E(o, t).sum() / images_set(t)}


@body("near")
def near_sum_over_classes_count_plus_arithmetic(o, t):
    return {"loss": E(o, t).sum() / (_classes_plus_one(t) - 1)}


@body("near")
def near_sum_over_classes_count_times_len_helper(o, t):  # a mean over the group, over 3
    return {"loss": E(o, t).sum() / (classes_count(t) * _len(t))}


MAX_DETECTIONS = 3  # a number: code outside the module may set it per batch


def max_detections(t):
    return MAX_DETECTIONS


@body("divisor")
def sum_over_a_function_returning_a_global_number(o, t):  # declines where it equals a count (a GAP)
    return {"loss": E(o, t).sum() / max_detections(t)}


# === r3fc (session 34): ``len`` of a local the function computes from its parameter otherwise than by a ===
# list display or comprehension (``list(t)``, ``filter``, ``tuple(t)``, ``sorted``, a slice)


def cap_of_list_call(t):
    items = list(t)
    return 0.1 * len(items)


def cap_of_filtered(t):
    kept = list(filter(None, t))
    return 0.1 * len(kept)


def cap_of_tuple_inline(t):
    return 0.1 * len(tuple(t))


def cap_of_sorted(t):
    ranked = sorted(t, key=lambda s: len(s["labels"]))
    return 0.1 * len(ranked)


def cap_of_sliced(t):
    head = t[:]
    return 0.1 * len(head)


def cap_of_list_of_classes(t):
    names = list(CLASSES)
    return 0.1 * len(names)


@body("function")
def clamp_by_count_function_of_list_call(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_list_call(t)).sum()}


@body("function")
def clamp_by_count_function_of_filter(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_filtered(t)).sum()}


@body("function")
def clamp_by_count_function_of_tuple_inline(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_tuple_inline(t)).sum()}


@body("function")
def sum_times_count_function_of_sorted(o, t):
    return {"loss": E(o, t).sum() * cap_of_sorted(t)}


@body("function")
def sum_times_count_function_of_slice(o, t):
    return {"loss": E(o, t).sum() * cap_of_sliced(t)}


@body("function")
def clamp_by_count_function_of_list_call_through_local(o, t):
    c = cap_of_list_call(t)
    return {"loss": (E(o, t) * 3.0).clamp(max=c).sum()}


@body("near")
def near_clamp_by_count_function_of_list_of_classes(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_list_of_classes(t)).sum()}


def _matched_and_listed_count(o, t, idx):
    src, tgt = MATCHED(o, t, idx)
    rows = list(src)
    return src, tgt, len(rows)


@body("near", "d")
def near_detr_over_listed_row_count_a_helper_returns(o, t, idx, nb):
    """``len(list(src))`` of matched rows the helper computes (no parameter): the group's own count."""
    src, tgt, n = _matched_and_listed_count(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / max(n, 1)}
