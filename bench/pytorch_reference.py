#!/usr/bin/env python3
"""PyTorch reference for `eqx bench`: the same benchmarks, written as a PyTorch user would, same JSON keys.

    python3 bench/pytorch_reference.py --json [--threads N] [--warmup W] [--iterations K] [NAME ...]

CPU only. Each network runs in both memory formats (contiguous NCHW and channels-last) and the
faster is reported. Needs: pip install numpy "torch==2.13.0+cpu".
"""
import argparse
import copy
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

NAMES = ["sgemm", "mnist_cnn_train", "vgg11q_train", "vgg11q_infer", "fmnist_vgg_train",
         "fmnist_gcnn_train", "c4_equivariant_train", "c4_nominal_train", "eval_10k", "merge_flip"]
# Benches whose one step is a whole evaluation or merge: a third of the warm-up and timed steps (as eqx).
LONG = {"eval_10k", "merge_flip"}


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024
    return 0.0


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def median_ms(step, warmup, iterations):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


class MNISTCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(1, 32, 3), nn.Conv2d(32, 32, 3), nn.Conv2d(32, 64, 3), nn.Conv2d(64, 64, 3)])
        self.fc = nn.Linear(1024, 10)

    def forward(self, x):
        for i, conv in enumerate(self.convs):
            x = F.relu(conv(x))
            if i % 2 == 1:
                x = F.max_pool2d(x, 2)
        return self.fc(torch.flatten(x, 1))

    multiply_adds = 1 * 32 * 9 * 26 * 26 + 32 * 32 * 9 * 24 * 24 + 32 * 64 * 9 * 10 * 10 + 64 * 64 * 9 * 8 * 8 + 1024 * 10


VGG11Q = [16, "M", 32, "M", 64, 64, "M", 128, 128, "M", 128, 128, "M"]


class VGG11Quarter(nn.Module):
    def __init__(self):
        super().__init__()
        layers, c = [], 3
        for v in VGG11Q:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1, bias=False), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
                c = v
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))

    @staticmethod
    def multiply_adds():
        total, c, s = 0, 3, 32
        for v in VGG11Q:
            if v == "M":
                s //= 2
            else:
                total += c * v * 9 * s * s
                c = v
        return total + 128 * 10


FMNIST = [16, 16, "M", 32, 32, "M"]


class FashionVGG(nn.Module):
    """Bökman & Kahl's Fashion-MNIST net: 16/16/32/32 padded 3x3 convs + BN + ReLU, pools, GAP, linear."""

    def __init__(self):
        super().__init__()
        layers, c = [], 1
        for v in FMNIST:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
                c = v
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))

    multiply_adds = 1 * 16 * 9 * 784 + 16 * 16 * 9 * 784 + 16 * 32 * 9 * 196 + 32 * 32 * 9 * 196 + 32 * 10


class FlipGCNN(nn.Module):
    """The same net as a flip G-CNN with regular channels, written the usual way (escnn-style): only the
    free half of every weight is a parameter, and the full weights are expanded from it on every forward.
    Channels come in pairs (2k, 2k+1) that the mirror swaps; W[2k+1, i] = mirror(W[2k, swap(i)])."""

    def __init__(self):
        super().__init__()
        self.convs, self.bns, c, regular_in = nn.ParameterList(), nn.ModuleList(), 1, False
        self.biases, self.plan = nn.ParameterList(), []
        for v in FMNIST:
            if v == "M":
                self.plan.append("M")
                continue
            conv = nn.Conv2d(c, v, 3, padding=1)
            self.convs.append(nn.Parameter(conv.weight.detach()[0::2].clone()))
            self.biases.append(nn.Parameter(conv.bias.detach()[0::2].clone()))
            self.bns.append(nn.BatchNorm2d(v // 2))  # free half of γ, β; statistics per pair below
            self.plan.append((regular_in, v))
            c, regular_in = v, True
        lin = nn.Linear(32, 10)
        self.fc_w = nn.Parameter(lin.weight.detach()[:, 0::2].clone())
        self.fc_b = nn.Parameter(lin.bias.detach().clone())

    @staticmethod
    def expand(w, regular_in):
        partner = w.flip(-1)
        if regular_in:  # the mirror also swaps the input pairs
            partner = partner.view(w.shape[0], -1, 2, 3, 3).flip(2).reshape(w.shape)
        return torch.stack([w, partner], 1).reshape(2 * w.shape[0], *w.shape[1:])

    def forward(self, x):
        i = 0
        for step in self.plan:
            if step == "M":
                x = F.max_pool2d(x, 2)
                continue
            regular_in, v = step
            w = self.expand(self.convs[i], regular_in)
            x = F.conv2d(x, w, self.biases[i].repeat_interleave(2), padding=1)
            # Batch norm tied over each pair: statistics over the pair's two maps.
            n, c, h, wd = x.shape
            x = self.bns[i](x.reshape(n, c // 2, 2 * h, wd)).reshape(n, c, h, wd)
            x = F.relu(x)
            i += 1
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return F.linear(x, self.fc_w.repeat_interleave(2, dim=1), self.fc_b)


def c4_orbits(n):
    """Orbit index of every position of an n x n grid under rotations by 90°, and the orbit count."""
    label = -torch.ones(n, n, dtype=torch.long)
    count = 0
    for i in range(n):
        for j in range(n):
            if label[i, j] < 0:
                a, b = i, j
                for _ in range(4):
                    label[a, b] = count
                    a, b = b, n - 1 - a
                count += 1
    return label.flatten(), count


class NordenforsCNN(nn.Module):
    """Nordenfors et al.'s CNN (no biases, avg pools, tanh, LayerNorm per channel map, linear 3136 -> 10).
    `c4=True`: trivial-channel C4-equivariant version, each 3x3 kernel and the linear layer's 7x7 maps tied
    over rotation orbits; only the free coefficients are parameters, expanded by a gather every forward."""

    def __init__(self, c4=False):
        super().__init__()
        self.c4 = c4
        shapes = [(32, 1), (64, 32), (64, 64)]
        self.k_idx, k_free = c4_orbits(3)
        self.l_idx, l_free = c4_orbits(7)
        self.ws = nn.ParameterList()
        for o, i in shapes:
            w = nn.Conv2d(i, o, 3, bias=False).weight.detach()
            self.ws.append(nn.Parameter(torch.zeros(o, i, k_free) if c4 else w))
        lw = nn.Linear(3136, 10, bias=False).weight.detach()
        self.fc = nn.Parameter(torch.zeros(10, 64, l_free) if c4 else lw)
        if c4:
            for p in list(self.ws) + [self.fc]:
                nn.init.normal_(p, std=0.1)

    def forward(self, x):
        for i, w in enumerate(self.ws):
            if self.c4:
                w = w[..., self.k_idx].reshape(w.shape[0], w.shape[1], 3, 3)
            x = F.conv2d(x, w, padding=1)
            if i < 2:
                x = F.avg_pool2d(x, 2)
            x = torch.tanh(x)
            x = F.layer_norm(x, x.shape[-2:])
        fc = self.fc[..., self.l_idx].reshape(10, 3136) if self.c4 else self.fc
        return F.linear(torch.flatten(x, 1), fc)

    multiply_adds = 1 * 32 * 9 * 784 + 32 * 64 * 9 * 196 + 64 * 64 * 9 * 49 + 3136 * 10


def bench_sgemm(warmup, iterations):
    n = 2048
    a, b = torch.rand(n, n) * 2 - 1, torch.rand(n, n) * 2 - 1
    c = torch.empty(n, n)
    ms = median_ms(lambda: torch.mm(a, b, out=c), max(warmup, 2), max(iterations, 5))
    return dict(ms=ms, images=0, flops=2.0 * n ** 3)


def train_step_fn(model, data, batch, loss_fn, opt, fmt):
    """One training step per call on the next shuffled batch of `data` (inputs, targets), as in training."""
    x_all, y_all = data
    state = {"perm": torch.randperm(len(x_all)), "at": 0}

    def step():
        if state["at"] + batch > len(x_all):
            state["perm"], state["at"] = torch.randperm(len(x_all)), 0
        idx = state["perm"][state["at"]:state["at"] + batch]
        state["at"] += batch
        x = x_all[idx].contiguous(memory_format=fmt)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y_all[idx])
        loss.backward()
        opt.step()
    return step


def best_format(make_step, warmup, iterations):
    """Median ms of the faster memory format, and that run's peak RSS."""
    best = None
    for fmt in (torch.contiguous_format, torch.channels_last):
        reset_peak_rss()
        ms = median_ms(make_step(fmt), warmup, iterations)
        rss = peak_rss_mb()
        if best is None or ms < best[0]:
            best = (ms, rss)
    return best


def synthetic(count, shape, one_hot=False):
    x = torch.rand(count, *shape)
    y = torch.randint(0, 10, (count,))
    return x, (F.one_hot(y, 10).float() if one_hot else y)


def bench_train(make_model, shape, batch, mse, lr, momentum, multiply_adds, warmup, iterations):
    def make(fmt):
        torch.manual_seed(0)
        model = make_model().to(memory_format=fmt)
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        loss = nn.MSELoss() if mse else nn.CrossEntropyLoss()
        return train_step_fn(model, synthetic(8 * batch, shape, one_hot=mse), batch, loss, opt, fmt)

    ms, rss = best_format(make, warmup, iterations)
    return dict(ms=ms, images=batch, flops=6.0 * multiply_adds * batch, rss=rss)


def evaluate(model, x, y, batch, fmt):
    """Mean cross-entropy and accuracy in eval mode, batch by batch (what a merge runs at every α)."""
    model.eval()
    total, correct = 0.0, 0
    with torch.inference_mode():
        for s in range(0, len(x), batch):
            out = model(x[s:s + batch].contiguous(memory_format=fmt))
            total += F.cross_entropy(out, y[s:s + batch], reduction="sum").item()
            correct += (out.argmax(1) == y[s:s + batch]).sum().item()
    return total / len(x), correct / len(x)


def bench_eval(make_model, shape, images, batch, multiply_adds, warmup, iterations):
    x, y = synthetic(images, shape)

    def make(fmt):
        torch.manual_seed(0)
        model = make_model().to(memory_format=fmt)
        return lambda: evaluate(model, x, y, batch, fmt)

    ms, rss = best_format(make, warmup, iterations)
    return dict(ms=ms, images=images, flops=2.0 * multiply_adds * images, rss=rss)


def flip_merge(a, match_x, reset_x, eval_x, eval_y, alphas, fmt):
    """Bökman & Kahl's flip self-merge as in their REPAIR-based notebook: B = a with mirrored kernels;
    match post-ReLU activations (Float64 correlations, linear assignment), permute B, then for every α
    interpolate, reset batch norm on x and mirror(x), evaluate."""
    from scipy.optimize import linear_sum_assignment
    b = copy.deepcopy(a)
    with torch.no_grad():
        for m in b.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.copy_(m.weight.flip(-1))
    relus_a = [m for m in a.features if isinstance(m, nn.ReLU)]
    relus_b = [m for m in b.features if isinstance(m, nn.ReLU)]
    stats = [None] * len(relus_a)
    acts = {}
    hooks = [m.register_forward_hook(lambda mod, i, o, k=("a", j): acts.__setitem__(k, o)) for j, m in enumerate(relus_a)]
    hooks += [m.register_forward_hook(lambda mod, i, o, k=("b", j): acts.__setitem__(k, o)) for j, m in enumerate(relus_b)]
    a.eval(); b.eval()
    with torch.inference_mode():
        for s in range(0, len(match_x), 250):
            xb = match_x[s:s + 250].contiguous(memory_format=fmt)
            a(xb); b(xb)
            for j in range(len(relus_a)):
                fa = acts[("a", j)].transpose(0, 1).reshape(acts[("a", j)].shape[1], -1).double()
                fb = acts[("b", j)].transpose(0, 1).reshape(acts[("b", j)].shape[1], -1).double()
                part = (fa.sum(1), fb.sum(1), (fa * fa).sum(1), (fb * fb).sum(1), fa @ fb.T, fa.shape[1])
                stats[j] = part if stats[j] is None else tuple(u + v for u, v in zip(stats[j], part))
    for h in hooks:
        h.remove()
    convs_b = [m for m in b.features if isinstance(m, nn.Conv2d)]
    bns_b = [m for m in b.features if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for j, (sa, sb, saa, sbb, sab, n) in enumerate(stats):
            ma, mb = sa / n, sb / n
            cov = sab / n - torch.outer(ma, mb)
            std_a, std_b = (saa / n - ma * ma).clamp_min(0).sqrt(), (sbb / n - mb * mb).clamp_min(0).sqrt()
            corr = cov / (torch.outer(std_a, std_b) + 1e-4)
            _, perm = linear_sum_assignment(corr.numpy(), maximize=True)
            perm = torch.from_numpy(perm)
            conv, bn = convs_b[j], bns_b[j]
            conv.weight.copy_(conv.weight[perm]); conv.bias.copy_(conv.bias[perm])
            for t in (bn.weight, bn.bias, bn.running_mean, bn.running_var):
                t.copy_(t[perm])
            if j + 1 < len(convs_b):
                convs_b[j + 1].weight.copy_(convs_b[j + 1].weight[:, perm])
            else:
                b.fc.weight.copy_(b.fc.weight[:, perm])
    sd_a, sd_b = a.state_dict(), b.state_dict()
    reset_all = torch.cat([reset_x, reset_x.flip(-1)])
    curve = []
    for alpha in alphas:
        m = copy.deepcopy(a)
        m.load_state_dict({k: ((1 - alpha) * v + alpha * sd_b[k]) if v.is_floating_point() else v for k, v in sd_a.items()})
        for bn in m.modules():
            if isinstance(bn, nn.BatchNorm2d):
                bn.reset_running_stats(); bn.momentum = None
        m.train()
        with torch.no_grad():
            for s in range(0, len(reset_all), 250):
                m(reset_all[s:s + 250].contiguous(memory_format=fmt))
        curve.append(evaluate(m, eval_x, eval_y, 250, fmt))
    return curve


def bench_merge(warmup, iterations):
    x, y = synthetic(7000, (1, 28, 28))
    alphas = [i / 10 for i in range(11)]

    def make(fmt):
        torch.manual_seed(0)
        model = FashionVGG().to(memory_format=fmt)
        return lambda: flip_merge(model, x[:5000], x[5000:6000], x[6000:], y[6000:], alphas, fmt)

    ms, rss = best_format(make, warmup, iterations)
    images = 2 * 5000 + len(alphas) * (2 * 1000 + 1000)
    return dict(ms=ms, images=images, flops=2.0 * FashionVGG.multiply_adds * images, rss=rss)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="benchmarks to run (default: all): " + ", ".join(NAMES))
    p.add_argument("--json", action="store_true", help="print one JSON object per line (the only output format)")
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: all cores)")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--iterations", type=int, default=7)
    args = p.parse_args()
    for n in args.names:
        if n not in NAMES:
            sys.exit(f"unknown benchmark {n!r}; available: {', '.join(NAMES)}")
    if args.threads:
        torch.set_num_threads(args.threads)
    selected = args.names or NAMES
    w, it = args.warmup, args.iterations

    reset_peak_rss()
    g = bench_sgemm(w, it)
    peak = g["flops"] / (g["ms"] / 1e3) / 1e9
    shape28, shape32 = (1, 28, 28), (3, 32, 32)
    runs = {
        "sgemm": lambda w, it: dict(g, rss=peak_rss_mb()),
        "mnist_cnn_train": lambda w, it: bench_train(MNISTCNN, shape28, 100, True, 5e-4, 0, MNISTCNN.multiply_adds, w, it),
        "vgg11q_train": lambda w, it: bench_train(VGG11Quarter, shape32, 128, False, 0.01, 0.9, VGG11Quarter.multiply_adds(), w, it),
        "vgg11q_infer": lambda w, it: bench_eval(VGG11Quarter, shape32, 512, 512, VGG11Quarter.multiply_adds(), w, it),
        "fmnist_vgg_train": lambda w, it: bench_train(FashionVGG, shape28, 128, False, 0.05, 0.9, FashionVGG.multiply_adds, w, it),
        "fmnist_gcnn_train": lambda w, it: bench_train(FlipGCNN, shape28, 128, False, 0.05, 0.9, FashionVGG.multiply_adds, w, it),
        "c4_equivariant_train": lambda w, it: bench_train(lambda: NordenforsCNN(c4=True), shape28, 100, True, 0.005, 0,
                                                          NordenforsCNN.multiply_adds, w, it),
        "c4_nominal_train": lambda w, it: bench_train(NordenforsCNN, shape28, 100, True, 0.005, 0, NordenforsCNN.multiply_adds, w, it),
        "eval_10k": lambda w, it: bench_eval(FashionVGG, shape28, 10_000, 1000, FashionVGG.multiply_adds, w, it),
        "merge_flip": bench_merge,
    }
    for name in NAMES:
        if name not in selected:
            continue
        reset_peak_rss()
        long = name in LONG
        r = runs[name](max(1, w // 3) if long else w, max(1, it // 3) if long else it)
        gflops = r["flops"] / (r["ms"] / 1e3) / 1e9
        print(json.dumps({
            "bench": name,
            "ms_per_step": round(r["ms"], 3),
            "images_per_s": round(r["images"] / (r["ms"] / 1e3), 3),
            "gflops": round(gflops, 3),
            "pct_sgemm_peak": round(100 * gflops / peak, 3),
            "peak_rss_mb": round(r["rss"], 3),
        }), flush=True)


if __name__ == "__main__":
    main()
