#!/usr/bin/env python3
"""PyTorch reference for `eqx bench`: the same four benchmarks, printing the same JSON keys.

    python3 bench/pytorch_reference.py --json [--threads N] [--warmup W] [--iterations K] [NAME ...]

CPU only. Each network runs in both memory formats (contiguous NCHW and channels-last) and the
faster is reported. Needs: pip install numpy "torch==2.13.0+cpu".
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

NAMES = ["sgemm", "mnist_cnn_train", "vgg11q_train", "vgg11q_infer"]


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


def bench_sgemm(warmup, iterations):
    n = 1024
    a, b = torch.rand(n, n) * 2 - 1, torch.rand(n, n) * 2 - 1
    c = torch.empty(n, n)
    ms = median_ms(lambda: torch.mm(a, b, out=c), max(warmup, 2), max(iterations, 5))
    return dict(ms=ms, images=0, flops=2.0 * n ** 3)


def train_step_fn(model, x, target, loss_fn, opt):
    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), target)
        loss.backward()
        opt.step()
    return step


def best_format(make_step, warmup, iterations):
    """Median ms of the faster memory format."""
    best = None
    for fmt in (torch.contiguous_format, torch.channels_last):
        reset_peak_rss()
        ms = median_ms(make_step(fmt), warmup, iterations)
        rss = peak_rss_mb()
        if best is None or ms < best[0]:
            best = (ms, rss)
    return best


def bench_mnist(warmup, iterations):
    batch = 100

    def make(fmt):
        torch.manual_seed(0)
        model = MNISTCNN().to(memory_format=fmt)
        x = torch.rand(batch, 1, 28, 28).contiguous(memory_format=fmt)
        target = F.one_hot(torch.randint(0, 10, (batch,)), 10).float()
        opt = torch.optim.SGD(model.parameters(), lr=5e-4)
        return train_step_fn(model, x, target, nn.MSELoss(), opt)

    ms, rss = best_format(make, warmup, iterations)
    return dict(ms=ms, images=batch, flops=6.0 * MNISTCNN.multiply_adds * batch, rss=rss)


def bench_vgg(training, warmup, iterations):
    batch = 128 if training else 512

    def make(fmt):
        torch.manual_seed(0)
        model = VGG11Quarter().to(memory_format=fmt)
        x = torch.randn(batch, 3, 32, 32).contiguous(memory_format=fmt)
        if training:
            model.train()
            labels = torch.randint(0, 10, (batch,))
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            return train_step_fn(model, x, labels, nn.CrossEntropyLoss(), opt)
        model.eval()

        def infer():
            with torch.inference_mode():
                model(x)
        return infer

    ms, rss = best_format(make, warmup, iterations)
    return dict(ms=ms, images=batch, flops=(6.0 if training else 2.0) * VGG11Quarter.multiply_adds() * batch, rss=rss)


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

    reset_peak_rss()
    g = bench_sgemm(args.warmup, args.iterations)
    peak = g["flops"] / (g["ms"] / 1e3) / 1e9
    runs = {"sgemm": lambda: dict(g, rss=peak_rss_mb()),
            "mnist_cnn_train": lambda: bench_mnist(args.warmup, args.iterations),
            "vgg11q_train": lambda: bench_vgg(True, args.warmup, args.iterations),
            "vgg11q_infer": lambda: bench_vgg(False, args.warmup, args.iterations)}
    for name in NAMES:
        if name not in selected:
            continue
        r = runs[name]()
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
