"""Run in a fresh interpreter by ``test_wrapped_torch.py`` (``python _wrapped_torch.py ORDER``), so that
the order of imports is real: a library that rebinds torch's names to wrappers of its own, imported
before losssplit (``before``, the usual order), after it (``after``), or torch_geometric itself
imported first (``pyg``). Prints ``ok`` when every body's companions are the oracle's or, for a
wrapper the mode receives itself, declined with a warning."""

import functools
import sys

import torch

ORIGINAL = {"index_select": torch.index_select, "exp": torch.exp, "sum": torch.sum}
TENSOR_ABS = torch.Tensor.abs


def _install() -> None:
    """A library's wrappers: ``functools.wraps`` ones that call torch's own (``torch.index_select``,
    ``torch.sum``), a plain one that changes the value (``torch.exp``, doubled), and one of a
    ``Tensor`` method that mixes the images (``Tensor.abs`` zeroed below half the batch's largest),
    which torch dispatches by name, so the mode receives the wrapper itself."""
    for name in ("index_select", "sum"):
        setattr(torch, name, functools.wraps(ORIGINAL[name])(lambda *a, _f=ORIGINAL[name], **k: _f(*a, **k)))

    def exp(x):
        return ORIGINAL["exp"](x) * 2

    torch.exp = exp

    @functools.wraps(TENSOR_ABS)
    def batch_thresholded_abs(self):
        # idempotent: torch hands the wrapper to a mode, which runs it, and the wrapper goes on with that
        a = TENSOR_ABS(self)
        return torch.where(a >= a.max() / 2, a, 0)

    torch.Tensor.abs = batch_thresholded_abs


def _err(outputs, targets):
    y = torch.stack([t["y"] for t in targets])
    return outputs["x"] - y


def index_select_rows(outputs, targets):
    return {"loss": torch.index_select(_err(outputs, targets) ** 2, 1, torch.tensor([2, 0])).mean()}


def index_select_columns(outputs, targets):
    return {"loss": torch.sum(torch.index_select(_err(outputs, targets) ** 2, 2, torch.tensor([3, 1]))) / len(targets)}


def doubled_exp(outputs, targets):
    return {"loss": torch.exp(-_err(outputs, targets) ** 2).mean()}


def thresholded_abs(outputs, targets):
    return {"loss": (_err(outputs, targets).abs() ** 2).mean()}


def main(order: str) -> None:
    if order == "pyg":
        import torch_geometric  # noqa: F401 - rebinds torch.index_select / torch.select at import

        bound = torch.index_select
        assert bound is not ORIGINAL["index_select"]
    elif order == "before":
        _install()
    from _helpers import check_rule

    import losssplit  # noqa: F401 - the import whose order is tested
    from losssplit._capture import RULES
    from losssplit._torch_own import torch_defined

    if order == "after":
        _install()
    foreign = [f for f in RULES if not torch_defined(f)]
    assert foreign == [], foreign
    assert ORIGINAL["index_select"] in RULES and TENSOR_ABS in RULES
    if order == "pyg":
        assert torch.index_select is bound  # the library's binding is left as it was
        check_rule(index_select_rows, "index_select")
        check_rule(index_select_columns, "index_select")
    else:
        assert torch.exp is not ORIGINAL["exp"] and torch.Tensor.abs is not TENSOR_ABS  # left as the library set them
        check_rule(index_select_rows, "index_select")
        check_rule(index_select_columns, "index_select")
        check_rule(doubled_exp, "exp")
        check_rule(thresholded_abs, "abs", declines=True)  # the wrapper the mode received: no rule
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
