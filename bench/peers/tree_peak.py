"""Runs a command and prints its wall time and the peak of the summed resident set sizes of the
command and all its descendants (sampled every 0.2 s from /proc), as `<seconds> <MB>` on the last
line of stderr. For commands whose work is spread over processes (Spark: the JVM, its Python
workers, the kernels they start), where peak.py's largest single process says too little.

    python3 bench/peers/tree_peak.py COMMAND [ARGS...]
"""

import os
import subprocess
import sys
import time


def children():
    """parent pid -> child pids, from /proc."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        out.setdefault(ppid, []).append(int(d))
    return out


def tree_rss_kb(root):
    kids, total, todo = children(), 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(kids.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = 0
while proc.poll() is None:
    peak = max(peak, tree_rss_kb(proc.pid))
    time.sleep(0.2)
wall = time.perf_counter() - t0
print(f"{wall:.2f} {peak / 1024:.0f}", file=sys.stderr)
sys.exit(proc.returncode)
