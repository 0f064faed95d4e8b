"""Helpers of another module that write a criterion's state by name, with no store instruction
naming it (near misses of tests/test_dynamic_writes.py): ``setattr``, ``__dict__``, ``globals()``."""

TERMS = ("a",)  # rebound through ``globals()`` by ``widen_terms``


def set_terms(owner, targets):
    setattr(owner, "terms", ("a",) * (len(targets) + 1))  # noqa: B010 - the write by name under test


def set_named(owner, name, targets):
    setattr(owner, name, len(targets) + 1)


def set_in_dict(owner, targets):
    owner.__dict__["n"] = len(targets)


def widen_terms(targets):
    globals()["TERMS"] = ("a",) * (len(targets) + 1)
