#!/usr/bin/env python3
"""PyTorch interop: an eqx checkpoint is a PyTorch state dict, and PyTorch reproduces eqx's logits.

Usage: python3 Tests/interop/torch_interop.py .build/release/eqx

1. eqx trains a small CNN (conv, batch norm, ReLU, max pool, flatten, linear) on the built-in digits and
   saves it with `save net to "net.safetensors"`; it also reports its test accuracy and losses.
2. `safetensors.torch.load_file` loads the file into an equivalent `torch.nn.Sequential` whose module names
   are eqx's layer names (conv1, bn1, relu1, maxpool1, ..., linear1), so the keys match one to one.
3. Python rebuilds eqx's test split independently (digits.csv.gz, pixels / 16, the last 400 rows in file
   order, as Sources/EqxData/Loaders/Digits.swift documents) and compares accuracy and losses.
4. Logits: `save predictions(model, digits.test)` writes eqx's logits (CSV and .npy), compared with
   PyTorch's on the same weights. Independently of that statement, the script also reads them through eqx's
   own evaluation of checkpoints written by PyTorch. For logit k, a probe checkpoint keeps row k of the last layer, zeroes the
   other rows and adds a whole offset B to bias k, so the probe's output is (z_k + B)·e_k with z_k + B > 1.
   eqx reports the mean-squared error of that output on single test images (`digits.test[i..i]`), which is
   ((z_k + B)^2 + 1) / 10 when the label is not k and (z_k + B - 1)^2 / 10 when it is; inverting gives z_k
   exactly, up to float32 rounding of the reported loss (below 1e-6 here). PyTorch evaluates the same probe
   checkpoints, and the largest difference between eqx's and PyTorch's outputs must be below 1e-5.

Prints one line per check, then `N passed, M failed`; exits 1 on any failure. When PyTorch (or
numpy/safetensors) is missing it says so and how to install it, and exits 0 ("skipped") — except under
CI=true, where a skipped interop test fails the run (exit 1): CI installs PyTorch, so a skip there means the
installation broke.
"""
import collections
import gzip
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    from safetensors.torch import load_file, save_file
except ImportError as e:  # pragma: no cover - depends on the machine
    INSTALL = ('pip install numpy safetensors torch --index-url https://download.pytorch.org/whl/cpu '
               '--extra-index-url https://pypi.org/simple')
    if os.environ.get("CI") == "true":
        print(f"FAIL  interop: {e.name or e} is not installed, and under CI=true the PyTorch interop test "
              f"must run (install: {INSTALL})")
        sys.exit(1)
    print(f"skipped: PyTorch interop test ({e.name or e} is not installed; {INSTALL})")
    sys.exit(0)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIGITS = os.path.join(ROOT, "Sources", "EqxData", "Resources", "digits.csv.gz")
TRAIN_COUNT = 1397
TOLERANCE = 1e-5

NET = """net cnn(width: 8) {
  conv 3x3 -> width pad 1
  batchnorm
  relu
  maxpool 2
  conv 3x3 -> 2 * width pad 1
  batchnorm
  relu
  flatten
  linear -> 10
}
"""

TRAIN = f"""eqx 1
seed 4
data digits = builtin.digits
{NET}
train model = cnn on digits.train {{
  optimizer sgd(lr: 0.05, momentum: 0.9)
  batch 32
  epochs 4
}}
save model to "net.safetensors"
save predictions(model, digits.test) to "predictions.csv"
save predictions(model, digits.test) to "predictions.npy"
report acc: accuracy(model, digits.test), ce: loss(model, digits.test), mse: loss(model, digits.test, kind: mse)
report reloaded: accuracy(load("net.safetensors", cnn, digits.train), digits.test)
"""

passed, failed = 0, 0


# A ResNet with a downsampling block (projection shortcut: 1×1 conv with stride 2 and batch norm), issue 12.
RESNET = """eqx 1
seed 7
data digits = builtin.digits
block basic(c) {
  residual {
    conv 3x3 -> c pad 1 bias false
    batchnorm
    relu
    conv 3x3 -> c pad 1 bias false
    batchnorm
  }
  relu
}
block down(c) {
  residual {
    conv 3x3 -> c stride 2 pad 1 bias false
    batchnorm
    relu
    conv 3x3 -> c pad 1 bias false
    batchnorm
  } shortcut {
    conv 1x1 -> c stride 2 bias false
    batchnorm
  }
  relu
}
net resnet {
  conv 3x3 -> 8 pad 1 bias false
  batchnorm
  relu
  basic(8)
  down(16)
  basic(16)
  global avgpool
  linear -> 10
}
train model = resnet on digits.train {
  optimizer sgd(lr: 0.05, momentum: 0.9)
  batch 32
  epochs 3
}
save model to "resnet.safetensors"
save predictions(model, digits.test) to "resnet_predictions.npy"
report acc: accuracy(model, digits.test)
"""


class TorchBlock(torch.nn.Module):
    """A basic residual block with eqx's layer names: conv1/bn1, conv2/bn2 and, for a projection shortcut,
    conv3/bn3 (the shortcut's layers come after the body's in eqx's naming)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.project = stride != 1 or cin != cout
        if self.project:
            self.conv3 = nn.Conv2d(cin, cout, 1, stride=stride, bias=False)
            self.bn3 = nn.BatchNorm2d(cout)

    def forward(self, x):
        f = torch.nn.functional
        y = self.bn2(self.conv2(f.relu(self.bn1(self.conv1(x)))))
        return f.relu(y + (self.bn3(self.conv3(x)) if self.project else x))


class TorchResNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.basic1 = TorchBlock(8, 8, 1)
        self.down1 = TorchBlock(8, 16, 2)
        self.basic2 = TorchBlock(16, 16, 1)
        self.linear1 = nn.Linear(16, 10)

    def forward(self, x):
        f = torch.nn.functional
        x = f.relu(self.bn1(self.conv1(x)))
        x = self.basic2(self.down1(self.basic1(x)))
        return self.linear1(x.mean(dim=(2, 3)))


def check_resnet(eqx, tmp, x):
    """The eqx ResNet's checkpoint in a plain PyTorch ResNet: the same keys, the same logits."""
    directory = os.path.join(tmp, "resnet")
    os.makedirs(directory)
    if run_eqx(eqx, ("resnet.eqx", RESNET), directory, directory) is None:
        return
    state = load_file(os.path.join(directory, "resnet.safetensors"))
    model = TorchResNet()
    missing, unexpected = model.load_state_dict(state, strict=False)
    check("ResNet: the PyTorch ResNet takes every tensor under the same keys (shortcut: down1.conv3, down1.bn3)",
          not unexpected and all(k.endswith("num_batches_tracked") for k in missing), f"{missing} {unexpected}")
    model.eval()
    with torch.no_grad():
        logits = model(x).numpy()
    records = np.load(os.path.join(directory, "resnet_predictions.npy"))
    gap = np.abs(records["logits"] - logits).max()
    check("ResNet: every test logit within 1e-5 of PyTorch's", gap < 1e-5, f"max difference {gap:.2e}")


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""))
    return ok


def run_eqx(eqx, script, directory, out):
    path = os.path.join(directory, script[0])
    with open(path, "w") as f:
        f.write(script[1])
    r = subprocess.run([eqx, "run", path, "--out", out, "--quiet", "--threads", "2"],
                       capture_output=True, text=True, timeout=900)
    if not check(f"eqx run {script[0]} exits 0", r.returncode == 0, "" if r.returncode == 0 else f"exit {r.returncode}\n{r.stderr}"):
        return None
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)


def report_values(results):
    """Every report column of results.json as {label: value}."""
    values = {}
    for table in results["tables"].values():
        for column, value in zip(table["columns"], table["rows"][0]):
            values[column] = value
    return values


def torch_model():
    """eqx's cnn(width: 8) for 1×8×8 inputs, with eqx's layer names as module names."""
    nn = torch.nn
    return nn.Sequential(collections.OrderedDict([
        ("conv1", nn.Conv2d(1, 8, 3, padding=1)),
        ("bn1", nn.BatchNorm2d(8)),
        ("relu1", nn.ReLU()),
        ("maxpool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(8, 16, 3, padding=1)),
        ("bn2", nn.BatchNorm2d(16)),
        ("relu2", nn.ReLU()),
        ("flatten1", nn.Flatten()),
        ("linear1", nn.Linear(16 * 4 * 4, 10)),
    ]))


def probe_model_for(state, offset, k):
    probe = {name: t.clone() for name, t in state.items()}
    probe["linear1.bias"][k] += offset
    model = torch_model()
    model.load_state_dict(probe, strict=False)
    return model.eval()


def float32_noise(model, x, k):
    """How far PyTorch's own float32 output is from float64: the scale of rounding differences."""
    with torch.no_grad():
        single = model(x)[0, k].item()
        double = model.double()(x.double())[0, k].item()
    return abs(single - double)


def digits_test():
    rows = np.loadtxt(gzip.open(DIGITS, "rt"), delimiter=",", dtype=np.float64)
    check("digits.csv.gz has 1797 rows of 64 pixels and a label", rows.shape == (1797, 65), str(rows.shape))
    test = rows[TRAIN_COUNT:]
    x = torch.tensor((test[:, :64] / 16).astype(np.float32)).reshape(-1, 1, 8, 8)
    y = torch.tensor(test[:, 64].astype(np.int64))
    return x, y


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2])
        return 64
    eqx = os.path.abspath(sys.argv[1])
    if not check(f"eqx binary {eqx} exists", os.access(eqx, os.X_OK)):
        return 1
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory(prefix="eqx-interop-") as tmp:
        # 1. Train and save with eqx. `save` writes relative to the run directory and `load` reads relative
        #    to the script's directory: with --out set to the script's directory they are the same place.
        results = run_eqx(eqx, ("train.eqx", TRAIN), tmp, tmp)
        if results is None:
            return 1
        eqx_values = report_values(results)
        check("eqx reloads its own checkpoint to the same accuracy",
              eqx_values["reloaded"] == eqx_values["acc"], f"{eqx_values['reloaded']} vs {eqx_values['acc']}")

        # 2. Load into PyTorch.
        state = load_file(os.path.join(tmp, "net.safetensors"))
        expected = {f"{layer}.{p}" for layer in ("conv1", "conv2", "linear1") for p in ("weight", "bias")} | {
            f"{bn}.{p}" for bn in ("bn1", "bn2") for p in ("weight", "bias", "running_mean", "running_var")}
        check("checkpoint keys are PyTorch's", set(state) == expected, f"{sorted(state)}")
        check("conv1.weight is OIHW [8, 1, 3, 3] float32",
              tuple(state["conv1.weight"].shape) == (8, 1, 3, 3) and state["conv1.weight"].dtype == torch.float32)
        check("linear1.weight is [10, 256]", tuple(state["linear1.weight"].shape) == (10, 256))
        model = torch_model()
        missing, unexpected = model.load_state_dict(state, strict=False)
        check("torch.nn.Sequential takes every tensor",
              not unexpected and all(k.endswith("num_batches_tracked") for k in missing), f"{missing} {unexpected}")
        model.eval()

        # 3. The same test images, the same numbers.
        x, y = digits_test()
        with torch.no_grad():
            logits = model(x)
        predictions = logits.argmax(dim=1)
        accuracy = (predictions == y).double().mean().item()
        ce = torch.nn.functional.cross_entropy(logits.double(), y).item()
        mse = torch.nn.functional.mse_loss(logits.double(), torch.nn.functional.one_hot(y, 10).double()).item()
        check("accuracy equals eqx's", round(accuracy * 400) == round(eqx_values["acc"] * 400),
              f"torch {accuracy:.4f}, eqx {eqx_values['acc']:.4f}")
        check("accuracy is that of a trained net (> 0.8)", accuracy > 0.8, f"{accuracy:.4f}")
        check(f"cross-entropy equals eqx's within {TOLERANCE}", abs(ce - eqx_values["ce"]) < TOLERANCE,
              f"torch {ce:.8f}, eqx {eqx_values['ce']:.8f}")
        # `save predictions` against PyTorch on the same weights: index, label, argmax and every logit.
        table = np.loadtxt(os.path.join(tmp, "predictions.csv"), delimiter=",", skiprows=1)
        records = np.load(os.path.join(tmp, "predictions.npy"))
        check("save predictions writes 400 rows of index, label, predicted and 10 logits", table.shape == (400, 13),
              str(table.shape))
        if table.shape == (400, 13):
            check("predictions: indices 0…399 and the test labels",
                  (table[:, 0] == np.arange(400)).all() and (table[:, 1] == y.numpy()).all())
            check("predictions: the predicted class is PyTorch's", (table[:, 2] == predictions.numpy()).all())
            gap = np.abs(table[:, 3:] - logits.numpy()).max()
            check(f"predictions: every logit within {TOLERANCE} of PyTorch's", gap < TOLERANCE, f"max difference {gap:.2e}")
            check("predictions .npy holds the same rows as the .csv",
                  (records["index"] == table[:, 0]).all() and (records["label"] == table[:, 1]).all()
                  and (records["predicted"] == table[:, 2]).all() and (records["logits"] == table[:, 3:].astype(np.float32)).all())
        check(f"mean squared error equals eqx's within {TOLERANCE}", abs(mse - eqx_values["mse"]) < TOLERANCE,
              f"torch {mse:.8f}, eqx {eqx_values['mse']:.8f}")

        # 4. Logits through probe checkpoints written by PyTorch and evaluated by eqx.
        # Per class, the smallest whole offset that keeps every probe output above 1 (so its sign is known).
        offsets = [float(max(0, math.ceil(1.5 - logits[:, k].min().item()))) for k in range(10)]
        probe_outputs = torch.zeros(400, 10)
        for k in range(10):
            probe = {name: t.clone() for name, t in state.items()}
            keep = torch.zeros(10, dtype=torch.bool)
            keep[k] = True
            probe["linear1.weight"][~keep] = 0
            probe["linear1.bias"][~keep] = 0
            probe["linear1.bias"][k] += offsets[k]
            save_file(probe, os.path.join(tmp, f"probe_{k}.safetensors"))
            probe_model = torch_model()
            probe_model.load_state_dict(probe, strict=False)
            probe_model.eval()
            with torch.no_grad():
                probe_outputs[:, k] = probe_model(x)[:, k]
        samples = list(range(0, 400, 8))
        lines = ["eqx 1", "data digits = builtin.digits", NET]
        lines += [f'let p{k} = load("probe_{k}.safetensors", cnn, digits.train)' for k in range(10)]
        for k in range(10):
            lines.append("report " + ", ".join(f"k{k}_s{i}: loss(p{k}, digits.test[{i}..{i}], kind: mse)" for i in samples))
        probed = run_eqx(eqx, ("probe.eqx", "\n".join(lines) + "\n"), tmp, os.path.join(tmp, "probe"))
        if probed is None:
            return 1
        values = report_values(probed)
        # The probe's output z_k + B as eqx computed it, from its mean-squared error against the label.
        eqx_outputs = np.zeros((len(samples), 10))
        for row, i in enumerate(samples):
            for k in range(10):
                m = values[f"k{k}_s{i}"]
                eqx_outputs[row, k] = 1 + math.sqrt(10 * m) if y[i].item() == k else math.sqrt(max(0.0, 10 * m - 1))
        torch_outputs = probe_outputs[samples].double().numpy()
        diff = np.abs(eqx_outputs - torch_outputs)
        row, k = np.unravel_index(diff.argmax(), diff.shape)
        check(f"max |logit difference| over {len(samples)} test images × 10 classes < {TOLERANCE}",
              diff.max() < TOLERANCE, f"{diff.max():.2e} at test image {samples[row]}, class {k} (logits up to "
              f"{torch_outputs.max():.1f}; PyTorch's own float32 vs float64 difference: "
              f"{float32_noise(probe_model_for(state, offsets[k], k), x[[samples[row]]], k):.1e})")
        original = eqx_outputs - np.array(offsets)
        check("eqx's and PyTorch's predictions agree", (original.argmax(axis=1) == predictions[samples].numpy()).all())

        # 5. A ResNet with a projection shortcut, through its checkpoint.
        check_resnet(eqx, tmp, x)
    return 0


if __name__ == "__main__":
    status = main()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or status else 0)
