"""Runs a command and prints its wall time and peak resident set size (of the command and its
children), as `<seconds> <MB>` on the last line of stderr. For bench/*.sh.

    python3 bench/peers/peak.py COMMAND [ARGS...]
"""

import resource
import subprocess
import sys
import time

t0 = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t0
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{wall:.2f} {peak_kb / 1024:.0f}", file=sys.stderr)
sys.exit(rc)
