#!/usr/bin/python3
"""oneDNN's own time per training step, from the verbose log of a `dtkd bench --loop` run (either side).

Make the logs (one step loop each; ONEDNN_VERBOSE for oneDNN 2.6 in PyTorch, DNNL_VERBOSE for 2.3 in libnd4j):

  DNNL_VERBOSE=1 ./dtkd bench --loop NONE --pairs resnet56:resnet20 --levers conv-cache,fused-bn \\
      --warmup 3 --rounds 5 > dl4j.log
  ONEDNN_VERBOSE=1 DNNL_VERBOSE=1 /usr/bin/python3 \\
      dtkd-examples/src/main/resources/org/dtkd4j/examples/bench/bench_torch.py loop --threads 2 \\
      --teacher resnet56 --student resnet20 --method NONE --warmup 3 --iterations 5 > torch.log

then `docs/bench/onednn_summary.py dl4j.log torch.log`. Per log: the oneDNN primitives executed after the marker
line "dtkd bench loop: timed steps begin", in milliseconds and calls per timed step, by primitive, implementation
and propagation kind (reorders by source and destination layout), and the totals of convolutions, reorders and the
rest. oneDNN times its primitives itself (the verbose mode adds a little to each), so the totals say how much of a
step the convolution library takes on each side, and how much of that is moving data between layouts.
"""
import collections
import re
import sys

MARKER = "dtkd bench loop: timed steps begin"


def summarize(path):
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == MARKER]
    if not starts:
        raise SystemExit("%s: no line '%s' (not the log of a step loop)" % (path, MARKER))
    timed = lines[starts[-1] + 1:]
    steps = sum(1 for line in timed if re.match(r"step \d+: [\d.]+ ms$", line.strip()))
    if steps == 0:
        raise SystemExit("%s: no timed step after the marker" % path)
    ms = collections.Counter()
    calls = collections.Counter()
    for line in timed:
        f = line.strip().split(",")
        if len(f) < 8 or not f[0].endswith("_verbose") or f[1] != "exec":
            continue
        primitive = f[3]
        if primitive == "reorder":
            layouts = [m.split(":")[3] for m in f[6].split(" ") if m.count(":") >= 3]
            key = ("reorder", " -> ".join(layouts))
        else:
            key = (primitive, f[4] + " " + f[5])
        ms[key] += float(f[-1])
        calls[key] += 1
    if not ms:
        raise SystemExit("%s: no oneDNN verbose lines (set ONEDNN_VERBOSE=1 / DNNL_VERBOSE=1)" % path)
    print("%s: %d timed steps" % (path, steps))
    print("  %9s  %10s  %s" % ("ms/step", "calls/step", "primitive"))
    for key, v in ms.most_common():
        print("  %9.2f  %10.1f  %s %s" % (v / steps, calls[key] / steps, key[0], key[1]))
    conv = sum(v for k, v in ms.items() if k[0] == "convolution") / steps
    reorder = sum(v for k, v in ms.items() if k[0] == "reorder") / steps
    total = sum(ms.values()) / steps
    other = max(0.0, total - conv - reorder)
    print("  total %.1f ms/step: convolutions %.1f, reorders %.1f, other primitives %.1f"
          % (total, conv, reorder, other))
    print()


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return
    for path in argv:
        summarize(path)


if __name__ == "__main__":
    main(sys.argv[1:])
