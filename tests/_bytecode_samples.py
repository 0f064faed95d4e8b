"""Bodies whose bytecode layout test_bytecode_312 compares with what CPython 3.11 lays out."""



class _Base:
    def forward(self, x):
        return x


def calls_and_methods(outputs, targets):
    n = max(len(targets), 1)
    loss = outputs["x"][..., :4].sum(dim=0) / 4.0
    outputs["x"][1:3] = 0
    if len(targets) == 0 and n > 1:
        return None
    w = +loss
    return {"loss": loss * (2.0 if n > 4 else 1.0) + w, "n": n or 1}


def loops(targets, n):
    total = 0
    for t in targets:
        if t is None:
            continue
        if len(t) > 2:
            total += len(t)
    for t in targets:
        assert len(t) >= 0, t
    while n > 0:
        n -= 1
    return total, sum(len(t) for t in targets)


class Child(_Base):
    def forward(self, x):
        return super().forward(x) * 2


def copied_arm(o, n):
    return {"loss": o * (2.0 if n > 4 else 1.0)}
