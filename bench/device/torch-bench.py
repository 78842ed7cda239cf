# The device check's PyTorch peer: times the shapes of kernel-bench.ts (read from the bench JSON that
# `check.mjs bench` wrote) with the machine's own torch, on CUDA when it is there, float32, fastest of
# 5 synchronised calls after a warm-up. Prints one JSON document. Not a test.
import json
import sys
import time

import torch
import torch.nn.functional as F


def timed(fn, device):
    fn()
    best = float("inf")
    for _ in range(5):
        if device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def case_fn(kind, s, device):
    r = lambda *shape: torch.rand(*shape, device=device) - 0.5
    if kind == "matmul":
        a, b = r(s["m"], s["k"]), r(s["k"], s["n"])
        return lambda: a @ b
    if kind == "conv2d":
        x, w = r(s["batch"], s["ci"], s["side"], s["side"]), r(s["co"], s["ci"], 3, 3)
        return lambda: F.conv2d(x, w, padding=1)
    loss, e, x = r(s["rows"]), torch.sign(r(s["rows"], s["outs"])), r(s["rows"], s["ins"])
    sigma = torch.full((s["outs"],), 0.1, device=device)
    return lambda: ((loss[:, None] * e).T @ x / sigma[:, None], (loss[:, None] * e).sum(0) / sigma)


def main():
    bench = json.load(open(sys.argv[1]))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    name = torch.cuda.get_device_name(0) if device == "cuda" else "cpu"
    rows = []
    for row in bench["rows"]:
        ms = timed(case_fn(row["kind"], row["shape"], device), device)
        rows.append({"label": row["label"], "ms": ms, "gflops": row["flop"] / (ms * 1e6)})
    print(json.dumps({"torch": torch.__version__, "device": name, "rows": rows}))


main()
