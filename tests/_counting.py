"""Counting helpers of another module than the criterion's (``tests/test_rules_helper_numbers.py``)."""


def count(targets):
    return sum(len(t["labels"]) for t in targets)


class Counts:
    @staticmethod
    def plain(targets):
        return sum(len(t["labels"]) for t in targets)

    @classmethod
    def at_least(cls, targets, floor=5):
        return max(cls.plain(targets), floor)
