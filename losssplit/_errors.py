class LossSplitError(RuntimeError):
    """A decorated call whose sources cannot be matched with the rows of its losses."""
