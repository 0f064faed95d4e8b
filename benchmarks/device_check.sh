#!/usr/bin/env bash
# One prepared run for a machine with a CUDA device (CI has none): the CUDA tests (companions equal
# the CPU's, losses and gradients bit-identical, at most one added sync under
# torch.cuda.set_sync_debug_mode), the CPU suite's core files, the CPU-side audit of losssplit's
# own syncs (benchmarks/library_syncs.py, tests/test_library_syncs.py) and its check against the
# device's count (printed per criterion), and the benchmark on the device (step times, CUDA sync
# counts, peak memory). Uses the checkout in place (PYTHONPATH): a GPU
# machine without a package index runs it as is; elsewhere the test extras are installed first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
python3 -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.__version__, torch.cuda.get_device_name())"
python3 -c "import wrapt, pytest, hypothesis" 2>/dev/null || python3 -m pip install -q -e ".[test]"
if ! python3 -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))"; then
  echo "not CPython 3.11: losssplit passes calls through there; measuring with the interpreter taken as checked"
  export PYTHONPATH="$PWD/benchmarks/unchecked_python:$PYTHONPATH"
fi
python3 -m pytest -q -p no:cacheprovider -rs tests/test_device.py tests/test_seed.py tests/test_patterns.py tests/test_cost.py \
  tests/test_library_syncs.py
python3 -m pytest -q -s -p no:cacheprovider tests/test_device.py -k cpu_audit  # its counts, criterion by criterion
python3 benchmarks/bench_relation.py --device cuda --rounds "${ROUNDS:-15}"
