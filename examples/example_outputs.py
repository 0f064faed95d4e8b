"""Where the examples write their curves: metrics.json, TensorBoard events and a PNG."""

from __future__ import annotations

import json
from pathlib import Path


def write_outputs(out_dir: Path, log: dict[int, dict[str, float]]) -> None:
    """detectron2-style ``metrics.json`` (one JSON object per logged iteration), TensorBoard events
    in ``out_dir`` and ``losses.png`` drawn by ``losssplit plot``."""
    from torch.utils.tensorboard import SummaryWriter

    tb = SummaryWriter(str(out_dir))
    with (out_dir / "metrics.json").open("w") as f:
        for iteration, record in sorted(log.items()):
            f.write(json.dumps({"iteration": iteration, **record}, sort_keys=True) + "\n")
            for key, value in record.items():
                tb.add_scalar(key, value, iteration)
    tb.close()
    from losssplit.__main__ import main as losssplit_cli  # same as `losssplit plot ...` in a shell

    losssplit_cli(["plot", str(out_dir / "metrics.json"), "-o", str(out_dir / "losses.png")])
