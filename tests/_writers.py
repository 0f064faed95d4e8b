"""Helpers of another module that write state a criterion reads (near misses of
tests/test_constants_of_the_call.py): an attribute, a module's global, a dict field."""


def set_count(owner, targets):
    owner.count = len(targets) * 2


def rebind_count(module, targets):
    module.COUNT = len(targets) * 2


def set_groups(meta, targets):
    meta["num_groups"] = len(targets)


def rebind_images(module, targets):
    module.IMAGES = len(targets)
