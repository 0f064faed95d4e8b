"""``split_by_source``: the wrapt wrapper. Policy lives in the capture and split modules."""

from __future__ import annotations

import copy
import dataclasses
import dis
import functools
import inspect
import itertools
import logging
import math
import numbers
import operator
import random
import sys
import types
from collections.abc import (
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    Sequence,
)
from typing import Any, TypeVar, overload

import torch
import wrapt

from . import _context
from ._capture import (
    CaptureMode,
    Frame,
    declared_dims,
    describe_inputs,
    fast_paths_unchanged,
    read_sources,
    tag_inputs,
)
from ._capture._aside import own_ops, users_dispatch_modes
from ._capture._bytecode import CAPTURE, _per_code, body_call, python_checked
from ._capture.mode import instance_dict, mapping_like, stored_attribute, stored_values
from ._companion import (
    REPORTED_ATTR,
    WINDOW_ATTR,
    Companion,
    Companions,
    declined_record,
    format_fields,
    is_companion,
    stamp_of,
)
from ._context import TokenLabels
from ._errors import LossSplitError
from ._groups import Grouping, Membership, PredicateError, _python_label
from ._split import attach, collect, finish, returned_items, returned_values
from ._tokens import per_token, token_membership

logger = logging.getLogger("losssplit")
F = TypeVar("F", bound=Callable[..., Any])
Source = str | Callable[[Mapping[str, Any]], Any]
_CALLS = itertools.count()


_is_compiling: Callable[[], bool] = getattr(getattr(torch, "compiler", None), "is_compiling", lambda: False)


class _Splitter:
    """The wrapper function wrapt calls as ``(wrapped, instance, args, kwargs)``."""

    def __init__(
        self,
        wrapped: Callable[..., Any],
        source: Source,
        groups: Any,
        threshold: float,
        keys: Iterable[str] | None,
        key_format: str,
        every: int,
        weight: str | None = "loss_weight",
        name: str = "loss",
        image_dims: Mapping[str, int] | None = None,
    ) -> None:
        if weight is not None and not (isinstance(weight, str) and weight):
            raise TypeError(
                "split_by_source(weight=...): expected a field or argument name (str) or None, "
                f"got {type(weight).__name__}"
            )
        if not (isinstance(source, str) and source) and not callable(source):
            raise TypeError(
                "split_by_source(source=...): expected a field name (str) or a callable on the "
                f"call's arguments, got {type(source).__name__}"
            )
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, numbers.Real)):
            raise TypeError(f"split_by_source(threshold=...): expected a number, got {type(threshold).__name__}")
        if math.isnan(threshold):
            raise ValueError("split_by_source(threshold=...): expected a number, got nan")
        if keys is not None and not isinstance(keys, (str, bytes)):
            keys = tuple(keys)  # a generator would be used up by the check below
        if isinstance(keys, (str, bytes)) or (keys is not None and not all(isinstance(k, str) for k in keys)):
            raise TypeError(f"split_by_source(keys=...): expected an iterable of key names, got {keys!r}")
        format_fields(key_format, "split_by_source(key_format=...)", {"key", "group"}, {"key", "group"})
        if isinstance(every, bool) or not isinstance(every, (int, numbers.Integral)) or every < 1:
            raise ValueError(f"split_by_source(every=...): expected an int >= 1, got {every!r}")
        every = int(every)
        if not isinstance(name, str) or not name:
            raise TypeError(f"split_by_source(name=...): expected a non-empty str, got {name!r}")
        self.image_dims = _image_dims(image_dims, wrapped)
        self.source = source
        self.grouping = Grouping(groups, float(threshold))
        self.keys = frozenset(keys) if keys is not None else None
        self.key_format = key_format
        self.every = every
        self.weight = weight
        try:  # a weight named like one of the method's parameters is that argument
            self.weight_parameter = weight is not None and weight in inspect.signature(wrapped).parameters
        except (TypeError, ValueError):
            self.weight_parameter = False
        self.tensor_key = name
        self.options = dict(
            source=source, groups=groups, threshold=threshold, keys=keys, key_format=key_format, every=every,
            weight=weight, name=name, image_dims=image_dims,
        )
        # Sampled at random, not every N-th call: a criterion called several times per step (one
        # call per decoder layer) would otherwise never be sampled on some of its calls.
        self.sampler = random.Random(0x5EED)
        self.passthrough = (
            inspect.isgeneratorfunction(wrapped)
            or inspect.iscoroutinefunction(wrapped)
            or inspect.isasyncgenfunction(wrapped)
        )
        self.name = getattr(wrapped, "__qualname__", repr(wrapped))
        self.warned: set[str] = set()
        self.seen: dict[str, int] = {}  # how often each repeating warning occurred
        self.split_once = False  # a call has been split: later data errors decline, not raise
        # where the body keeps a dict it returns again (an attribute, an argument, a global or a
        # closure cell): emptied of our companions before each call, so the body never sees them
        self.homes: set[tuple[str, Any]] = set()
        self.function: Callable[..., Any] | None = None  # a plain function: called without wrapt's call

    def warn(self, key: str, message: str) -> None:
        if key not in self.warned:
            self.warned.add(key)
            logger.warning("losssplit (%s): %s", self.name, message)

    def warn_again(self, key: str, message: str) -> None:
        """Warn at the 1st, 10th, 100th, ... occurrence of ``key``: never silent for a whole run."""
        count = self.seen[key] = self.seen.get(key, 0) + 1
        if count == 10 ** (len(str(count)) - 1):
            times = "" if count == 1 else f" ({count} calls so far)"
            logger.warning("losssplit (%s): %s%s", self.name, message, times)

    def active(self) -> bool:
        """wrapt's ``enabled`` hook: False makes a call a plain call of the wrapped function before
        any wrapper work (switched off, with no kept dict to empty of earlier companions)."""
        return bool(self.homes) or _context.enabled()

    def __call__(self, wrapped: Callable[..., Any], instance: Any, args: tuple, kwargs: dict) -> Any:
        if self.homes:
            self._empty_homes(wrapped, instance, args, kwargs)
        if self.passthrough or not _context.enabled():
            if self.passthrough:
                self.warn("passthrough", "generator and async functions are passed through unsplit")
            return wrapped(*args, **kwargs)
        if _is_compiling():  # before any state is read: dynamo would guard on it and recompile
            self.warn("compile", "called under torch.compile: passed through unsplit")
            return wrapped(*args, **kwargs)
        if not python_checked():
            self.warn_again("python", f"companions need CPython 3.11 (the layout of the body's bytecode the rules read); "
                            f"this is {sys.implementation.name} {sys.version_info[0]}.{sys.version_info[1]}: passed through unsplit")
            return wrapped(*args, **kwargs)
        call = next(_CALLS)
        if self.every > 1 and self.sampler.random() * self.every >= 1.0:
            return self._drop_stale(wrapped(*args, **kwargs), call)
        shield = CAPTURE.set(None)  # an enclosing call's op is not this call's (``_bytecode._caller``)
        try:
            return self._split_call(wrapped, instance, args, kwargs, call)
        finally:
            CAPTURE.reset(shield)

    def _split_call(self, wrapped: Callable[..., Any], instance: Any, args: tuple, kwargs: dict, call: int) -> Any:
        with torch._C.DisableTorchFunction():
            try:
                prepared = read_sources(wrapped, args, kwargs, self.source, self.name, self.warn, self.warn_again)
            except LossSplitError:
                raise
            except Exception as exc:  # noqa: BLE001 - never let our bug stop training
                self.warn("internal", f"internal error while reading sources ({exc!r}); passed through")
                prepared = None
        if prepared is None:
            return self._drop_stale(wrapped(*args, **kwargs), call)
        labels, per_image, columns = prepared
        frame: Frame | None = None
        try:
            held = self._weight_held_elsewhere(args, kwargs, per_image, len(labels))
            if held is None:
                frame = self._frame(labels, wrapped, args, kwargs)
                own = columns is None or frame.own_oracle()
        except Exception as exc:  # noqa: BLE001 - never let our bug stop training
            if frame is not None:
                frame.close()
            self.warn("internal", f"internal error while reading inputs ({exc!r}); passed through")
            return self._declined(self._drop_stale(wrapped(*args, **kwargs), call))
        if frame is None:
            self.warn_again("weightform", f"the weight field {self.weight!r} is held as {held}, which losssplit does not "
                            "set to 1 (only the per-image dicts' field and a weight= argument are followed; "
                            "weight=None if the body does not read it); no companions for this call")
            return self._declined(self._drop_stale(wrapped(*args, **kwargs), call))
        if columns is not None and not own:  # read as columns, each column would be an image's
            self.warn_again("columns", columns)
            frame.close()
            return self._declined(self._drop_stale(wrapped(*args, **kwargs), call))
        try:
            with torch._C.DisableTorchFunction(), own_ops(frame.dispatch_modes):
                try:
                    weights = self._weight(wrapped, args, kwargs)
                    declared = declared_dims(wrapped, args, kwargs, self.image_dims, len(labels), per_image, weights[1])
                    if isinstance(declared, str):
                        self.warn_again("imagedims", f"{declared}; no companions for this call")
                    tagged: int | None = None if isinstance(declared, str) else tag_inputs(
                        frame, args, kwargs, per_image, *weights, wrapped=wrapped, declared=declared)
                except Exception as exc:  # noqa: BLE001 - never let our bug stop training
                    self.warn("internal", f"internal error while reading inputs ({exc!r}); passed through")
                    tagged = None
            if tagged is None:  # the user's modes and tensor subclasses see this call as usual
                return self._declined(self._drop_stale(wrapped(*args, **kwargs), call))
            holder = instance if instance is not None else getattr(wrapped, "__self__", None)
            try:
                numbers = _numbers_held(holder, wrapped) if len(labels) > 1 else None
            except Exception as exc:  # noqa: BLE001 - never let our bug stop training
                self.warn("internal", f"internal error while reading the body's state ({exc!r}); passed through")
                return self._declined(self._drop_stale(wrapped(*args, **kwargs), call))
            try:
                mode = CaptureMode(frame, (args, kwargs))
            except Exception as exc:  # noqa: BLE001 - never let our bug stop training
                self.warn("internal", f"internal error while reading inputs ({exc!r}); passed through")
                return self._declined(self._drop_stale(wrapped(*args, **kwargs), call))
            capture = CAPTURE.set(frame)
            try:
                with mode, fast_paths_unchanged(mode):
                    result = wrapped(*args, **kwargs)
            finally:
                CAPTURE.reset(capture)
            with torch._C.DisableTorchFunction(), own_ops(frame.dispatch_modes):
                try:
                    counted, moved = _counted_into(holder, wrapped, numbers, len(labels))
                except Exception as exc:  # noqa: BLE001 - the body ran: its result goes back as it is
                    self.warn("internal", f"internal error while reading the body's state ({exc!r}); dict unchanged")
                    return self._declined(self._drop_stale(result, call))
                for name, flag in moved:
                    frame.doubt(flag, f"the call changed the tensor {name!r} of its state by its number of images "
                                f"({len(labels)}): a count of the batch kept across calls, which the body may read back")
            if counted is not None:
                self.warn_again("state", f"the call changed {counted!r} of its state by its "
                                f"number of images ({len(labels)}): a count of the batch kept across calls, which the "
                                "body may read back (on a group alone it counts the group's); no companions for this call")
                return self._declined(result)
            if frame.exact_numbers:
                try:
                    frame.give_back_ints(result)
                except Exception as exc:  # noqa: BLE001 - the body ran: its result goes back
                    self.warn("internal", f"internal error while giving back the body's ints ({exc!r}); dict unchanged")
                    return self._declined(result)
            with torch._C.DisableTorchFunction(), own_ops(frame.dispatch_modes):
                if tagged == 0:
                    keys = list(result) if isinstance(result, Mapping) else type(result).__name__
                    raise LossSplitError(
                        f"split_by_source ({self.name}): {len(labels)} source labels, but no argument "
                        f"holds per-image dicts or a tensor with {len(labels)} rows (returned keys "
                        f"{keys}; tensor arguments: {describe_inputs(wrapped, args, kwargs)})"
                    )
                try:
                    frame.targets_length_tests(wrapped, args, kwargs)
                    self._split(
                        frame, result, labels, call, (wrapped, instance, args, kwargs),
                        id(per_image if per_image is not None else labels),
                    )
                except LossSplitError:
                    raise
                except Exception as exc:  # noqa: BLE001 - never let our bug stop training
                    self.warn("internal", f"internal error while splitting ({exc!r}); dict unchanged")
                    self._declined(result)
        finally:
            frame.close()
        return result

    def _frame(self, labels: Sequence[Any] | torch.Tensor | TokenLabels, wrapped: Callable[..., Any], args: tuple,
               kwargs: dict) -> Frame:
        """The capture's state of this call, with what it may ask of the call later."""
        frame = Frame(len(labels))
        frame.dispatch_modes = users_dispatch_modes()
        frame.read_body_call = functools.partial(body_call, id(sys._getframe(1)), wrapped, args, kwargs)
        frame.body_code = getattr(getattr(wrapped, "__func__", wrapped), "__code__", None)
        if isinstance(labels, TokenLabels):
            frame.tokens = labels.length
        else:
            frame.read_groups = functools.partial(self._host_groups, frame, labels)
        frame.read_whole = functools.partial(self._whole_batch, frame, labels, wrapped, args, kwargs)
        return frame

    def _declined_keys(self, result: Mapping[str, Any], done: Collection[str] = ()) -> list[tuple[str, Any]]:
        """(key, loss) of the returned losses, other than ``done``, that the split would have looked at."""
        return [(key, value) for key, value in returned_items(result)
                if key not in done and isinstance(value, torch.Tensor) and (self.keys is None or key in self.keys)
                and not is_companion(value)]

    def _declined(self, result: Any) -> Any:
        """``result``, its losses marked as declined by this call for every group (``declined_record``):
        the window's value of every group of theirs leaves this call's images out, so it has none."""
        try:
            with torch._C.DisableTorchFunction():
                sink = _context.current_sink()
                if isinstance(result, torch.Tensor):
                    declined = [(self.tensor_key, result)] if sink is not None else []
                elif isinstance(result, Mapping):
                    declined = self._declined_keys(result)
                else:
                    return result
                if not declined:
                    return result
                records = [declined_record(key) for key, _ in declined]
                _hold(declined, records, WINDOW_ATTR if sink is None else REPORTED_ATTR)
                if sink is not None:
                    sink(records, batch=0)
        except Exception as exc:  # noqa: BLE001 - never let our bug stop training
            self.warn("internal", f"internal error while marking a declined call ({exc!r})")
        return result

    def _assign(self, frame: Frame, labels: Sequence[Any] | torch.Tensor) -> tuple[list[str], Membership, list[int]]:
        """The call's groups (``Grouping.assign``), once per call: the capture may ask first."""
        if frame.assigned is None:
            numeric = isinstance(self.source, str) and self.source == "loss_weight" and _context.current_labels() is None
            try:
                frame.assigned = self.grouping.assign(labels, numeric)
            except Exception as exc:  # noqa: BLE001 - raised again where the split asks
                frame.assigned = exc
        if isinstance(frame.assigned, BaseException):
            raise frame.assigned
        return frame.assigned

    def _host_groups(self, frame: Frame, labels: Sequence[Any] | torch.Tensor) -> list[int] | None:
        """Each image's group, where every image is in at most one and the groups are known on
        the host without a read (labels grouped in Python); None otherwise (``Frame.host_groups``)."""
        try:
            with torch._C.DisableTorchFunction():
                membership = self._assign(frame, labels)[1]
        except Exception:  # noqa: BLE001 - the split reports it
            return None
        return membership.host_group if membership.image is None else None

    def _whole_batch(
        self, frame: Frame, labels: Sequence[Any] | torch.Tensor | TokenLabels, wrapped: Callable[..., Any],
        args: tuple, kwargs: dict,
    ) -> bool:
        """Whether every image of the call is in one group (and in no other) and its weights are all
        the number 1: that group's images alone, weights set to 1, are the call's own arguments, so
        the body returns there what it returned; known on the host without a read."""
        if isinstance(labels, TokenLabels):
            return False
        try:
            with torch._C.DisableTorchFunction():
                membership, outside = self._assign(frame, labels)[1:]
        except Exception:  # noqa: BLE001 - the split reports it
            return False
        groups = membership.host_group
        if outside or membership.image is not None or not groups or groups[0] >= membership.groups \
                or groups.count(groups[0]) != len(groups):
            return False
        if self.weight is None:
            return True
        if self.weight_parameter:  # the argument, its default too: absent, or the number 1
            try:
                bound = inspect.signature(wrapped).bind(*args, **kwargs)
            except TypeError:
                return False
            bound.apply_defaults()
            weight = bound.arguments.get(self.weight)
            return weight is None or _unit(weight)
        return _unit_fields([*args, *kwargs.values()], self.weight)

    def _weight_held_elsewhere(self, args: tuple, kwargs: dict, per_image: Any, images: int) -> str | None:
        """Where an argument holds the weight field, other than 1, in a form the capture does not
        tag (red team, session 26: a dataclass's, named tuple's or namespace's attribute, a batched
        dict's tensor of weights were kept in the companions); None where none does."""
        if self.weight is None or self.weight_parameter:
            return None
        with torch._C.DisableTorchFunction():
            try:
                return _weight_outside(args, kwargs, self.weight, per_image, images)
            except Exception:  # noqa: BLE001 - a container of the user's that cannot be read
                return None

    def _weight(self, wrapped: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[str | None, Any]:
        """(the weight field of the per-image dicts, the weight argument's value)."""
        if not self.weight_parameter or self.weight is None:
            return self.weight, None
        try:
            return None, inspect.signature(wrapped).bind(*args, **kwargs).arguments.get(self.weight)
        except TypeError:
            return None, None

    def _drop_stale(self, result: Any, call: int) -> Any:
        """Remove this decorator's companions of earlier calls from a dict the body reuses (or
        copies): on every call, sampled or not (inlined: it runs on the unsampled calls too)."""
        if type(result) is dict or isinstance(result, MutableMapping):  # the ABC check costs ~1 us
            stale = None
            for k, v in returned_items(result):
                stamp = stamp_of(v) if type(v) is torch.Tensor and not v.requires_grad else None
                if stamp is not None and stamp[0] == id(self) and stamp[1] < call:
                    stale = [k] if stale is None else [*stale, k]
            for key in stale or ():
                del result[key]
        return result

    def _empty_homes(self, wrapped: Callable[..., Any], instance: Any, args: tuple, kwargs: dict) -> None:
        """Before the body runs: take our companions out of the dicts it returned before and keeps."""
        where = _places(wrapped, instance, args, kwargs)
        for kind, name in self.homes:
            home = where[kind]
            if home is not None:
                self._drop_stale(home.get(name) if isinstance(home, Mapping) else _cell(home, name), sys.maxsize)

    def _remember_home(self, result: MutableMapping[str, Any], call_args: tuple) -> None:
        where = _places(*call_args)
        for kind, home in where.items():
            if isinstance(home, Mapping):
                found = None
                for k, v in home.items():  # (a loop: no generator per call)
                    if v is result:
                        found = k
                        break
            else:
                found = next((i for i in range(len(home or ())) if _cell(home, i) is result), None)
            if found is not None:
                self.homes.add((kind, found))
                return

    def _split(
        self,
        frame: Frame,
        result: Any,
        labels: Sequence[Any] | torch.Tensor | TokenLabels,
        call: int,
        call_args: tuple,
        batch: int,
    ) -> None:
        """Add (or report) the companions; ``batch`` identifies the images, for the meter."""
        sink = _context.current_sink()
        if isinstance(result, torch.Tensor):
            # A returned tensor stays the same object; its companions can only go to a sink.
            if sink is None:
                self.warn(
                    "nosink",
                    f"returned a tensor: its companions ('{self.tensor_key}_<group>') need an active sink "
                    "(`with losssplit.SplitMeter().collect():` or an integration's callback); none split",
                )
                return
            result = {self.tensor_key: result}
        elif not isinstance(result, MutableMapping):
            self.warn("notdict", f"returned {type(result).__name__}, not a dict or a tensor; nothing split")
            return
        self._drop_stale(result, call)
        if frame.error is not None:
            self.warn("internal", f"internal error at {frame.error_op} ({frame.error!r}); dict unchanged")
            self._declined(result)
            return
        pending, as_returned = collect(frame, result, self.keys, self.warn, frame.own_oracle)
        if not pending and not as_returned:
            self.warn("nothing", "no returned key could be attributed to images; dict unchanged")
            self._declined(result)
            return
        try:
            if isinstance(labels, TokenLabels):
                pending = per_token(frame, pending, labels.length, self.warn)
                names, membership, outside = token_membership(self.grouping, labels)
            else:
                names, membership, outside = self._assign(frame, labels)
        except PredicateError as exc:
            self.warn("predicate", f"{exc}; dict unchanged")
            self._declined(result)
            return
        except LossSplitError as exc:
            if not self.split_once:  # misuse shows at the first call
                raise
            self.warn_again("label", f"{str(exc).removeprefix('split_by_source: ')}; no companions for this call")
            self._declined(result)
            return
        if not names:
            return
        if not (pending or as_returned):
            self._declined(result)
            return
        if outside and isinstance(labels, TokenLabels):
            self.warn_again(
                "outside",
                f"tokens of {len(outside)} source labels are in no group (e.g. {outside[0]!r}); they are not counted",
            )
        elif outside and not isinstance(labels, TokenLabels):
            b = outside[0]
            self.warn_again(
                "outside",
                f"{len(outside)} of {len(labels)} images have a source label in no group (image {b}: "
                f"{_python_label(labels[b])!r}); their rows are not counted",
            )
        unmatched = self.grouping.never_matched()
        if unmatched:
            self.warn(
                "unmatched",
                f"groups= {', '.join(map(repr, unmatched))} matched no image in the first "
                f"{self.grouping.calls} calls (labels seen: {self.grouping.seen_labels()})",
            )
        strict = not self.split_once
        if pending:
            companions, given = finish(frame, result, pending, as_returned, names, membership, self.key_format,
                                       self.warn, strict=strict, whole_batch=frame.own_oracle)
            if given is not None:  # the call declined, on a batch of one group with weights 1
                pending, as_returned = [], given
        else:
            group = names[membership.host_group[0]] if membership.host_group else ""
            companions = returned_values(result, as_returned, group, Companions(), self.key_format, self.warn, strict)
        self.split_once = True
        split = [(p.key, p.value) for p in pending] + [(key, result[key]) for key in as_returned]
        window = companions.window
        declined = self._declined_keys(result, {*companions.keys, *(c.key for c in window), *companions.rowless})
        if declined:  # keys with nothing for any group: the window has no value for them either
            gone = {key for key, _ in declined}
            split = [(key, value) for key, value in split if key not in gone] + declined
            window = [*window, *(declined_record(key) for key, _ in declined)]
        if sink is not None:
            records = list(companions) + window  # made once: the meter pairs them by identity
            _hold(split, records, REPORTED_ATTR)  # so that the caller's final dict can name them (SplitMeter.update)
            sink(records, batch=batch)
            return
        # (a loss returned again by a later call must not carry this call's)
        if window or any(hasattr(value, WINDOW_ATTR) for _, value in split):
            _hold(split, window, WINDOW_ATTR)
        attach(result, companions, split[0][1].device, (id(self), call))
        if companions:
            self._remember_home(result, call_args)


def _hold(split: list[tuple[str, Any]], records: list[Companion], attr: str) -> None:
    """Put on each returned loss ``attr``: the records of its keys (a tensor returned under two keys,
    ``{"loss": l, "total": l}``, holds both keys' records)."""
    held: dict[int, tuple[Any, list[Companion]]] = {}
    for key, value in split:
        held.setdefault(id(value), (value, []))[1].extend(c for c in records if c.key == key)
    for value, mine in held.values():
        setattr(value, attr, tuple(mine))


def _unit(weight: Any) -> bool:
    """Whether ``weight`` is the Python number 1 (a tensor's value would need a read)."""
    return type(weight) in (int, float) and weight == 1


_FIELD_ITEMS = 100_000  # items of lists, tuples, dicts and dataclasses searched for the weight field


def _unit_fields(values: Iterable[Any], field: str) -> bool:
    """Whether ``field`` is the number 1 in every dict among ``values``, at any depth of lists,
    tuples (their subclasses too: a list subclass of targets is read as the per-image list), dicts,
    other collections (a ``deque`` of targets), dataclasses' fields and other objects' attributes
    (``types.SimpleNamespace(targets=...)``; modules, classes, functions and torch's objects
    aside); False where they hold more than ``_FIELD_ITEMS`` items or an iterator (a weight left
    unsearched is not known to be 1: red team, session 17, a ``deque`` of targets with weights 0.5
    gave a lost key its weighted value)."""
    stack, seen, budget = list(values), set(), _FIELD_ITEMS
    while stack:
        value = stack.pop()
        if type(value) is torch.Tensor or id(value) in seen or isinstance(value, _UNSEARCHED):
            continue
        seen.add(id(value))
        try:
            if isinstance(value, Mapping):
                if field in value and not _unit(value[field]):
                    return False
                items = list(value.values())
            elif isinstance(value, (list, tuple)):
                items = list(value)
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                items = [getattr(value, f.name, None) for f in dataclasses.fields(value)]
            elif isinstance(value, Iterator):
                return False  # read only by consuming it
            elif isinstance(value, Collection):
                items = list(value)
            elif isinstance(getattr(value, "__dict__", None), dict) and not _internal_object(value):
                items = list(vars(value).values())
            else:
                continue
        except Exception:  # noqa: BLE001 - a container of the user's that cannot be read
            return False
        budget -= len(items)
        if budget < 0:
            return False
        stack += items
    return True


def _numbers_held(holder: Any, wrapped: Any) -> dict[str, Any]:
    """The numbers the body's state holds, by name: the int and float attributes of its object
    (``self.seen``), the lengths of its list and set attributes, the numbers and one-element
    tensors (copied) its dict attributes hold (``self.stats["seen"]``, a module's registered buffer
    ``_buffers["seen"]``), a one-element tensor attribute (copied); the closure cells of the body and
    of the functions its object holds (``nonlocal seen``), the globals the body assigns."""
    held: dict[str, Any] = {}
    found = getattr(holder, "__dict__", None)
    functions = [inspect.unwrap(getattr(wrapped, "__func__", wrapped))]
    if type(found) is dict:
        _numbers_of(found, held)
        functions += [v for v in found.values() if isinstance(v, types.FunctionType)]
    for fn in functions:
        code, cells = getattr(fn, "__code__", None), getattr(fn, "__closure__", None) or ()
        if not isinstance(code, types.CodeType):
            continue
        for name, cell in zip(code.co_freevars, cells):
            try:
                n = _held_number(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
            if n is not None:
                held[f"{fn.__name__}.{name}"] = n
        names = getattr(fn, "__globals__", None)
        if type(names) is not dict:
            continue
        for name in _stored_globals(code):
            n = _held_number(names.get(name))
            if n is not None:
                held[f"global {name}"] = n
    return held


@_per_code(1024)
def _stored_globals(code: types.CodeType) -> tuple[str, ...]:
    return tuple({i.argval for i in dis.get_instructions(code) if i.opname == "STORE_GLOBAL"})


def _numbers_of(found: dict[str, Any], held: dict[str, Any]) -> None:
    for k, v in found.items():
        n = _held_number(v)
        if n is not None:
            held[k] = n
        if type(v) is dict:
            if len(v) > _LARGE_DICT and _MUTABLE_NUMBERS.isdisjoint(map(type, v.values())):
                held[_Whole(k)] = (v, tuple(v), tuple(v.values()))  # see ``_Whole``
                continue
            _items_of(k, v, held)


def _items_of(k: str, v: dict[Any, Any], held: dict[str, Any]) -> None:
    for kk, vv in v.items():
        n = _held_number(vv)
        if n is not None and type(vv) is not dict:
            held[f"{k}[{kk!r}]"] = n


class _Whole(str):
    """The key in ``_numbers_held`` of a dict attribute of more than ``_LARGE_DICT`` items none of
    which holds a number that changes in place (a list, a set, a tensor: ``_MUTABLE_NUMBERS``): its
    items and values are kept as they are, so that where the call left every one of them the same
    object, in the same order, no item moved (a vocabulary of 50,000 words is compared in C, not
    read item by item twice a call); else its items are read as any dict's (``_whole_items``)."""


_LARGE_DICT = 64
_MUTABLE_NUMBERS = frozenset({list, set, torch.Tensor, torch.nn.Parameter})


def _unchanged(before: tuple[dict, tuple, tuple], after: tuple[dict, tuple, tuple]) -> bool:
    return before[0] is after[0] and len(before[1]) == len(after[1]) and all(map(operator.is_, before[1], after[1])) \
        and all(map(operator.is_, before[2], after[2]))


def _whole_items(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``before`` and ``after`` (``_numbers_held`` at the call's start and end) without the dicts
    kept whole that the call left unchanged, the others' items read one by one."""
    wholes = [k for k in after if type(k) is _Whole]
    if not wholes and not any(type(k) is _Whole for k in before):
        return before, after
    before, after = dict(before), dict(after)
    for k in wholes:
        if k in before and _unchanged(before[k], after[k]):
            del before[k], after[k]
    for held in (before, after):
        for k in [k for k in held if type(k) is _Whole]:
            _items_of(str(k), dict(zip(held[k][1], held[k][2])), held)
            del held[k]
    return before, after


def _held_number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if type(value) in (list, set):  # (a dict attribute is where bodies keep their returned losses)
        return [len(value)]
    if type(value) in (torch.Tensor, torch.nn.Parameter) and value.numel() == 1 and value.dtype is not torch.bool \
            and not value.is_complex():
        return (id(value), value.detach().clone())  # moved in place only: a new tensor is no running count
    return None


def _counted_into(holder: Any, wrapped: Any, before: dict[str, Any] | None,
                  images: int) -> tuple[str | None, list[tuple[str, torch.Tensor]]]:
    """(an attribute of the body's object that the call changed by its number of images, or made
    holding it: ``self.seen += len(targets)``, a list appended to once per image, ``self.seen =
    x.shape[0]`` the first time; or None, and for the one-element tensors it holds, the flag, on
    their device, that they moved by that number). Red team, session 26: a normaliser read back
    from such a count kept the batch's on every group."""
    flags: list[tuple[str, torch.Tensor]] = []
    if before is None:
        return None, flags
    before, after = _whole_items(before, _numbers_held(holder, wrapped))
    for k, n in after.items():
        old = before.get(k)
        if isinstance(n, tuple):
            if isinstance(old, tuple) and old[0] == n[0] and old[1].shape == n[1].shape and old[1].device == n[1].device:
                flags.append((k, ((n[1] - old[1]).reshape(()) == images)))
            continue
        if isinstance(old, tuple):
            continue
        if isinstance(n, list):  # a list or set grown by one item per image (not one made of the images)
            if isinstance(old, list) and n[0] - old[0] == images:
                return k, flags
            continue
        if (n == images if old is None else n - old == images) and _accumulated(holder, wrapped, k):
            return k, flags
    return None, flags


def _accumulated(holder: Any, wrapped: Any, key: str) -> bool:
    """Whether the number ``key`` names (``_numbers_held``) is a running count: the body's code, a
    function its object holds or a method of its class stores it in a line that reads it too (``self.seen += n``, ``seen += n`` of a
    closure, ``SEEN = SEEN + n``); not one set afresh (``self.count = len(targets) * 2`` may move by
    the image count between two batches of other sizes)."""
    if key.startswith("global "):
        kind, name = "GLOBAL", key[7:]
    elif "." in key:
        kind, name = "DEREF", key.rsplit(".", 1)[1]
    else:
        kind, name = "ATTR", key.split("[", 1)[0]
    functions = [inspect.unwrap(getattr(wrapped, "__func__", wrapped))]
    found = getattr(holder, "__dict__", None)
    if type(found) is dict:
        functions += [v for v in found.values() if isinstance(v, types.FunctionType)]
    if holder is not None:
        functions += [v for c in type(holder).__mro__ if c is not object for v in vars(c).values()]
    stack = [code for fn in functions if isinstance(code := getattr(fn, "__code__", None), types.CodeType)]
    while stack:
        code = stack.pop()
        if (kind, name) in _read_and_stored(code):
            return True
        stack += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return False


@_per_code(1024)
def _read_and_stored(code: types.CodeType) -> frozenset[tuple[str, str]]:
    """(kind, name) of what ``code`` loads and stores in one line: ATTR, DEREF, GLOBAL."""
    found: set[tuple[str, str]] = set()
    loads: set[tuple[str, str]] = set()
    for i in dis.get_instructions(code):
        if i.starts_line is not None:
            loads = set()
        kind = i.opname.split("_", 1)[-1]
        if i.opname in ("LOAD_ATTR", "LOAD_DEREF", "LOAD_GLOBAL", "LOAD_CLASSDEREF", "LOAD_METHOD"):
            loads.add(("DEREF" if kind == "CLASSDEREF" else "ATTR" if kind == "METHOD" else kind, i.argval))
        elif i.opname in ("STORE_ATTR", "STORE_DEREF", "STORE_GLOBAL", "STORE_SUBSCR"):
            if i.opname == "STORE_SUBSCR":
                found |= {x for x in loads if x[0] == "ATTR"}  # ``self.stats["seen"] += n``
            elif (kind, i.argval) in loads:
                found.add((kind, i.argval))
    return frozenset(found)


def _weight_outside(args: tuple, kwargs: dict, field: str, per_image: Any, images: int) -> str | None:
    """Where the arguments (lists, tuples, dicts, dataclasses, objects' attributes; not inside the
    per-image dicts, whose field is tagged) hold ``field`` per image, other than the number 1, in a
    form the capture does not tag: the attribute of a list of ``images`` objects (dataclasses,
    named tuples, namespaces: per-image targets that are no dicts), or a dict's tensor or list with
    one entry per image (a batched dict of targets). An object's own attribute of that name (a loss
    module's ``loss_weight`` coefficient) is none. None where there is none."""
    followed = {id(d) for d in per_image or ()}
    stack, seen, budget = [*args, *kwargs.values()], set(), _FIELD_ITEMS
    while stack:
        value = stack.pop()
        kind = type(value)  # the common exact types first: ``isinstance`` of an ABC costs far more
        if kind is torch.Tensor or kind in _LEAVES or id(value) in seen or id(value) in followed \
                or kind not in _CONTAINERS and isinstance(value, _UNSEARCHED):
            continue
        seen.add(id(value))
        # (read as stored: no method, property or ``__getattr__`` of the user's runs)
        if kind is dict or kind not in _CONTAINERS and mapping_like(kind):
            stored = value if issubclass(kind, dict) else instance_dict(value, kind)
            if stored is None:
                continue
            held = dict.get(stored, field)
            if _per_image_weights(held, images):
                return f"a {type(held).__name__} of one weight per image in a dict"
            items = list(dict.values(stored))
        elif kind is list or kind is tuple or isinstance(value, (list, tuple)):
            held = _attribute_field(value, field) if kind is not list and kind is not tuple else _NO_FIELD
            if _per_image_weights(held, images):  # a named tuple of batched fields (rt28)
                return f"a {type(held).__name__} of one weight per image in a {type(value).__name__}"
            items = stored_values(value) or []
            if len(items) == images:
                weights = [_attribute_field(item, field) for item in items]
                if all(w is not _NO_FIELD for w in weights) and not all(_unit(w) for w in weights):
                    return f"an attribute of {images} {type(items[0]).__name__} objects"
        elif dataclasses.is_dataclass(kind):
            held = stored_attribute(value, field)
            if _per_image_weights(held, images):  # a dataclass of batched fields (rt28)
                return f"a {type(held).__name__} of one weight per image in a {type(value).__name__}"
            items = [stored_attribute(value, f.name) for f in dataclasses.fields(kind)]
        elif isinstance(value, (Iterator, Collection)):
            continue
        elif (stored := instance_dict(value, kind)) is not None and not _internal_object(value):
            items = list(dict.values(stored))
        else:
            continue
        budget -= len(items)
        if budget < 0:
            return None
        stack += items
    return None


_NO_FIELD = object()


def _per_image_weights(held: Any, images: int) -> bool:
    """Whether ``held`` (a batched field's value) holds one weight per image: a tensor of
    ``images`` rows, or a list or tuple of ``images`` numbers not all 1."""
    return (isinstance(held, torch.Tensor) and held.dim() > 0 and held.shape[0] == images
            or isinstance(held, (list, tuple)) and len(held) == images and not all(_unit(w) for w in held))


def _attribute_field(item: Any, field: str) -> Any:
    """``item``'s attribute ``field`` where ``item`` is an object other than a dict (a dataclass,
    a named tuple, a namespace) holding one, else ``_NO_FIELD``."""
    if type(item) in _NO_FIELDS or isinstance(item, (Mapping, torch.Tensor)) or isinstance(item, _UNSEARCHED):
        return _NO_FIELD
    fields = stored_attribute(item, "_fields") if isinstance(item, tuple) else None
    if isinstance(item, tuple) and not (type(fields) is tuple and field in fields):
        return _NO_FIELD
    found = instance_dict(item, type(item))
    if not isinstance(item, tuple) and not dataclasses.is_dataclass(type(item)) and not (found is not None and field in found):
        return _NO_FIELD
    return stored_attribute(item, field, _NO_FIELD)  # (as stored: no property or ``__getattr__`` of the user's runs)


# values whose contents hold no per-image weight field
_UNSEARCHED = (str, bytes, bytearray, numbers.Number, type(None), torch.dtype, torch.device, type, types.ModuleType,
               types.FunctionType, types.BuiltinFunctionType, types.MethodType, torch.nn.Module)


# exact types that ``_UNSEARCHED`` holds (skipped without ``isinstance``), those searched as dicts,
# lists and tuples, and those holding no field of their own
_LEAVES = frozenset({str, bytes, int, float, bool, type(None)})
_CONTAINERS = frozenset({dict, list, tuple})
_NO_FIELDS = _LEAVES | _CONTAINERS | {torch.Tensor}


def _internal_object(value: Any) -> bool:
    """Whether ``value`` is an object of torch's, numpy's or Python's own classes (its attributes
    are no user data)."""
    module = type(value).__module__ or ""
    return module.split(".", 1)[0] in ("torch", "numpy", "builtins", "functools", "collections", "typing")


def _places(wrapped: Callable[..., Any], instance: Any, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Where a body can keep a dict between calls: ``self``'s attributes, the arguments, the
    function's globals and closure cells."""
    function = inspect.unwrap(getattr(wrapped, "__func__", wrapped))
    return {
        "attr": getattr(instance, "__dict__", None),
        "arg": dict(enumerate(args)),
        "kwarg": kwargs,
        "global": getattr(function, "__globals__", None),
        "cell": getattr(function, "__closure__", None),
    }


def _cell(cells: tuple, i: int) -> Any:
    try:
        return cells[i].cell_contents if i < len(cells) else None
    except ValueError:  # an empty cell
        return None


class _BoundSplitFunction(wrapt.BoundFunctionWrapper):
    """A decorated method looked up on an instance or class; pickles and copies as that lookup."""

    def __reduce_ex__(self, protocol: Any) -> Any:
        owner = self._self_instance if self._self_instance is not None else self._self_owner
        return getattr, (owner, _attribute_name(owner, self._self_parent, getattr(self, "__name__", "")))

    def __copy__(self) -> Any:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        function, (owner, name) = self.__reduce_ex__(4)
        return function(copy.deepcopy(owner, memo), name)


class _SplitFunction(wrapt.FunctionWrapper):
    """A decorated callable; pickles by name where it can be imported, else as its wrapped
    function plus options; deep-copies as a new decorator on a copy of the function."""

    __bound_function_wrapper__ = _BoundSplitFunction
    _self_splitter: _Splitter

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # wrapt's own call looks up ``__self__`` on the wrapped callable (an exception for a
        # function) and reads two proxy attributes: about 1 us of a switched-off call
        splitter = self._self_splitter
        function = splitter.function
        if function is None:
            return super().__call__(*args, **kwargs)
        return splitter(function, None, args, kwargs)

    def __reduce_ex__(self, protocol: Any) -> Any:
        module = sys.modules.get(getattr(self, "__module__", None) or "")
        found: Any = module
        for part in getattr(self, "__qualname__", "<locals>").split("."):
            found = getattr(found, part, None)
        if found is self:  # a module-level function: by reference, as pickle does for functions
            return self.__qualname__
        return _rebuild, (self.__wrapped__, self._self_splitter.options)

    def __copy__(self) -> Any:
        return _rebuild(self.__wrapped__, self._self_splitter.options)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return _rebuild(copy.deepcopy(self.__wrapped__, memo), self._self_splitter.options)


def _attribute_name(owner: Any, parent: Any, default: str) -> str:
    """The name under which ``parent`` (the decorated function) sits in ``owner``'s class."""
    for cls in (owner if isinstance(owner, type) else type(owner)).__mro__:
        for name, value in vars(cls).items():
            if value is parent:
                return name
    return default


def _image_dims(image_dims: Any, wrapped: Callable[..., Any]) -> dict[str, int]:
    """``split_by_source(image_dims=...)`` checked: paths of non-empty names, each first name a
    parameter of ``wrapped`` (where its signature is read and takes no ``**kwargs``), int dims."""
    if image_dims is None:
        return {}
    if not isinstance(image_dims, Mapping):
        raise TypeError(f"split_by_source(image_dims=...): expected a mapping of argument name to dim, got "
                        f"{type(image_dims).__name__}")
    try:
        parameters = inspect.signature(wrapped).parameters
    except (TypeError, ValueError):
        parameters = None
    open_ended = parameters is None or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    checked: dict[str, int] = {}
    for path, dim in image_dims.items():
        if not isinstance(path, str) or not all(path.split(".")):
            raise TypeError(f"split_by_source(image_dims=...): expected argument names such as 'emissions' or "
                            f"'outputs.emissions', got {path!r}")
        if isinstance(dim, bool) or not isinstance(dim, (int, numbers.Integral)):
            raise TypeError(f"split_by_source(image_dims=...): expected an int dim for {path!r}, got {dim!r}")
        if not open_ended and parameters is not None and path.split(".")[0] not in parameters:
            raise ValueError(f"split_by_source(image_dims=...): {path.split('.')[0]!r} is no parameter of "
                             f"{getattr(wrapped, '__qualname__', wrapped)} (its parameters: {', '.join(parameters)})")
        checked[path] = int(dim)
    return checked


def _rebuild(wrapped: Callable[..., Any], options: dict[str, Any]) -> Any:
    return split_by_source(wrapped, **options)


@overload
def split_by_source(wrapped: F) -> F: ...


@overload
def split_by_source(
    wrapped: None = None,
    *,
    source: Source = "loss_weight",
    groups: float | Mapping[str, Callable[[Any], bool]] | None = None,
    threshold: float = 0.9,
    keys: Iterable[str] | None = None,
    key_format: str = "{key}_{group}",
    every: int = 1,
    weight: str | None = "loss_weight",
    name: str = "loss",
    image_dims: Mapping[str, int] | None = None,
) -> Callable[[F], F]: ...


def split_by_source(
    wrapped: Callable[..., Any] | None = None,
    *,
    source: Source = "loss_weight",
    groups: float | Mapping[str, Callable[[Any], bool]] | None = None,
    threshold: float = 0.9,
    keys: Iterable[str] | None = None,
    key_format: str = "{key}_{group}",
    every: int = 1,
    weight: str | None = "loss_weight",
    name: str = "loss",
    image_dims: Mapping[str, int] | None = None,
) -> Any:
    """Add per-source companions to the loss dict (or loss tensor) a criterion returns.

    The decorated call runs unchanged while losssplit follows which image each per-row loss came
    from; for every returned key that can be attributed it adds ``{key}_{group}``: the value the
    method returns for that key when called on that group's images alone, with the weight field
    set to 1.
    Companions are detached; groups without rows in the batch and non-finite values are omitted.

    Args:
        wrapped: the function or method (for use as a bare ``@split_by_source``).
        source: where each image's label comes from: the field of the per-image target dicts
            (default ``"loss_weight"``), or a callable receiving the call's arguments by name
            and returning one label per image. ``losssplit.sources(...)`` overrides both.
        groups: ``None`` (numbers: ``real`` >= threshold, ``synthetic`` below; strings and ints:
            one group per label), a threshold number, or a mapping of group name to predicate.
        threshold: the real/synthetic threshold for numeric labels.
        keys: only split these returned keys (default: every key that can be attributed).
        key_format: the companion key, from ``{key}`` and ``{group}``.
        every: compute companions on a random one in ``every`` calls (the others are plain
            calls); aggregation stays exact over the sampled calls.
        weight: the per-image field of the target dicts (or the name of an argument) holding
            each image's weight; companions are computed with it set to 1. ``None`` keeps
            weights in the companions.
        name: the key of a body that returns a loss tensor instead of a dict (a model's own
            loss). The tensor comes back unchanged, the same object; its companions
            ``{name}_{group}`` go to the active sink (``SplitMeter.collect()``, the
            integrations). Without one, nothing is split (one warning).
        image_dims: the tensors whose images are not along dim 0, each with the dim that holds
            one index per image: ``{"emissions": 1}`` for a time-major ``[T, B, C]`` argument,
            ``{"outputs.emissions": 1}`` for a field of a dict argument (fields and list indices
            after dots). Without it, only dim 0 of a tensor argument is read as the images' (its
            other dims are never guessed from their sizes); a call where a declared tensor is
            missing or its dim is not the number of images gives no companions (one warning).

    Returns:
        The decorated callable (or a decorator when called with options only).

    Raises:
        TypeError, ValueError: bad options, at decoration time.

    Example:
        >>> import torch, torch.nn.functional as F
        >>> from losssplit import split_by_source
        >>> @split_by_source
        ... def criterion(logits, targets):
        ...     y = torch.stack([t["label"] for t in targets])
        ...     return {"loss_ce": F.cross_entropy(logits, y)}
        >>> targets = [{"label": torch.tensor(0), "loss_weight": 1.0},
        ...            {"label": torch.tensor(1), "loss_weight": 0.5}]
        >>> out = criterion(torch.zeros(2, 3), targets)
        >>> sorted(out)
        ['loss_ce', 'loss_ce_real', 'loss_ce_synthetic']
    """
    if wrapped is None:
        return functools.partial(
            split_by_source,
            source=source,
            groups=groups,
            threshold=threshold,
            keys=keys,
            key_format=key_format,
            every=every,
            weight=weight,
            name=name,
            image_dims=image_dims,
        )
    if not callable(wrapped) and not isinstance(wrapped, (classmethod, staticmethod)):
        raise TypeError(f"split_by_source: expected a function or method, got {type(wrapped).__name__}")
    target = wrapped.__func__ if isinstance(wrapped, (classmethod, staticmethod)) else wrapped
    splitter = _Splitter(target, source, groups, threshold, keys, key_format, every, weight, name, image_dims)
    function = _SplitFunction(wrapped, splitter, enabled=splitter.active)
    if type(wrapped) is types.FunctionType:  # called as wrapt would: no instance
        splitter.function = wrapped
    function._self_splitter = splitter
    return function
