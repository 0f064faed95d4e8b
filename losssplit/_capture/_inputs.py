"""The call's inputs: each image's source label, and which tensors belong to which image --
read once, before the body runs."""

from __future__ import annotations

import functools
import inspect
import itertools
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from .._context import TokenLabels, current_labels
from .._errors import LossSplitError
from .mode import (
    NOT_TENSORS,
    Frame,
    Tensor,
    Track,
    instance_dict,
    mapping_like,
    stored_values,
    version_of,
)

Warn = Callable[[str, str], None]


def read_sources(
    wrapped: Callable[..., Any],
    args: tuple,
    kwargs: dict,
    source: str | Callable[..., Any],
    name: str,
    warn: Warn,
    warn_again: Warn,
) -> tuple[Sequence[Any] | torch.Tensor | TokenLabels, Sequence[Mapping[str, Any]] | None, str | None] | None:
    """(one label per image, the per-image target dicts or None, a warning or None), or None when
    the call cannot be split (each reason warned): labels from ``losssplit.sources``, else
    ``source`` -- a callable on the call's arguments by name, or the field of the per-image dicts.
    The warning: the list of dicts could be one batch per column (``_by_length``).

    Raises:
        LossSplitError: a source callable returned something other than one label per image.
    """
    labels = current_labels()
    if labels is not None:
        if not len(labels):
            warn("empty", "losssplit.sources() gave 0 labels (an empty batch); returned unchanged")
            return None
        return _by_length(args, kwargs, labels)
    if callable(source):
        try:
            arguments = inspect.signature(wrapped).bind(*args, **kwargs).arguments
            labels = source(arguments)
        except Exception as exc:  # noqa: BLE001 - the user's callable; reported, not raised
            warn("source", f"source callable raised {exc!r}; passed through unsplit")
            return None
        if labels is None:
            return None
        if isinstance(labels, torch.Tensor):
            labels = labels.reshape(-1)
        elif isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
            raise LossSplitError(
                f"split_by_source ({name}): source callable returned "
                f"{type(labels).__name__}; expected one label per image (list, tuple or 1-d tensor)"
            )
        if not len(labels):
            warn("empty", "source callable returned 0 labels (an empty batch); returned unchanged")
            return None
        return _by_length(args, kwargs, labels)
    field = source
    assert isinstance(field, str)  # checked at decoration
    per_image = _per_image_dicts(args, kwargs, None, field)
    if per_image is None:
        dicts = _per_image_dicts(args, kwargs, None, None)
        have = sorted({str(k) for d in dicts for k in d}) if dicts is not None else []
        warn_again(
            "nosource",
            f"no argument is a list of per-image dicts with a {field!r} field "
            + (f"(their fields: {', '.join(have)}); " if have else "(no argument is a list of dicts); ")
            + "returned unchanged (a misspelled source=? single-source training?)",
        )
        return None
    missing = [b for b, d in enumerate(per_image) if field not in d]
    if missing:
        warn_again(
            "partial",
            f"{len(missing)} of {len(per_image)} images have no {field!r} field (e.g. image "
            f"{missing[0]}); returned unchanged",
        )
        return None
    return [d[field] for d in per_image], per_image, None


def _by_length(args: tuple, kwargs: dict, labels: Any) -> tuple[Any, Sequence[Mapping[str, Any]] | None, str | None]:
    """(labels, the per-image dicts: the top-level list of as many dicts as labels, and None), or
    (labels, None, the warning) where that list could as well be one batch per column: read as
    columns only where the reading makes no difference (every image in one group, see
    ``_decorator``), else the call declines with that warning."""
    per_image = _per_image_dicts(args, kwargs, len(labels), None)
    if per_image is not None and len(per_image) > 1 and _is_column_list(per_image, len(per_image)):
        # ``[{"x": [B, D]}, {"x": [B, D]}]`` with B == 2: two images' targets of 2 rows each, or two
        # text columns of the batch; read as the images', each column became one image's (survey 23:
        # a loss over both columns was split per column, silently wrong)
        return labels, None, (
            f"a list of {len(per_image)} dicts of tensors that all have {len(per_image)} rows first: per-image "
            "targets or one batch per column (text pairs, triplets) cannot be told apart; no companions for this call"
        )
    return labels, per_image, None


def _per_image_dicts(
    args: tuple, kwargs: dict, length: int | None, field: str | None
) -> Sequence[Mapping[str, Any]] | None:
    """The top-level list of per-image dicts: with ``field`` in any item, or of ``length``."""
    for value in itertools.chain(args, kwargs.values()):
        if not isinstance(value, (list, tuple)) or not value:
            continue
        if not all(type(v) is dict or isinstance(v, Mapping) for v in value):  # (an ABC's check runs Python)
            continue
        if length is not None and len(value) != length:
            continue
        if field is not None and not any(field in v for v in value):
            continue
        return value
    return None


def tag_inputs(
    frame: Frame,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    per_image: Sequence[Mapping[str, Any]] | None,
    weight_field: str | None,
    weight_argument: Any = None,
    wrapped: Callable[..., Any] | None = None,
    declared: Sequence[tuple[Tensor, int, bool]] = (),
) -> int:
    """Tag tensors of the call's arguments; returns how many were tagged.

    ``per_image`` is the list of per-image target dicts (every tensor in item ``b`` is image
    ``b``), or ``None``. Other batch-first tensors -- top-level tensor arguments, tensors in
    top-level dicts (model outputs, nested ``aux_outputs`` included) and top-level lists of
    per-level prediction maps (``_is_level_list``) or of per-column dicts (``_is_column_list``) --
    whose first dimension is the number of images get rows ``0..B-1`` along dim 0. The weight field of the dicts (and a
    weight passed as ``weight_argument``) is tagged with unweighted values of 1; its per-image
    values are kept on the frame to recognise weights rebuilt from Python numbers. ``declared``:
    (tensor, its dim of images, nested) of the layouts the user declared (``declared_dims``), whose
    rows go along that dim instead.
    """
    count = 0
    frame.per_image_targets = per_image
    if per_image is not None:
        frame.given_targets = tuple(d.copy() if type(d) is dict else None for d in per_image)
    frame.read_argument_numbers = functools.partial(
        _argument_numbers, args, kwargs, weight_field, weight_argument, frame.num_images
    )
    frame.read_argument_tensors = functools.partial(_walk, [*args, *kwargs.values()], -1)
    frame.read_image_lists = functools.partial(_image_lists, [*args, *kwargs.values()], frame.num_images)
    frame.image_list_items = {id(v): tuple(v) for v in (*args, *kwargs.values())
                              if type(v) in (list, tuple) and len(v) == frame.num_images}
    if weight_argument is not None:
        count += _tag_weight_argument(frame, weight_argument)
    for t, dim, nested in declared:  # before the batch-first reading, which skips tagged tensors
        count += _tag_batch_first(frame, t, nested, dim)
    for value in list(args) + list(kwargs.values()):
        if value is per_image and per_image is not None:
            count += _tag_per_image(frame, per_image, weight_field)
        elif isinstance(value, Tensor):
            count += _tag_batch_first(frame, value, nested=False)
        elif mapping_like(type(value)):
            for t in _walk(value, 0):
                count += _tag_batch_first(frame, t, nested=True)
        elif _is_level_list(value, frame.num_images):
            for t in value:
                count += _tag_batch_first(frame, t, nested=True)
        elif _is_column_list(value, frame.num_images):
            for t in (t for column in value for t in column.values()):
                count += _tag_batch_first(frame, t, nested=True)
    frame.arguments = set(frame.tracks)
    for value in [*args, *kwargs.values()]:  # (tagged ones, the weight argument included, are no such scalar)
        if type(value) is Tensor and value.numel() == 1 and value.is_floating_point() and not value.requires_grad \
                and frame.get(value) is None:
            frame.argument_scalars[id(value)] = (value, version_of(value))
    _layer_lists(frame, [*args, *kwargs.values()], 0)
    _list_attributes(frame, [*args, *kwargs.values(), *_held_by(wrapped)])
    if isinstance(wrapped, torch.nn.Module) and type(vars(wrapped).get("_modules")) is dict:  # a module as the body
        _layers(frame, vars(wrapped)["_modules"])
        _module_lists(frame, wrapped)
    return count


def _held_by(wrapped: Callable[..., Any] | None) -> list[Any]:
    """The objects the body holds: a method's object, its closure's values, the module globals
    its code names."""
    code, names = getattr(wrapped, "__code__", None), getattr(wrapped, "__globals__", None)
    held = [getattr(wrapped, "__self__", None)]
    held += [c.cell_contents for c in getattr(wrapped, "__closure__", None) or () if _filled(c)]
    if isinstance(code, types.CodeType) and type(names) is dict:
        held += [names[n] for n in code.co_names if n in names]
    return held


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def _list_attributes(frame: Frame, objects: Sequence[Any]) -> None:
    """Record in ``frame.fixed_lists`` the list and dict attributes of ``objects`` (the call's
    arguments, the method's object, the body's closure: a criterion's ``self.losses``,
    ``self.weight_dict``) as they are before the body runs: a loop over a list still holding those
    items runs as often on a group alone, a number read from such a dict was not set from the
    images (``_bytecode.configured_item``)."""
    for obj in objects:
        found = instance_dict(obj, type(obj))
        if found is not None and not isinstance(obj, (type, types.ModuleType)):
            for value in found.values():
                if type(value) is list and id(value) not in frame.fixed_lists:
                    frame.fixed_lists[id(value)] = (value, tuple(value), False)
                elif type(value) is dict:  # ``self.weight_dict``; a module's ``_modules``
                    frame.fixed_lists[id(value)] = (value, tuple(value.items()), False)
                    _layers(frame, value)
                elif isinstance(value, torch.nn.Module):  # a criterion held, not registered (a wrapper's)
                    _module_lists(frame, value)
        if isinstance(obj, torch.nn.Module) and (type(found) is not dict or found.get("_modules")):  # (its own: above)
            _module_lists(frame, obj)


def _module_lists(frame: Frame, module: torch.nn.Module) -> None:
    """Record the list attributes of ``module``'s submodules, at most 64 (monai's ``MultiScaleLoss``
    held by the criterion, its ``self.scales``): configuration as the criterion's own, a loop over
    one still holding those items runs as often on a group alone."""
    for k, sub in enumerate(module.modules()):
        if k >= 64:
            return
        for value in vars(sub).values():
            if type(value) is list and id(value) not in frame.fixed_lists:
                frame.fixed_lists[id(value)] = (value, tuple(value), False)


def _layers(frame: Frame, modules: dict) -> None:
    """Record the own layers of each module among ``modules`` (a module's ``_modules``: ``self.heads``'
    layers) as they are before the body runs: a loop over them is fixed only while they are
    (``_bytecode._layers_unchanged``)."""
    if len(modules) > 64 and set(map(type, modules.values())) <= _PLAIN_VALUES:
        return  # a dict of plain values (a vocabulary of 50,000 words): no module among them, seen in C
    for child in modules.values():
        held = vars(child).get("_modules") if isinstance(child, torch.nn.Module) else None
        if type(held) is dict and id(held) not in frame.fixed_lists:
            frame.fixed_lists[id(held)] = (held, tuple(held.items()), False)


_CPU = torch.device("cpu")
# builtin types, whose objects cannot claim another ``__class__`` (so none is a module)
_PLAIN_VALUES = frozenset({int, float, bool, str, bytes, type(None), tuple, list, dict, set})


def _layer_lists(frame: Frame, values: Sequence[Any], depth: int) -> None:
    """Record in ``frame.fixed_lists`` the lists among ``values`` (in dicts and lists, four levels
    deep) each of whose items holds a tensor tagged with a row of every image (``aux_outputs``: one
    dict of batch-first outputs per decoder layer): each item is of every image, so the list is
    not one over the images, and on a group alone it has as many items. Every dict among them too,
    with its items as given (a field ``outputs["meta"]["groups"]`` read as the call's constant must
    still hold it: ``_bytecode.constant_product_operand``)."""
    for value in values:
        if type(value) is Tensor:  # most values: no container (and ``hasattr`` of a tensor raises inside)
            continue
        if mapping_like(type(value)):
            if type(value) is dict and id(value) not in frame.fixed_lists:  # its fields as given (``outputs["meta"]``)
                frame.fixed_lists[id(value)] = (value, tuple(value.items()), False)
            if depth < 4:
                _layer_lists(frame, stored_values(value) or [], depth + 1)
        elif type(value) in (list, tuple) and value and depth < 4:
            for v in value:  # (loops: no generators per list of the inputs)
                for t in _walk(v, depth + 1):
                    if _of_every_image(frame, t):
                        break
                else:
                    break
            else:
                frame.fixed_lists[id(value)] = (value, tuple(value), True)
            _layer_lists(frame, value, depth + 1)


def _of_every_image(frame: Frame, t: Tensor) -> bool:
    # (of a batch of one image too: a group with images is that image alone, whose lists the
    # body gets as they are, whatever its weight)
    track = frame.get(t)  # (its rows along dim 0, or the dim the user declared: all an input has)
    return track is not None and any(r.numel() == frame.num_images for r in track.rows.values())


def _image_lists(values: list[Any], images: int) -> list[Sequence[Any]]:
    """The top-level lists and tuples among ``values`` that hold one item per image."""
    return [v for v in values if type(v) in (list, tuple) and len(v) == images]


def _is_level_list(value: Any, num_images: int) -> bool:
    """A top-level list of prediction maps, one per feature level (``[B, anchors, H, W, ...]``
    each): float tensors of 3 dims or more whose first dim is the number of images. Lists of
    other things (per-image tensors, matcher indices) are not read as batch-first."""
    return (
        isinstance(value, (list, tuple))
        and bool(value)
        and all(isinstance(t, Tensor) and t.is_floating_point() and t.dim() >= 3 and t.shape[0] == num_images
                for t in value)
    )


def _is_column_list(value: Any, num_images: int) -> bool:
    """A top-level list of dicts of one batch per column (a text pair's or triplet's features,
    ``[{"input_ids": [B, T], "attention_mask": [B, T]}, ...]``): every value of every dict a
    tensor of one dim or more with the images' rows first. Per-image target dicts hold other
    values too (a weight, a 0-dim tensor, a number, a nested dict) or rows of their own."""
    return (
        isinstance(value, (list, tuple))
        and bool(value)
        and all(isinstance(v, Mapping) and v for v in value)
        and all(isinstance(t, Tensor) and t.dim() and t.shape[0] == num_images for v in value for t in v.values())
    )


def _tag_per_image(frame: Frame, per_image: Sequence[Mapping[str, Any]], weight_field: str | None) -> int:
    count = 0
    weights: list[Any] = []
    for b, item in enumerate(per_image):
        w = item.get(weight_field) if weight_field is not None else None
        for key, value in item.items():
            for t in _walk(value, 1):
                if frame.get(t) is not None:
                    continue
                image = frame.image_index(b, _CPU if t.is_cpu else t.device)  # (``Tensor.device`` makes an object)
                if key == weight_field:
                    frame.set(t, Track(image=image, unweighted=torch.ones_like(t)))
                else:
                    frame.set(t, Track(image=image, from_prediction=t.requires_grad))
                    if not t.requires_grad:
                        frame.data_inputs.add(id(t))
                count += 1
        weights.append(w)
    frame.set_weights(weights)
    frame.weight_field = weight_field
    frame.count_instances = functools.partial(_instance_counts, per_image, weight_field)
    frame.read_field_floats = functools.partial(_field_floats, per_image, weight_field)
    return count


def _field_floats(per_image: Sequence[Mapping[str, Any]], weight_field: str | None) -> dict[int, tuple[float, frozenset[int]]]:
    """The float objects of the per-image targets' fields other than the weight field (a field's
    value, or one in a short list, tuple or dict there, two levels deep): id -> (the float, the
    images whose fields hold it)."""
    found: dict[int, tuple[float, set[int]]] = {}

    def walk(value: Any, b: int, depth: int) -> None:
        if type(value) is float:
            found.setdefault(id(value), (value, set()))[1].add(b)
        elif depth and type(value) is not Tensor and isinstance(value, (list, tuple, Mapping)) and len(value) <= 64:
            for v in value.values() if isinstance(value, Mapping) else value:
                walk(v, b, depth - 1)

    for b, item in enumerate(per_image):
        for key, value in item.items():
            if key != weight_field:
                walk(value, b, 2)
    return {k: (v, frozenset(images)) for k, (v, images) in found.items()}


def _tag_weight_argument(frame: Frame, value: Any) -> int:
    """A weight passed as an argument: per image (first dim B) or per row; its values count 1."""
    if not isinstance(value, Tensor) or frame.get(value) is not None:
        return 0
    rows = {0: frame.arange(value.device)} if value.dim() and value.shape[0] == frame.num_images else {}
    frame.set(value, Track(rows=rows, unweighted=torch.ones_like(value)))
    if rows and value.dim() == 1:
        frame.set_weights(list(value.detach().unbind(0)))
    return 1


# Fields that count a per-image target's instances, most telling first; otherwise the tensor
# fields whose first dims agree most often (``size``-like fields of fixed length lose the vote).
_INSTANCE_FIELDS = ("labels", "boxes", "class_labels", "classes", "gt_labels", "gt_boxes", "bboxes")


def _instance_counts(per_image: Sequence[Mapping[str, Any]], weight_field: str | None) -> list[int] | str | None:
    """Target instances per image (rows of the per-image target tensors); None when the targets
    hold no such tensors, ``"ambiguous"`` when their first dims disagree with no clear winner."""
    shared = [
        k
        for k, v in per_image[0].items()
        if k != weight_field
        and all(isinstance(d.get(k), Tensor) and d[k].dim() >= 1 for d in per_image)
    ]
    if not shared:
        return None
    for key in _INSTANCE_FIELDS:
        if key in shared:
            return [int(d[key].shape[0]) for d in per_image]
    votes: dict[tuple[int, ...], int] = {}
    for key in shared:
        counts = tuple(int(d[key].shape[0]) for d in per_image)
        votes[counts] = votes.get(counts, 0) + 1
    best = max(votes.values())
    winners = [c for c, n in votes.items() if n == best]
    if len(winners) > 1:  # a fixed-size field (queries, tokens) ties with the instances: not them
        winners = [c for c in winners if len(set(c)) > 1]
    return list(winners[0]) if len(winners) == 1 else "ambiguous"


def _argument_numbers(
    args: Sequence[Any], kwargs: dict[str, Any], weight_field: str | None, weight: Any, images: int
) -> tuple[list[float], Callable[[], list[float]]]:
    """The numbers among the call's arguments: Python numbers and one-element tensors, also
    inside lists, tuples and dicts (four levels deep), but not the weight field's or the weight
    argument's values, nor anything in the per-image dicts (an ``image_id``, one object's
    ``labels``: data of one image, not a normaliser). The Python numbers and the CPU tensors', and
    a function reading the other tensors' with one host read per device (asked only where none of
    the first matches: on an accelerator a read is a sync)."""
    numbers: list[float] = []
    scalars: dict[torch.device, list[Tensor]] = {}
    for value in itertools.chain(args, kwargs.values()):
        _numbers_in(value, 0, numbers, scalars, weight_field, weight, images)
    for device in [d for d in scalars if d.type == "cpu"]:
        numbers += torch.stack(scalars.pop(device)).tolist()

    def read() -> list[float]:
        return [v for ts in scalars.values() for v in torch.stack(ts).tolist()]

    return numbers, read


def _numbers_in(
    obj: Any,
    depth: int,
    numbers: list[float],
    scalars: dict[torch.device, list[Tensor]],
    weight_field: str | None,
    weight: Any,
    images: int,
) -> None:
    """``_argument_numbers``' walk (a module-level function: a nested recursive one is a reference
    cycle, left per call for the garbage collector)."""
    if obj is weight and weight is not None:
        return
    if isinstance(obj, (int, float)) and not isinstance(obj, bool):
        numbers.append(float(obj))
    elif type(obj) not in NOT_TENSORS and isinstance(obj, Tensor):
        if obj.numel() == 1 and not obj.is_complex():
            scalars.setdefault(obj.device, []).append(obj.detach().reshape(()).to(torch.float64))
    elif depth < 4 and (isinstance(obj, dict) or (hasattr(obj, "items") and hasattr(obj, "keys"))):
        for k, v in obj.items():
            if k != weight_field:
                _numbers_in(v, depth + 1, numbers, scalars, weight_field, weight, images)
    elif depth < 4 and isinstance(obj, (list, tuple)):
        if len(obj) == images and obj and all(type(v) is dict or isinstance(v, Mapping) for v in obj):
            return  # the per-image dicts
        if len(obj) == images and obj and all(_index_item(v) for v in obj):
            return  # the matcher's indices per image: positions, not a normaliser (rt39: a one-element index's value
            # was taken for an argument number a size of one image equalled)
        for v in obj:
            _numbers_in(v, depth + 1, numbers, scalars, weight_field, weight, images)


def _index_item(v: Any) -> bool:
    """Whether ``v`` is an integer tensor or a non-empty tuple or list of them (an image's matched
    ``(src, tgt)`` indices)."""
    if type(v) in (tuple, list):
        if not v:
            return False
        for x in v:  # (a loop: no generator per item of the inputs)
            if type(x) not in (tuple, list) and not _index_item(x):
                return False
        return True
    return isinstance(v, Tensor) and not v.is_floating_point() and not v.is_complex() and v.dtype is not torch.bool


def _tag_batch_first(frame: Frame, t: Tensor, nested: bool, dim: int = 0) -> int:
    """Tag ``t`` with the images' rows along ``dim`` (0 unless declared: ``declared_dims``) where
    that dim has one index per image."""
    if t.dim() == 0 or frame.get(t) is not None:
        return 0
    # Float tensors in a dict argument are model outputs (also under no_grad); a top-level float
    # tensor may be per-sample data, so it counts as a prediction when it requires grad, or when
    # the call runs without grad (evaluation, where no prediction requires it).
    pred = t.requires_grad or (t.is_floating_point() and (nested or not torch.is_grad_enabled()))
    if t.shape[dim] != frame.num_images:
        if dim == 0 and pred and t.requires_grad and t.shape[0] > frame.num_images and t.shape[0] % frame.num_images == 0:
            frame.multiple_rows.append(tuple(t.shape))
        return 0
    frame.set(t, Track(rows={dim: frame.arange(t.device)}, from_prediction=pred))
    if not pred:
        frame.data_inputs.add(id(t))
        if t.dtype == torch.bool:  # a mask passed in: which labels it keeps cannot be told (``follow_labels``)
            frame.of_labels[id(t)] = (t, "")
    return 1


def declared_dims(
    wrapped: Callable[..., Any],
    args: Sequence[Any],
    kwargs: dict[str, Any],
    image_dims: Mapping[str, int],
    images: int,
    per_image: Any,
    weight_argument: Any,
) -> list[tuple[Tensor, int, bool]] | str:
    """The tensors ``split_by_source(image_dims=...)`` names in this call: (tensor, its dim of
    images, whether it is held inside an argument), or why the call cannot be read so (a
    declared path this call does not hold, a tensor whose declared dim is not of ``images``).
    A path whose value is None is an optional argument not given: nothing to tag."""
    if not image_dims:
        return []
    try:
        signature = inspect.signature(wrapped)
        arguments = dict(signature.bind(*args, **kwargs).arguments)
    except (TypeError, ValueError):
        return "its arguments do not bind to the signature, so the declared image_dims cannot be found"
    for name, value in list(arguments.items()):  # ``**kwargs``: its keywords by their own names
        if signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD and type(value) is dict:
            arguments.update({k: v for k, v in value.items() if k not in arguments})
    found: list[tuple[Tensor, int, bool]] = []
    for path, dim in image_dims.items():
        root, *fields = path.split(".")
        if root not in arguments:
            continue  # a parameter not passed (its default): not a tensor of the images
        value = arguments[root]
        if value is per_image and per_image is not None:
            return f"image_dims names {path!r} in the per-image dicts, whose tensors are each one image's"
        for field in fields:
            if isinstance(value, Mapping) and field in value:
                value = value[field]
            elif type(value) in (list, tuple) and field.isdigit() and int(field) < len(value):
                value = value[int(field)]
            else:
                return f"image_dims names {path!r}, which this call does not hold"
        if value is None:
            continue
        if not isinstance(value, Tensor):
            return f"image_dims names {path!r}, which is a {type(value).__name__}, not a tensor"
        if value is weight_argument:
            return f"image_dims names {path!r}, the weight argument (read per image along its dim 0)"
        if not -value.dim() <= dim < value.dim() or value.shape[dim] != images:
            return (f"image_dims declares dim {dim} of {path!r} {tuple(value.shape)} the images', but the call has "
                    f"{images} images")
        found.append((value, dim % value.dim(), bool(fields)))
    return found


def _walk(obj: Any, depth: int) -> list[Tensor]:
    if type(obj) not in NOT_TENSORS and isinstance(obj, Tensor):
        return [obj]
    held = stored_values(obj) if depth <= 4 else None  # (no code of the user's: ``stored_values``)
    return [t for v in held for t in _walk(v, depth + 1)] if held else []


def describe_inputs(wrapped: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    """Names (as in ``wrapped``'s signature) and shapes of the tensor arguments, for messages."""
    try:
        named = list(inspect.signature(wrapped).bind(*args, **kwargs).arguments.items())
    except (TypeError, ValueError):  # no signature, or the call does not bind: by position
        named = [(f"argument {i}", v) for i, v in enumerate(args)] + list(kwargs.items())
    parts = []
    for name, value in named:
        tensors = _walk(value, 0)
        if isinstance(value, Tensor):
            parts.append(f"{name} {tuple(value.shape)}")
        elif tensors:
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors[:4])
            more = ", ..." if len(tensors) > 4 else ""
            parts.append(f"{name} [{shapes}{more}]")
    return "; ".join(parts) or "no tensor arguments"
