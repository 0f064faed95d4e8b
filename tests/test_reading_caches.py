"""Readings of the body's code kept across calls (issue #15, session 25): what ``batch_fields``
reads of the code alone (the loops over the images, the statements making a local, the stores of
an attribute) is kept per code object and names, and ``_bytecode._stores`` per instruction list.
What depends on the call (the locals' values, a closure's key, the targets' fields, the batch's
size) is read again on every call. Each test calls one body or code object several times with
inputs that must change the outcome, against the oracle: a reading kept from an earlier call
would give the earlier call's answer."""

import types

import pytest
import torch
from _helpers import companions, logged_warnings, split_outcome, wrong_companions
from _red_team26_bodies import E as E26
from _red_team26_bodies import xbatch as xbatch26
from test_batch_numbers import _batch
from test_red_team20 import BATCHES, _err

from losssplit import _decorator, split_by_source
from losssplit._capture import _bytecode, batch_fields

FIELD_READ = "computes from the images'"


def scaled_by(key, factor=1.7):
    """Bodies of one code object, each with its own closure: the key of the field the factor is
    computed from, or None for a constant factor."""

    def body(o, targets):
        s = factor if key is None else max(t[key] for t in targets) + 1
        return {"loss": _err(o, targets) * s}

    return body


def _gained_batch(weights):
    """``_batch`` with a second number field ``gain`` per image (5.0, 7.0, 9.0, ...: no statistic of
    it equals one of ``scale``)."""
    args, kinds = _batch(weights)
    for b, t in enumerate(args[1]):
        t["gain"] = 5.0 + 2.0 * b
    return args, kinds


def test_one_code_with_other_closures_is_read_per_closure():
    """The same code, its key read from each closure as the call runs: 'scale' and 'gain' decline
    naming their own field, None (a constant factor) keeps the split, in turns and on every batch."""
    keys = ["scale", None, "gain", None, "scale"]
    bodies = [scaled_by(key) for key in keys]
    assert len({b.__code__ for b in bodies}) == 1
    named = {"scale": 0, "gain": 0}
    for key, body in zip(keys, bodies):
        for name, w in BATCHES.items():
            got, want, said = split_outcome(body, *_gained_batch(w))
            assert want and not wrong_companions(got, want), (key, name, got, want)
            if key is None:
                assert set(got) == {"loss_real", "loss_synthetic"} and not said, (name, said)
                continue
            assert not got, (key, name, said)
            reads = [m for m in said if FIELD_READ in m]
            assert all(f"'{key}'" in m for m in reads), (key, name, reads)
            named[key] += bool(reads)
    assert named["scale"] and named["gain"], named  # the code reading decided on some batch of each


def largest_scale_plus_one(o, targets):
    return {"loss": _err(o, targets) * (max(t["scale"] for t in targets) + 1)}


def constant_plus_one(o, targets):
    return {"loss": _err(o, targets) * (1.7 + 1)}


@pytest.mark.parametrize("order", [list(BATCHES), list(reversed(BATCHES))], ids=["forward", "reversed"])
def test_readings_follow_each_call_as_the_batch_and_the_code_change(order):
    """Two bodies of the same shape called in turns on batches of 2 to 4 images, each batch's
    scales changed between calls: the field's body declines on each, the constant's keeps the split."""
    for round_ in range(2):
        for name in order:
            for body in (largest_scale_plus_one, constant_plus_one):
                args, kinds = _batch(BATCHES[name])
                for b, t in enumerate(args[1]):
                    t["scale"] = 1.25 + 0.75 * b + round_
                got, want, said = split_outcome(body, args, kinds)
                assert want and not wrong_companions(got, want), (body.__name__, name, got, want)
                if body is constant_plus_one:
                    assert set(got) == {"loss_real", "loss_synthetic"} and not said, (name, said)
                else:
                    assert not got and any("'scale'" in m for m in said), (name, said)


def sometimes_a_field(o, targets):
    scales = [t["scale"] for t in targets]
    return {"loss": _err(o, targets) * (max(scales) + 1)}


def test_a_field_that_stops_being_a_number_is_read_again():
    """The field's values are read on every call: numbers decline; tensors (a torch value the
    capture follows, not read from the code) are left to it, and the companions follow the oracle."""
    for scale in (lambda b: 1.0 + b, lambda b: torch.tensor(1.0 + b), lambda b: 2.0 + b):
        for name, w in BATCHES.items():
            args, kinds = _batch(w)
            for b, t in enumerate(args[1]):
                t["scale"] = scale(b)
            got, want, said = split_outcome(sometimes_a_field, args, kinds)
            assert want and not wrong_companions(got, want), (name, got, want)
            number = type(args[1][0]["scale"]) is float
            assert not number or any("'scale'" in m for m in said), (name, said)


def _plain_stores(instructions, name, cells=False):
    names = ("STORE_FAST", "DELETE_FAST", "STORE_DEREF", "DELETE_DEREF") if cells else ("STORE_FAST", "DELETE_FAST")
    return [k for k, i in enumerate(instructions) if i.opname in names and i.argval == name]


def _codes(module):
    found, todo = [], [v.__code__ for v in vars(module).values() if isinstance(v, types.FunctionType)]
    while todo:
        code = todo.pop()
        found.append(code)
        todo += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return found


def test_stores_per_instruction_list_equal_a_scan_and_are_the_callers_own():
    """Every local of every code object of two modules (losssplit's bytecode reader, with loops,
    comprehensions and cells): the kept index gives what a scan of the instructions gives, with and
    without the cells, and a list the caller changes does not change the next answer."""
    checked = 0
    for code in _codes(_bytecode) + _codes(batch_fields):
        instructions = _bytecode._instructions(code)
        for name in set(code.co_varnames) | set(code.co_cellvars) | {"not_a_local"}:
            for cells in (False, True):
                got = _bytecode._stores(instructions, name, cells=cells)
                assert got == _plain_stores(instructions, name, cells), (code.co_name, name, cells)
                got.append(-1)
                assert _bytecode._stores(instructions, name, cells=cells) == _plain_stores(instructions, name, cells)
                checked += 1
    assert checked > 1000
    other = list(_bytecode._instructions(scaled_by.__code__.co_consts[1]))  # another list of the same instructions
    assert _bytecode._stores(other, "s") == _plain_stores(other, "s") != []


def test_a_new_code_object_is_read_on_its_own():
    """Code compiled again from one source (new code objects at each compile, possibly at a freed
    one's address) is read as its own: a field changed between compiles is the one named."""
    for key in ("scale", "gain", "scale"):
        space = {"_err": _err}
        exec(compile(f"def body(o, targets):\n    return {{'loss': _err(o, targets) * (max(t[{key!r}] for t in targets) + 1)}}\n",
                     __file__, "exec"), space)  # (a file's name: code made from "<string>" is never read)
        got, want, said = split_outcome(space["body"], *_gained_batch(BATCHES["1r2s"]))
        assert not got and not wrong_companions(got, want), (key, got)
        assert any(FIELD_READ in m and f"'{key}'" in m for m in said), (key, said)


_FIXED = [{"scale": 2.0}, {"scale": 3.0}]  # a configured list, not the images'


def _largest(items):
    return max(t["scale"] for t in items)


def given_to_a_helper(pick_images):
    """Bodies of one code object: the helper is given the images' targets or the fixed list,
    as each closure says (the call's arguments read as the images' list or not, per call)."""

    def body(o, targets):
        chosen = targets if pick_images else _FIXED
        s = _largest(chosen) + 1
        return {"loss": _err(o, targets) * s}

    return body


def test_a_call_given_the_images_is_told_from_one_given_another_list_per_call():
    """The layout of ``_largest(chosen)`` is kept per code object with the names holding the
    images' list: given the fixed list (a constant factor) the split is exact; given the targets
    the call declines naming 'scale', in turns. A layout kept per call site alone (which argument
    is the images' list, from the first call) fails on the second body."""
    bodies = [given_to_a_helper(p) for p in (False, True, False, True)]
    assert len({b.__code__ for b in bodies}) == 1
    for pick, body in zip((False, True, False, True), bodies):
        for name, w in BATCHES.items():
            args, kinds = _gained_batch(w)
            for b, t in enumerate(args[1]):
                t["scale"] = 1.25 + 0.75 * b
            got, want, said = split_outcome(body, args, kinds)
            assert want and not wrong_companions(got, want), (pick, name, got, want)
            if not pick:
                assert set(got) == {"loss_real", "loss_synthetic"} and not said, (name, said)
            elif len(w) > 1 and len(set(w)) > 1:
                assert not got and any("'scale'" in m for m in said), (name, said)


# -- _BatchReader's kept answers (session 26) ------------------------------------------------------

def _cycled(targets, extra):
    n = len(targets)
    m = n
    n = m + 1
    k = m * 2
    j = extra
    j = j + k
    return j


def _rungs(count, first):
    """Source of a function whose locals ``x2``... are each stored from the two before: a reading
    that follows every path through them reads ``x0`` about 1.6 ** count times."""
    lines = [f"def ladder(targets, a):\n    x0 = {first}\n    x1 = a\n"]
    lines += [f"    x{k} = x{k - 1} + x{k - 2}\n" for k in range(2, count)]
    lines.append(f"    return x{count - 1}\n")
    space: dict = {}
    exec(compile("".join(lines), "<ladder>", "exec"), space)
    return space["ladder"].__code__


def _spans(code):
    """Each statement's value span of ``code`` (from its first instruction to its store)."""
    ins = _bytecode._instructions(code)
    found = []
    for j, i in enumerate(ins):
        if i.opname in ("STORE_FAST", "RETURN_VALUE"):
            first = _bytecode._assignment_start(ins, j) if i.opname == "STORE_FAST" else _bytecode._operand_start(ins, j)
            if first is not None and first < j:
                found.append((first, j))
    return found


def _plain_reader(code):
    reader = _bytecode._BatchReader(code)
    reader._answers = None  # every answer read again (the reading before session 26)
    return reader


@pytest.mark.parametrize("code", [_cycled.__code__, _rungs(9, "len(targets)"), _rungs(9, "0"),
                                  _bytecode._BatchReader.number.__code__], ids=["cycled", "ladder", "ladder0", "number"])
def test_kept_answers_equal_a_plain_reading_whatever_was_seen(code):
    """Every statement of a code with locals stored from each other in a cycle (``n = m + 1`` after
    ``m = n``), asked with each set of up to two names already seen, in turns on one reader that
    keeps its answers: each answer is the plain reading's. An answer kept per name alone fails:
    ``m`` is a count where ``n`` may still be followed and none where ``n`` was seen on the way."""
    kept, plain = _bytecode._BatchReader(code), _plain_reader(code)
    names = sorted(set(code.co_varnames[code.co_argcount:]))
    seens = [frozenset()] + [frozenset({a}) for a in names] + [frozenset({a, b}) for a in names for b in names if a < b]
    differ = 0
    for round_ in range(2):
        for seen in seens if round_ == 0 else list(reversed(seens)):
            for start, end in _spans(code):
                for added_up in (False, True):
                    want = plain.number(start, end, seen, added_up)
                    assert kept.number(start, end, seen, added_up) == want, (code.co_name, start, end, seen, added_up)
                    differ += want != plain.number(start, end, frozenset(), added_up)
    if code is _cycled.__code__:
        assert differ  # some answer depends on what was seen (what a kept answer must tell apart)


def test_a_ladder_of_locals_is_read_once_per_local():
    """40 locals each stored from the two before (geomloss' ``SamplesLoss.forward`` read whole took
    a minute a call): each local is read a few times, not once per path; the answer is the same
    with a count at the bottom, and none without."""
    for first, want in (("len(targets)", True), ("0", False)):
        code = _rungs(40, first)
        reader = _bytecode._BatchReader(code)
        reads: list[str] = []

        def counted(*a, reads=reads, plain=reader._read_number_local):
            reads.append(a[0])
            return plain(*a)

        reader._read_number_local = counted
        start, end = _spans(code)[-1]
        assert reader.number(start, end, frozenset(), added_up=False) is want
        assert len(reads) <= 3 * 40, len(reads)
        assert _plain_reader(_rungs(12, first)).number(*_spans(_rungs(12, first))[-1], frozenset(), False) is want


# subscripts of constants, of configuration (a global the module never assigns, ``self.cut_at``, a
# parameter) and of a computed local, in a module of their own (this one runs ``exec``, which the
# code reading takes for assigning every global)
_SUBSCRIPTS = {"__name__": "reading_cache_subscripts", "BOUND": 2}
exec(compile(
    "class Held:\n"
    "    def __init__(self, k):\n"
    "        self.cut_at = k\n"
    "    def cut(self, x):\n"
    "        return x[:, : self.cut_at]\n"
    "def subscripts(x, held, n):\n"
    "    m = n + 0\n"
    "    return [x[..., 2], x[..., :2], x[:, 1:], x[0], x[:, :BOUND], held.cut(x), x[:, :n], x[:, :m], x[(0, 1)]]\n",
    __file__, "exec"),  # (a file's name: code made from "<string>" is never read)
    _SUBSCRIPTS,
)


# a torch function mode whose frames count as losssplit's (``_bytecode._caller`` passes them), so
# the frame asked about is the one running the subscript
_PROBE = {"__name__": "losssplit._reading_cache_probe", "Tensor": torch.Tensor}
exec(
    "from torch.overrides import TorchFunctionMode\n"
    "class Probe(TorchFunctionMode):\n"
    "    def __init__(self, ask):\n"
    "        super().__init__()\n"
    "        self.ask, self.answers = ask, []\n"
    "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
    "        if func is Tensor.__getitem__:\n"
    "            self.answers.append(self.ask(args[1]))\n"
    "        return func(*args, **(kwargs or {}))\n",
    _PROBE,
)


def _plain_literal_index(index):
    """``_bytecode.literal_index`` as it read before its reading of the code was kept per position."""
    f = _bytecode._caller()
    literal = _bytecode._resolved(_bytecode._literal_at(f.f_code, f.f_lasti), f)
    return literal is not _bytecode._UNPROVEN and _bytecode._constant(literal) and _bytecode._same(literal, index)


def test_literal_index_kept_per_position_answers_as_a_plain_reading():
    """``literal_index`` keeps per code position whether the index is made of constants alone; an
    index loading names (a global, ``self.k``) is still resolved on every ask: the same positions
    asked with the names holding an int, then None (no configuration), then an int again, answer
    as the plain reading does, and the named ones change with the values."""
    x = torch.zeros(3, 4, 5)
    seen = []
    try:
        for bound, k in ((2, 3), (None, None), (1, 2)):
            _SUBSCRIPTS["BOUND"] = bound
            kept, plain = _PROBE["Probe"](_bytecode.literal_index), _PROBE["Probe"](_plain_literal_index)
            with kept:
                _SUBSCRIPTS["subscripts"](x, _SUBSCRIPTS["Held"](k), 2)
            with plain:
                _SUBSCRIPTS["subscripts"](x, _SUBSCRIPTS["Held"](k), 2)
            assert kept.answers == plain.answers, (bound, k, kept.answers, plain.answers)
            seen.append(kept.answers)
    finally:
        _SUBSCRIPTS["BOUND"] = 2
    assert seen[0][:4] == [True] * 4 and seen[0][4:6] == [True, True] and not seen[0][7] and seen[0][8]
    assert seen[1][4:6] == [False, False] and seen[2][4:6] == [True, True]  # the named bounds, read per ask


class _Vocabulary:
    """A criterion holding a 50,000-word vocabulary, ``how`` it uses it: read only, a count of
    the calls kept in it, a count of the images kept in it (an int, or a one-element tensor
    beside the words)."""

    def __init__(self, how):
        self.vocab = {f"w{i}": i for i in range(50_000)}
        self.vocab["seen"] = torch.zeros(()) if how == "images_in_a_tensor" else 0
        self.how = how

    def forward(self, o, t):
        if self.how in ("images", "images_in_a_tensor"):
            self.vocab["seen"] += len(t)
            return {"loss": E26(o, t).sum() / self.vocab["seen"]}
        if self.how == "calls":
            self.vocab["seen"] += 1
        return {"loss": E26(o, t).sum() / self.vocab["w7"]}


@pytest.mark.parametrize("how", ["read", "calls", "images", "images_in_a_tensor"])
def test_a_large_dict_of_the_criterion_is_compared_whole_and_still_read_where_it_changed(how):
    """The running-count check keeps a dict attribute of more than 64 numbers whole (its items and
    values as they are) and reads it item by item only where the call changed it: a count of the
    images kept in a 50,000-word vocabulary declines the call on every batch, as in a small dict;
    a count of the calls kept there and a read-only vocabulary split exactly. Unchanged, the dict
    costs no read per item."""
    names = ("1r2s", "2r2s", "3r1s")
    for name in names:
        crit = _Vocabulary(how)
        args, kinds = xbatch26(name)
        if how.startswith("images"):  # (the oracle's runs would move the count: the call is checked on its own)
            with logged_warnings() as said:
                out = split_by_source(crit.forward)(*args)
            assert not companions(out) and any("by its number of images" in m for m in said), (how, name, said)
            continue
        got, want, said = split_outcome(crit.forward, args, kinds)
        assert want and not wrong_companions(got, want), (how, name, got, want)
        assert set(got) == {"loss_real", "loss_synthetic"} and not said, (how, name, said)
    crit = _Vocabulary("read")
    held = _decorator._numbers_held(crit, crit.forward)
    assert [k for k in held if type(k) is _decorator._Whole] == ["vocab"]
    asked = []
    real = _decorator._held_number
    try:
        _decorator._held_number = lambda v: asked.append(v) or real(v)
        before, after = _decorator._whole_items(held, _decorator._numbers_held(crit, crit.forward))
    finally:
        _decorator._held_number = real
    assert len(asked) < 100 and not any("vocab" in k for k in after), len(asked)
    crit.vocab["w7"] += 2  # changed: read item by item on both sides
    before, after = _decorator._whole_items(held, _decorator._numbers_held(crit, crit.forward))
    assert before["vocab['w7']"] == 7 and after["vocab['w7']"] == 9 and len(after) > 50_000



def _chained(module_name, inner_name="inner"):
    """A function run with globals whose ``__name__`` is ``module_name`` (``...`` for none)."""
    scope = {} if module_name is ... else {"__name__": module_name}
    scope["call_site"] = _bytecode.call_site
    exec(compile("def hop(inner):\n    return inner()\n\ndef ask():\n    return call_site()\n", __file__, "exec"), scope)
    return scope["hop"], scope["ask"]


_, _ASK = _chained("losssplit._perf5_ask")  # asks ``call_site`` from inside losssplit


def _via(hop):
    return hop(_ASK)


@pytest.mark.parametrize("name, skipped", [
    ("mylib.helpers", False),  # a module of the user's
    (..., False),  # globals without ``__name__`` (exec'd code)
    (["torch"], False),  # an unhashable ``__name__``: read by ``str()``, no torch module
    ("torch._perf5_fresh", True),  # torch's by name, first seen here: skipped
    ("losssplit._perf5_fresh", True),
])
def test_caller_skips_the_frames_a_plain_walk_skips(name, skipped):
    """``_caller`` walks over frames of modules already known as losssplit's or torch's with a
    subscript and a set lookup, and reads every other frame as before: the first frame outside
    them is the one a plain walk gives, asked twice (the second time the name is known), for
    globals without a name, an unhashable name and one first seen in the walk."""
    hop, _ = _chained(name)
    for _ in range(2):
        code, _lasti = _via(hop)
        assert code is (_via.__code__ if skipped else hop.__code__), (name, code.co_name)


def _item_span(fn):
    """A comprehension's code in ``fn`` and the span of the one operand of its ``len(...)``."""
    code = next(c for c in fn.__code__.co_consts if isinstance(c, types.CodeType))
    ins = _bytecode._instructions(code)
    at = next(n for n, i in enumerate(ins) if i.opname == "LOAD_GLOBAL" and i.argval == "len") + 1
    return code, (at, at + 1)


def test_comprehension_item_reads_are_kept_per_code_object():
    """``batch_fields._reads_item`` is kept per comprehension's code (by identity) and span: two
    comprehensions whose spans sit at the same positions, one loading its loop's item and one a
    global, answer each as its own code reads."""
    own, own_span = _item_span(lambda xs: [len(j) for j in xs])
    other, other_span = _item_span(lambda xs: [len(K) for j in xs])  # noqa: F821 - never run
    assert own_span == other_span
    for _ in range(2):
        assert batch_fields._reads_item(own, *own_span)
        assert not batch_fields._reads_item(other, *other_span)


def _plain_iterable(ins, code):
    """``batch_fields._iterable_of`` as a scan of the enclosing code's instructions on every ask."""
    k = next((k for k, i in enumerate(ins) if i.opname == "LOAD_CONST" and i.argval is code), None)
    g = next((g for g in range(k + 1, len(ins)) if ins[g].opname == "GET_ITER"), None) if k is not None else None
    first = _bytecode._scanned_operand_start(ins, g, False) if g is not None else None
    return (first, g) if first is not None and g is not None and k is not None and first > k else None


def _two_comprehensions(xs, ys):
    return [len(j) for j in xs], {k: 1 for k in ys}, [n for n in range(len(ys)) if n]


def test_comprehension_iterables_kept_per_code_object_equal_a_scan():
    """The span giving each comprehension its iterable, kept per enclosing code object, is what a
    scan of that code gives, for every code object loaded as a constant by every code object of
    three modules; a code object that the enclosing code does not load (another function's
    comprehension at the same position) has none, on every ask."""
    checked = 0
    for code in _codes(_bytecode) + _codes(batch_fields) + [_two_comprehensions.__code__]:
        reader = types.SimpleNamespace(code=code, ins=_bytecode._instructions(code))
        inner = [c for c in code.co_consts if isinstance(c, types.CodeType)]
        for c in inner + [_item_span.__code__, (lambda xs: [j for j in xs]).__code__.co_consts[1]]:
            for _ in range(2):
                assert batch_fields._iterable_of(reader, c) == _plain_iterable(reader.ins, c), (code.co_name, c.co_name)
            checked += c in inner
    assert checked > 50
    spans = [batch_fields._iterable_of(types.SimpleNamespace(code=_two_comprehensions.__code__), c)
             for c in _two_comprehensions.__code__.co_consts if isinstance(c, types.CodeType)]
    assert len(spans) == 3 and len(set(spans)) == 3 and None not in spans


def test_consumers_kept_per_instruction_list_equal_a_scan():
    """``_bytecode._consumer`` with the plain effects, kept per instruction list and position,
    gives what a scan gives at every position of every code object of two modules, asked twice,
    and on another list of the same instructions; with other effects or a depth it scans."""
    checked = 0
    for code in _codes(_bytecode) + _codes(batch_fields):
        ins = _bytecode._instructions(code)
        for p in range(len(ins)):
            want = _bytecode._scanned_consumer(ins, p, _bytecode._POPS_PUSHES, 0)
            assert _bytecode._consumer(ins, p) == want == _bytecode._consumer(ins, p), (code.co_name, p)
            assert _bytecode._consumer(ins, p, None, 1) == _bytecode._scanned_consumer(ins, p, _bytecode._POPS_PUSHES, 1)
            checked += want is not None
    assert checked > 1000
    ins = _bytecode._instructions(_two_comprehensions.__code__)
    p = next(p for p in range(len(ins)) if _bytecode._consumer(ins, p) is not None)
    shorter = list(ins[: _bytecode._consumer(ins, p)[0]])  # another list, cut before that consumer: its own answer
    assert _bytecode._consumer(shorter, p) is None


def test_per_code_readings_take_positional_arguments_only():
    """``_per_code`` caches keep one answer per code object and positional arguments; a keyword
    is refused (the wrapper takes none, so no caller's keyword can miss the key)."""
    code = _two_comprehensions.__code__
    assert _bytecode._call_arguments(code, 0, True) is _bytecode._call_arguments(code, 0, True)
    with pytest.raises(TypeError):
        _bytecode._call_arguments(code, 0, held=True)
