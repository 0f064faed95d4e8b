#!/usr/bin/env bash
# One prepared run for a machine with a CUDA device (CI has none): the CUDA tests (companions equal
# the CPU's, at most one added sync under torch.cuda.set_sync_debug_mode), the CPU suite's core
# files, and the benchmark on the device (step times, CUDA sync counts, peak memory).
set -euo pipefail
cd "$(dirname "$0")/.."
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.__version__, torch.cuda.get_device_name())"
python -m pip install -q -e ".[test]"
python -m pytest -q -p no:cacheprovider tests/test_device.py tests/test_seed.py tests/test_patterns.py tests/test_cost.py
python benchmarks/bench_relation.py --device cuda --rounds 15
