# The PyTorch peer of bench:peer (bench/peer.bench.ts): the same training steps as alrflow's, written
# directly in PyTorch, timed here and reported as JSON lines. Threads come from OMP_NUM_THREADS /
# OPENBLAS_NUM_THREADS, which the bench sets before this process imports torch. Protocol: one JSON
# request per stdin line {"net": "mlp"|"resnet5", "method": "bp"|"lr"|"alr", "n": N, "k": K, "steps": S},
# one JSON reply per line {"ms": [per-step milliseconds], "cpu": [per-step CPU milliseconds of the process, all
# threads]}. BP is autograd; LR and ALR are forward-only
# (noise on every pre-activation, K copies in rows, mean baseline, one weight-gradient product per
# layer), as METHOD.md specifies and alrflow's graphs compute. Not a test.
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
torch.manual_seed(1)
SIGMA, LR, MOMENTUM = 0.1, 0.01, 0.9


def mlp_params():
    return [torch.randn(256, 784) * 0.05, torch.zeros(256), torch.randn(10, 256) * 0.05, torch.zeros(10)]


def conv_params():
    """resnet5: four conv+batchnorm units (3-32, 32-32, 32-32, 32-64) and fc 64-10; per unit w, b, gamma, beta."""
    ps = []
    for out, inp in [(32, 3), (32, 32), (32, 32), (64, 32)]:
        ps += [torch.randn(out, inp, 3, 3) * 0.05, torch.zeros(out), torch.ones(out), torch.zeros(out)]
    return ps + [torch.randn(10, 64) * 0.05, torch.zeros(10)]


def resnet5_forward(p, x, noise, k=1, stats=None):
    """Logits and, per parametrised layer, (input, noise, kind). alrflow's layout: the first conv runs on
    the N samples and is tiled to N*K rows; noise follows every conv and every batchnorm; a noisy pass
    normalises with the clean pass's statistics (`stats`), which a clean pass (stats == []) records."""
    saved = []

    def noisy(z, h, kind):
        e = noise(z)
        saved.append((h, e, kind))
        return z if e is None else z + SIGMA * e

    def unit(h, i, first=False):
        w, b, g, beta = p[4 * i : 4 * i + 4]
        z = F.conv2d(h, w, b, padding=1)
        if first and k > 1:
            z = z.repeat_interleave(k, 0)
        z = noisy(z, h, "conv")
        if stats is None or len(stats) <= i:
            mean, var = z.mean((0, 2, 3)), z.var((0, 2, 3), unbiased=False)
            if stats is not None:
                stats.append((mean, var))
        else:
            mean, var = stats[i]
        normed = (z - mean.view(1, -1, 1, 1)) / torch.sqrt(var.view(1, -1, 1, 1) + 1e-5)
        y = normed * g.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)
        return F.relu(noisy(y, normed, "bn"))

    h = F.max_pool2d(unit(x, 0, first=True), 2)
    h = h + unit(unit(h, 1), 2)
    h = F.max_pool2d(unit(h, 3), 2)
    h = F.avg_pool2d(h, 8).flatten(1)
    return noisy(F.linear(h, p[16], p[17]), h, "fc"), saved


def mlp_forward(p, x, noise, k=1, stats=None):
    """alrflow's layout: the first layer runs on the N samples and is tiled to N*K rows."""
    saved = []
    z = F.linear(x, p[0], p[1]).repeat_interleave(k, 0)
    e = noise(z)
    saved.append((x, e, "first"))
    h = F.relu(z if e is None else z + SIGMA * e)
    z = F.linear(h, p[2], p[3])
    e = noise(z)
    saved.append((h, e, "fc"))
    return (z if e is None else z + SIGMA * e), saved


class Step:
    def __init__(self, net, method, n, k):
        self.net, self.method, self.n, self.k = net, method, n, k
        self.params = mlp_params() if net == "mlp" else conv_params()
        self.velocity = [torch.zeros_like(q) for q in self.params]
        shape = (n, 784) if net == "mlp" else (n, 3, 32, 32)
        self.x, self.y = torch.randn(*shape), torch.randint(0, 10, (n,))
        self.forward = mlp_forward if net == "mlp" else resnet5_forward

    def update(self, grads):
        for q, v, g in zip(self.params, self.velocity, grads):
            v.mul_(MOMENTUM).add_(g)
            q.sub_(LR * v)

    def bp(self):
        for q in self.params:
            q.requires_grad_(True)
        logits, _ = self.forward(self.params, self.x, lambda z: None)
        loss = F.cross_entropy(logits, self.y)
        grads = torch.autograd.grad(loss, self.params)
        for q in self.params:
            q.requires_grad_(False)
        with torch.no_grad():
            self.update(grads)

    @torch.no_grad()
    def forward_only(self):
        n, k = self.n, self.k
        stats = []
        if self.net == "resnet5":
            self.forward(self.params, self.x, lambda z: None, 1, stats)
        logits, saved = self.forward(self.params, self.x, lambda z: torch.randn_like(z), k, stats)
        loss = F.cross_entropy(logits, self.y.repeat_interleave(k), reduction="none").view(n, k)
        shaped = (loss - loss.mean(1, keepdim=True)).view(n * k)
        scale = math.sqrt(math.pi / 2) / (n * k * SIGMA) if self.method == "alr" else 1 / (n * k * SIGMA)
        grads = []
        for h, e, kind in saved:
            s = torch.sign(e) if self.method == "alr" else e
            delta = s * shaped.view(-1, *([1] * (s.dim() - 1))) * scale
            grads += self.layer_grads(h, delta, kind, n, k, len(grads))
        self.update(grads)

    def layer_grads(self, h, delta, kind, n, k, at):
        if kind == "first":
            summed = delta.view(n, k, -1).sum(1)
            return [summed.t() @ h, summed.sum(0)]
        if kind == "fc":
            return [delta.t() @ h, delta.sum(0)]
        if kind == "bn":
            return [(delta * h).sum((0, 2, 3)), delta.sum((0, 2, 3))]
        w = self.params[at]
        if h.shape[0] != delta.shape[0]:
            delta = delta.view(h.shape[0], -1, *delta.shape[1:]).sum(1)
        return [torch.nn.grad.conv2d_weight(h, w.shape, delta, padding=1), delta.sum((0, 2, 3))]

    def run(self):
        self.bp() if self.method == "bp" else self.forward_only()


def main():
    steps = {}
    for line in sys.stdin:
        req = json.loads(line)
        key = (req["net"], req["method"], req["n"], req["k"])
        step = steps.setdefault(key, Step(*key))
        ms, cpu = [], []
        for _ in range(req["steps"]):
            t0, c0 = time.perf_counter(), time.process_time()
            step.run()
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        reply = {"ms": ms, "cpu": cpu, "threads": torch.get_num_threads(), "torch": torch.__version__}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
