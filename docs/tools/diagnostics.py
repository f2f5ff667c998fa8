#!/usr/bin/env python3
"""Regenerates docs/diagnostics.md: every diagnostic id, what it means, a script that triggers it and the
text eqx prints for it. Run from the repository root after `swift build --product eqx`:

    python3 docs/tools/diagnostics.py [path/to/eqx]

Each example is checked (or run) with the real binary; the script fails if the expected id is not printed,
so the page cannot drift from the code.
"""
import os
import subprocess
import sys
import tempfile

EQX = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/eqx")
NET = """net cnn(width: 8) {
  conv 3x3 -> width pad 1
  relu
  global avgpool
  linear -> 10
}
"""

# (id, meaning, script, command, shown, keep). Scripts are bytes or str; command is "check" or "run",
# optionally with more arguments ("run --set epochs=2").
# For a script too long to print, `shown` is the text the page shows instead, and `keep` = (first, last)
# prints only that many blank-line-separated blocks of the output from each end, eliding the middle.
ENTRIES = []


def entry(id, meaning, script, command="check", shown=None, keep=None, files=None):
    ENTRIES.append((id, meaning, script, command, shown, keep, files or {}))


def safetensors(tensors):
    """A float32 safetensors file of zeros with the given {key: shape}."""
    import json
    import struct
    header, offset = {}, 0
    for key, shape in tensors.items():
        size = 4
        for n in shape:
            size *= n
        header[key] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + bytes(offset)


SECTIONS = [
    ("E01", "Lexical errors (E01xx)", "The lexer never stops early: every bad byte or token is reported and "
     "scanning goes on, so one run shows all of them."),
    ("E02", "Syntax errors (E02xx)", "The parser recovers at the next line, `;` or `}` and keeps going. "
     "The checker runs only when parsing found no errors, so a script with syntax errors shows those first."),
    ("E03", "Shape errors (E03xx)", "The checker infers the shape of every layer from the data's sample "
     "shape. A shape error names both shapes and where the input came from."),
    ("E04", "Names, types and options (E04xx)", ""),
    ("E05", "Groups (E05xx)", ""),
    ("E06", "Training (E06xx)", ""),
    ("E07", "Merges (E07xx)", ""),
    ("E08", "Data (E08xx)", ""),
    ("E09", "Runtime (E09xx)", ""),
    ("W", "Warnings", "Warnings never stop a run; `eqx check` prints `FILE: ok (N warnings)` and exits 0."),
]

# ---- E01 lexical
entry("E0101", "The file is not valid UTF-8. The message gives the offending bytes and their byte offsets.",
      b"eqx 1\n# caf\xe9 (Latin-1)\nseed 1\n")
entry("E0102", "A string has no closing `\"` on its line. Strings cannot span lines.",
      'eqx 1\ndata mnist = idx("/data/mnist)\n')
entry("E0103", "A character that starts no token. Common look-alikes (`×`, `→`, `…`, `−`, curly quotes, `'`) "
      "get a fix-it.", "eqx 1\nnet cnn {\n  conv 3×3 -> 8\n}\n")
entry("E0104", "An integer literal above 2^53 (the largest integer a Double holds exactly), a size part above "
      "2^53, or a decimal number beyond the Double range.", "eqx 1\nseed 123456789012345678901\n")
entry("E0105", "A string escape other than `\\\"`, `\\\\`, `\\n`, `\\t`.", 'eqx 1\nlet path = "C:\\data"\n')
entry("E0106", "Letters glued to a number: `2width`, `3x`, `1e`. Sizes are integers joined by `x` with no spaces.",
      "eqx 1\nlet w = 2width\n")
entry("E0107", "Ranges are written `a..b` (both ends included); `...` is not an operator. Fix-it: `..`.",
      "eqx 1\nlet r = 0...1\n")

# ---- E02 syntax
entry("E0201", "The file holds no statement (empty, or only comments and blank lines). Reported at 1:1.", "# nothing here\n")
entry("E0202", "The version line names a version other than 1.", "eqx 2\n")
entry("E0203", "A required token is missing: `=` after a declared name (recovered with a fix-it when an "
      "expression follows), a `{` that must be on the header's line, or `,` inside parentheses.",
      "eqx 1\nlet width 16\n")
entry("E0204", "A reserved word (`eqx seed let data group net block train merge report plot save repeat for "
      "true false`) is used as a name. The parse continues as if it were a name.",
      "eqx 1\nlet data = 3\n")
entry("E0205", "A `{` has no matching `}`. The note says where the body seems to end (the next statement "
      "keyword at the start of a line, or the end of the file).",
      "eqx 1\ndata digits = builtin.digits\nnet cnn {\n  conv 3x3 -> 8 pad 1\n  global avgpool\n"
      "  linear -> 10\ntrain t = cnn on digits.train {\n  epochs 1\n}\n")
entry("E0206", "Unbalanced `(`, `[` or a stray `)`, `]`, `}`. When the closer is missing at the end of a line "
      "the caret goes just after the last token, with a fix-it.",
      "eqx 1\nlet xs = [1, 2, 3\nseed 1\n")
entry("E0207", "A contextual word is missing: `on` in `train`, `with` in `merge`, `to` in `save`, `in` in "
      "`for`. Recovered with a fix-it when an expression follows.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train t = cnn digits.train {\n  epochs 1\n}\n")
entry("E0208", "A line does not start with a statement keyword. Misspelt keywords get a did-you-mean; "
      "layer or option lines outside braces get a hint.", "eqx 1\ntrian t = cnn on digits.train { epochs 1 }\n")
entry("E0209", "Something follows a complete statement or clause on the same line. Separate statements with a "
      "new line or `;`.", "eqx 1\nseed 1 2\n")
entry("E0210", "An expression is missing (after `=`, `,`, `->`, an operator or `.`), or a number starts with "
      "`.` (`.5`; fix-it `0.5`).", "eqx 1\nlet lr = .5\n")
entry("E0211", "Unexpected token inside a clause: the `->` output must come before the options, options are "
      "`name value` pairs without commas, and arguments are separated by `,`.",
      "eqx 1\nnet cnn {\n  conv 3x3 pad 1 -> 16\n}\n")
entry("E0212", "`eqx 1` appears after another statement. It must be the first statement.",
      "seed 1\neqx 1\n")
entry("E0214", "Expressions or bodies nested more than 64 levels (or an expression tree deeper than 128).",
      "eqx 1\nlet x = " + "(" * 70 + "1" + ")" * 70 + "\n")
entry("E0215", "More than 100 errors: the rest of the file is not checked. The lexer says so with the help "
      "`is this a text file in UTF-8?` (binary files produce an error every few bytes), the parser with "
      "`fix the errors above and run again`.",
      "eqx 1\n" + "@\n" * 101, shown="eqx 1\n@\n@\n# … 101 lines of '@' in all\n", keep=(1, 3))

# ---- E03 shapes
entry("E0301", "Shape mismatch: a layer's declared input (`in N`) differs from what arrives, an image layer "
      "gets a vector, a network has no layers, or a network's input shape differs from the data's. The note "
      "says which layer produced the input.",
      "eqx 1\ndata digits = builtin.digits\nnet cnn {\n  conv 3x3 -> 16 pad 1\n  relu\n  global avgpool\n"
      "  fc: linear -> 10 in 32\n}\ntrain t = cnn on digits.train {\n  epochs 1\n}\n")
entry("E0302", "A size that cannot work: a kernel or pool window larger than the (padded) input, `pad same` "
      "with an even or non-square kernel, or a dense layer with more than 4·10^8 weights.",
      "eqx 1\ndata digits = builtin.digits\nnet cnn {\n  maxpool 2\n  conv 5x5 -> 8\n  global avgpool\n"
      "  linear -> 10\n}\ntrain t = cnn on digits.train {\n  epochs 1\n}\n")
entry("E0303", "A `residual` body changes the shape, so the shortcut cannot add its input to the output.",
      "eqx 1\ndata digits = builtin.digits\nnet res {\n  conv 3x3 -> 8 pad 1\n  residual {\n"
      "    conv 3x3 -> 16 pad 1\n    relu\n  }\n  global avgpool\n  linear -> 10\n}\n"
      "train t = res on digits.train {\n  epochs 1\n}\n")
entry("E0304", "The network's output does not fit the loss and the data: `crossentropy` and `mse` need "
      "`[N, classes]`; `bce` needs one output and two classes.",
      "eqx 1\ndata digits = builtin.digits\nnet cnn {\n  conv 3x3 -> 8 pad 1\n  global avgpool\n"
      "  linear -> 5\n}\ntrain t = cnn on digits.train {\n  epochs 1\n}\n")

# ---- E04 names and types
entry("E0401", "An unknown name (network, group, data, …), with a did-you-mean over the names in scope. Names "
      "declared inside `repeat` or `for` are not visible after the loop.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train small = cnn on digits.train {\n  epochs 1\n}\n"
      "report accuracy(smal, digits.test)\n")
entry("E0402", "A name is declared twice in the same scope (or a layer label is used twice in a network). The "
      "note points at the first declaration. (In the REPL a redefinition shadows the old name instead; see "
      "docs/cli.md.)", "eqx 1\nlet width = 16\nlet width = 32\n")
entry("E0403", "A value of the wrong type: a group where a number is needed, arithmetic on non-numbers, "
      "calling something that is not a function, indexing data with a non-range, a training run where a "
      "group is expected, division by zero.",
      "eqx 1\ngroup flip = 2\n")
entry("E0404", "An unknown option, member or symbol, with a did-you-mean: training, merge and data options, a "
      "layer's modifiers, modes, losses, optimizers, members such as `.barrier`.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train t = cnn on digits.train {\n"
      "  optimiser sgd(lr: 0.1)\n}\n")
entry("E0406", "Wrong arguments: missing or extra arguments, an argument given twice, a missing output size "
      "(`conv 3x3` without `-> C`), an option given twice, values out of their range.",
      "eqx 1\ndata digits = builtin.digits\nnet cnn {\n  conv 3x3 pad 1\n  global avgpool\n  linear -> 10\n}\n"
      "train t = cnn on digits.train {\n  epochs 1\n}\n")
entry("E0407", "A count that must be a positive (or non-negative) integer is not: `repeat`, `batch`, "
      "`epochs`, `steps`, output sizes, `seed`; or `repeat` above 10,000.",
      "eqx 1\nrepeat 0 {\n  seed 1\n}\n")
entry("E0408", "An unknown layer in a `net` or `block` body, with a did-you-mean over the layer kinds and "
      "declared blocks.",
      "eqx 1\ndata digits = builtin.digits\nnet cnn {\n  conv 3x3 -> 8 pad 1\n  rleu\n  global avgpool\n"
      "  linear -> 10\n}\ntrain t = cnn on digits.train {\n  epochs 1\n}\n")
entry("E0409", "A call of a function that does not exist, with a did-you-mean.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train small = cnn on digits.train {\n  epochs 1\n}\n"
      "report accuarcy(small, digits.test)\n")
entry("E0410", "A `plot` of things that cannot share axes: curves over α (merges), curves over training steps "
      "(`t.curve`, `t.distance`), numbers drawn as dots per group (`m.barrier`, `accuracy(…)`) and tables "
      "(`m.permutations`). Reported at the item that does not fit, with a note at the first item.",
      "eqx 1\ndata digits = builtin.digits\ngroup flip = mirror(horizontal)\n" + NET + "train small = cnn on digits.train {\n  epochs 1\n}\n"
      "merge m = small with flip(small) {\n  match weights\n}\nplot small.curve, m.permutations\n")
entry("E0411", "Two `report NAME =` (or two `plot NAME =`) statements spell out the same name. The name is the "
      "table's file (`NAME.csv`, and `NAME_summary.csv` after a loop) or the figure's (`NAME.svg`), so each "
      "statement needs its own. Reported at the second name, naming the statement that has it.",
      "eqx 1\nreport scores = a: 1\nreport scores = b: 2\n")

# ---- E05 groups
entry("E0412", "`eqx run --set NAME=VALUE` names no top-level `let` of the script (or names one twice). "
      "Only top-level bindings can be overridden; the help lists them.",
      "eqx 1\nlet epochs = 5\nlet width = 8\n", "run --set epoch=2")
entry("E0413", "`eqx run --set NAME=VALUE` gives a value that is not a literal, or of another type than the "
      "`let` it replaces (an integer where an integer is written, a string for a string, …; an integer "
      "is also a number).", "eqx 1\nlet epochs = 5\n", "run --set epochs=1.5")
entry("E0501", "The group cannot act on the data: rotations and D4 need square images, mirrors and "
      "translations need images, `symmetric(n)` needs vectors of length n or n×n matrices.",
      "eqx 1\ndata digits = builtin.digits {\n  resize 8x6\n}\ngroup rot = rotations(4)\n" + NET +
      "train t = cnn on digits.train {\n  mode augmented(rot)\n  epochs 1\n}\n")
entry("E0502", "A regular channel action needs every channel-mixing layer's output count divisible by the group order. "
      "Reported where the script asks for regular channels (or at the group, when the layer itself says "
      "`channels regular`), with a note at the layer.",
      "eqx 1\ndata digits = builtin.digits\ngroup rot = rotations(4)\nnet cnn {\n  conv 3x3 -> 6 pad 1\n"
      "  relu\n  global avgpool\n  linear -> 10\n}\ntrain t = cnn on digits.train {\n"
      "  mode equivariant(rot, channels: regular)\n  epochs 1\n}\n")
entry("E0503", "Rotations and D4 need square kernels and square feature maps in equivariant training, "
      "`distance_to_E`, `equivariance` and self-merges. Reported at the group that needs them, with a note at "
      "the layer.",
      "eqx 1\ndata digits = builtin.digits\ngroup rot = rotations(4)\nnet cnn {\n  conv 3x1 -> 8 pad 1\n"
      "  relu\n  global avgpool\n  linear -> 10\n}\ntrain t = cnn on digits.train {\n"
      "  mode equivariant(rot)\n  epochs 1\n}\n")
entry("E0504", "`symmetric(n)` permutes nodes; it does not act on convolution kernels. Use `dense` layers.",
      "eqx 1\ndata graphs = block_graphs(count: 200) {\n  split 0.8\n}\ngroup perm = symmetric(10)\n"
      "net gnn {\n  conv 3x3 -> 8 pad 1\n  flatten\n  linear -> 2\n}\ntrain t = gnn on graphs.train {\n"
      "  mode equivariant(perm)\n  epochs 1\n}\n")
entry("E0505", "A group that does not exist or cannot be used this way: `rotations(n)` or `dihedral(n)` with "
      "n ≠ 4, `symmetric(n)` outside 2…20, a direct product whose actions do not commute (`mirror(horizontal) * rotations(4)`: use `dihedral(4)`) or share transformations, a semidirect product whose factors are not translations and a point group, a group element that must be named (`rot(net, \"r2\")`) or does "
      "not exist, full-orbit augmentation or an orbit merge over a group too large to enumerate.",
      "eqx 1\ngroup rot = rotations(8)\n")

entry("E0506", "A `residual` block whose body ends with a different channel action than its input: the shortcut "
      "would add channels acted on in two different ways, so the block cannot be equivariant.",
      "eqx 1\ndata digits = builtin.digits\ngroup flip = mirror(horizontal)\nnet res {\n"
      "  conv 3x3 -> 8 pad 1\n  residual {\n    conv 3x3 -> 8 pad 1 channels trivial\n    relu\n  }\n"
      "  global avgpool\n  linear -> 10\n}\ntrain t = res on digits.train {\n  mode equivariant(flip, channels: regular)\n"
      "  epochs 1\n}\n")

entry("E0507", "Cyclic translations act on the input grid; a strided convolution or pooling shrinks the grid, "
      "so the group no longer acts on later layers. Keep stride 1 (with circular padding) until `global avgpool`.",
      "eqx 1\ndata digits = builtin.digits\ngroup shift = translations\nnet n {\n  conv 3x3 -> 8 pad 1 padding circular\n"
      "  maxpool 2\n  global avgpool\n  linear -> 10\n}\ntrain t = n on digits.train {\n  mode equivariant(shift)\n  epochs 1\n}\n")
entry("E0508", "A semidirect product `semidirect(translations, K)` whose point group does not map the "
      "translations of the input to themselves: rotations (`rotations(4)`, `dihedral(4)`) need square samples "
      "and translations along both axes. Reported at the group where it meets the data.",
      "eqx 1\ndata digits = builtin.digits {\n  resize 8x6\n}\ngroup p4 = semidirect(translations, rotations(4))\n"
      "net n {\n  conv 3x3 -> 8 pad 1 padding circular\n  relu\n  global avgpool\n  linear -> 10\n}\n"
      "train t = n on digits.train {\n  mode equivariant(p4)\n  epochs 1\n}\n")

# ---- E07 merges
entry("E0602", "`order from T` shares training T's batch order, which only means the same batches when both "
      "train on the same number of samples.",
      "eqx 1\ndata digits = builtin.digits\nnet mlp {\n  flatten\n  linear -> 10\n}\n"
      "train a = mlp on digits.train[0..99] {\n  epochs 1\n}\ntrain b = mlp on digits.train[0..49] {\n  batch 10\n  order from a\n}\n")
entry("E0701", "The two networks of a merge have different architectures (layer names, kinds or shapes).",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train a = cnn on digits.train {\n  epochs 1\n}\n"
      "train b = cnn(width: 16) on digits.train {\n  epochs 1\n}\nmerge m = a with b {\n  match weights\n}\n")
entry("E0702", "Matching or evaluation data is missing or does not fit: `match activations` needs `on DATA`, "
      "the data's samples must have the network's input shape, and a merge whose network has no training "
      "data needs `evaluate`.",
      "eqx 1\ndata digits = builtin.digits\ngroup flip = mirror(horizontal)\n" + NET +
      "train a = cnn on digits.train {\n  epochs 1\n}\nmerge m = a with flip(a) {\n  match activations\n}\n")

entry("E0703", "`repair` rescales channels to interpolate the endpoints' activation statistics, so it needs "
      "`match activations on DATA` (weight matching has no data).",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train a = cnn on digits.train {\n  epochs 1\n}\n"
      "train b = cnn on digits.train {\n  epochs 1\n}\nmerge m = a with b {\n  match weights\n  repair\n}\n")
entry("E0704", "`involutions` needs a merge target g(a) with g² = e: a self-merge with `flip(a)`, "
      "`rot(a, \"r2\")` or a reflection of D4, or an orbit merge over a group of order 2. The option makes every "
      "matched permutation π an involution so that θ ↦ π(g·θ) has order 2 and the midpoint is Π_E θ for the "
      "learned representation; with another network, an element of order 4 or a larger orbit it cannot.",
      "eqx 1\ndata digits = builtin.digits\ngroup rot = rotations(4)\n" + NET
      + "train a = cnn on digits.train {\n  epochs 1\n}\nmerge m = a with rot(a, \"r\") {\n  match weights\n"
      "  involutions\n}\n")

entry("E0705", "`representation` needs a group eqx can solve for: an orbit merge over a group of at most 64 "
      "elements, or a self-merge with g² = e. The option finds one channel permutation per element that together "
      "form a representation (σ_g σ_h = σ_{g∘h}), so the orbit average is Π_E θ for it; another network has no "
      "group, one element of order > 2 cannot represent the group, and a larger group (e.g. symmetric(6), 720 "
      "elements) is beyond the search.",
      "eqx 1\ndata graphs = block_graphs(count: 200, block: 3)\ngroup perm = symmetric(6)\n"
      "net gnn {\n  dense -> 4 bias false\n  flatten\n  linear -> 2\n}\n"
      "train g = gnn on graphs.train {\n  epochs 1\n}\nmerge m = g with orbit(perm) {\n  match weights\n"
      "  representation\n}\n")

entry("E0710", "The match points of `match activations on DATA at …` must name, for every permutation symbol, one "
      "layer whose output carries the symbol's channels: activation matching compares the two networks there. "
      "`at relu` and `at activation` need a ReLU (an activation) after each symbol's producer; a list needs "
      "exactly one layer per symbol, each a layer of the network between the first and the last channel-mixing "
      "layer (the input's and the logits' channels are never permuted). `eqx dump-ir` shows the points chosen.",
      "eqx 1\ndata digits = builtin.digits\n"
      "net cnn {\n  conv 3x3 -> 8 pad 1\n  relu\n  conv 3x3 -> 8 pad 1\n  relu\n  global avgpool\n  linear -> 10\n}\n"
      "train a = cnn on digits.train {\n  epochs 1\n}\ntrain b = cnn on digits.train {\n  epochs 1\n}\n"
      "merge m = a with b {\n  match activations on digits.train[0..99] at [relu1, conv3]\n}\n")
entry("E0713", "`m.representation` is a merge's learned channel representation, usable as `channels:` of "
      "`equivariance`, `distance_to_E`, `gradient_identity`, `track` and `mode equivariant`. Only a matching "
      "constrained to a representation of the merge's group gives one: a self-merge with `involutions` over a group "
      "of order 2 (e.g. `with flip(a)`), or an orbit merge with `representation`. Two networks have no group between "
      "them, unconstrained permutations need not compose, and one element of a larger group represents only the "
      "subgroup it generates.",
      "eqx 1\ndata digits = builtin.digits\ngroup flip = mirror(horizontal)\n" + NET
      + "train a = cnn on digits.train {\n  epochs 1\n}\nmerge m = a with flip(a) {\n  match weights\n}\n"
      "report distance_to_E(a, flip, channels: m.representation)\n")
entry("E0714", "A learned representation is a representation of its merge's group; measuring or training under "
      "another group with it has no meaning.",
      "eqx 1\ndata digits = builtin.digits\ngroup flip = mirror(horizontal)\ngroup rot = rotations(4)\n" + NET
      + "train a = cnn on digits.train {\n  epochs 1\n}\nmerge m = a with flip(a) {\n  match weights\n  involutions\n}\n"
      "report distance_to_E(a, rot, channels: m.representation)\n")
entry("E0715", "A learned representation permutes the channels of the merged network's permutation symbols; "
      "the network it is used on must have the same ones (the merge's architecture and widths).",
      "eqx 1\ndata digits = builtin.digits\ngroup flip = mirror(horizontal)\n" + NET
      + "train a = cnn on digits.train {\n  epochs 1\n}\ntrain b = cnn(width: 4) on digits.train {\n  epochs 1\n}\n"
      "merge m = a with flip(a) {\n  match weights\n  involutions\n}\n"
      "report distance_to_E(b, flip, channels: m.representation)\n")

# ---- E08 data
entry("E0305", "A training step would need more memory than this machine has (its physical memory, or "
      "`EQX_MEMORY_LIMIT` when that is lower): the run would abort in allocation. The estimate is W0301's.",
      "eqx 1\ndata digits = builtin.digits\nnet wide {\n  flatten\n  linear -> 65536\n  relu\n"
      "  linear -> 65536\n  linear -> 10\n}\ntrain t = wide on digits.train {\n  epochs 1\n}\n")
entry("E0601", "Batch norm over one value per channel (after a `linear`, or on a 1×1 map) cannot train on a "
      "batch of one sample, and the training's sample count leaves exactly one sample in the last batch of "
      "every epoch. The run would stop at the end of the first epoch; choose another batch size.",
      "eqx 1\ndata digits = builtin.digits\nnet mlp {\n  flatten\n  linear -> 32\n  batchnorm\n  relu\n"
      "  linear -> 10\n}\ntrain t = mlp on digits.train[0..100] {\n  batch 50\n  epochs 1\n}\n")
entry("E0804", "A data declaration's samples (after `resize`, `augment` and `limit`) would need more memory "
      "than this machine has, in Float32.",
      "eqx 1\ndata big = builtin.digits {\n  resize 2000x2000\n}\n")
entry("E0801", "A data source cannot be read (missing directory or file, bad header, a size the file cannot "
      "hold, a non-finite value, a bad label). The message names the file and, for a malformed file, the byte "
      "offset (in the decompressed content of a `.gz`); [the data reference](reference.md#data) lists what is "
      "checked. `eqx check` and `eqx run` exit with 66 when this is the only kind of error.",
      'eqx 1\ndata mnist = idx("/nonexistent/mnist")\n')
entry("E0802", "A data option or range with a bad value: a sample range outside the split, a range of a "
      "range, a test split that does not exist, empty data, `split` outside (0, 1), a non-positive `std`, "
      "an edge probability outside [0, 1], `resize` on non-images.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train t = cnn on digits.train[0..1500] {\n  epochs 1\n}\n")

entry("E0803", "A dataset named in the script (`mnist`, `fashion_mnist`, `cifar10`) is in none of the search "
      "directories: `EQX_DATA`, `~/.cache/eqx`, `/usr/share/datasets` (see [reference.md](reference.md#datasets-by-name)). "
      "The notes list every directory tried; `eqx data get NAME` fetches it. Exit 66, like E0801, so a test "
      "runner can tell data missing on this machine from a broken script.",
      "eqx 1\ndata images = cifar10\n")
entry("E0805", "A checkpoint given to `load` does not fit the network: a tensor the network needs is missing or "
      "has another shape. The notes list the first eight misfits. A checkpoint that cannot be read at all (missing, "
      "malformed, a non-finite value) is E0801. Both are found by `eqx check`, before anything trains.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "let m = load(\"wide.safetensors\", cnn(width: 4), data: digits)\n"
      "report acc: accuracy(m, digits.test)\n",
      files={"wide.safetensors": safetensors({"conv1.weight": [8, 1, 3, 3], "conv1.bias": [8],
                                               "linear1.weight": [10, 8], "linear1.bias": [10]})})

# ---- E09 runtime
entry("E0901", "A failure while running a checked script, reported at the statement that failed: a training "
      "whose loss or gradients became non-finite, a checkpoint that does not exist or does not fit the network. "
      "Exit code 66 for missing input, 70 otherwise. (Failures inside `report` carry no source position yet.)",
      "eqx 1\ndata digits = builtin.digits\n" + NET +
      "train t = cnn on digits.train {\n  optimizer sgd(lr: 1e30)\n  steps 20\n}\n", "run")

# ---- Warnings
entry("W0201", "The script does not start with `eqx 1`. Fix-it: insert it.", "seed 1\n")
entry("W0301", "A training step would need more than half of this machine's memory (or of `EQX_MEMORY_LIMIT`). "
      "The estimate is a rough lower bound "
      "in Float32: every parameter four times (weights, gradients, up to two optimizer moments), batch-norm statistics, and the input "
      "and every layer's output twice for each sample of a step (the batch, times |G| under full-orbit "
      "augmentation, times 2 with an invariance penalty). Reported at the channel-mixing layer that, with the "
      "layers it feeds, needs the most. Above all of the memory it is error E0305.",
      "eqx 1\ndata digits = builtin.digits\nnet wide {\n  conv 3x3 -> 400000\n  relu\n  global avgpool\n"
      "  linear -> 10\n}\ntrain t = wide on digits.train {\n  epochs 1\n}\n")
entry("W0401", "`seed` is set twice at the top level; the last one wins.", "eqx 1\nseed 1\nseed 2\n")
entry("W0402", "A declaration hides a built-in function or constructor of the same name (`accuracy`, "
      "`loss`, `mirror`, `idx`, …), which can then no longer be called.", "eqx 1\nlet accuracy = 0.9\n")
entry("W0403", "A top-level `net` or `block` that the script never names. It is checked all the same: a net "
      "no statement trains is instantiated on the script's data (the latest data declared before it, or any "
      "data it fits), a block's layers must exist. The REPL does not say this, since a net typed at the "
      "prompt is usually trained by a later input.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "net spare {\n  flatten\n  linear -> 10\n}\n"
      "train t = cnn on digits.train {\n  epochs 1\n}\n")
entry("W0501", "A strided convolution or pooling samples a grid that the group does not map to itself "
      "(`(size + 2·pad − kernel)` not divisible by the stride), or a strided pool under translations: "
      "equivariance is then only approximate.",
      "eqx 1\ndata digits = builtin.digits\ngroup flip = mirror(horizontal)\nnet cnn {\n"
      "  conv 3x3 -> 8 pad 1 stride 2\n  relu\n  global avgpool\n  linear -> 10\n}\n"
      "train t = cnn on digits.train {\n  mode equivariant(flip)\n  epochs 1\n}\n")
entry("W0502", "Cyclic translations commute with a convolution only with circular padding.",
      "eqx 1\ndata digits = builtin.digits\ngroup shifts = translations()\nnet cnn {\n"
      "  conv 3x3 -> 8 pad 1\n  relu\n  global avgpool\n  linear -> 10\n}\n"
      "train t = cnn on digits.train {\n  mode equivariant(shifts)\n  epochs 1\n}\n")
entry("W0503", "Equivariant training would leave a `conv`, `linear` or `dense` layer at most one free weight "
      "per output channel. Training keeps the weights in E, and here dim E of the layer's weight is at most "
      "its output channel count (fewer, with regular output channels, where |G| free weights per block already "
      "make a group convolution) and smaller than the weight's size. Every output is then a multiple of one invariant "
      "combination of its inputs, or a block repeats one feature map. dim E is the number of orbits of G on "
      "the weight's entries, counted by Burnside's lemma; E is never {0} for these permutation actions. The "
      "note points at the mode; the help names the cause: a kernel that is one orbit, regular channels under "
      "translations, a `linear` after `flatten` that can only sum over orbits of positions, or too few input "
      "channels. Measurements (`distance_to_E`) never warn.",
      "eqx 1\ndata digits = builtin.digits\ngroup rot = rotations(4)\nnet lift {\n  conv 1x1 -> 8\n  relu\n"
      "  conv 3x3 -> 8 pad 1\n  global avgpool\n  linear -> 10\n}\ntrain t = lift on digits.train {\n"
      "  mode equivariant(rot, channels: regular)\n  epochs 1\n}\n")
entry("W0601", "The batch is larger than the training data; every batch is then the whole (smaller) set.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train t = cnn on digits.train[0..99] {\n"
      "  batch 128\n  epochs 1\n}\n")
entry("W0602", "A learning rate of 0: the weights never change.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train t = cnn on digits.train {\n"
      "  optimizer sgd(lr: 0)\n}\n")
entry("W0701", "`reset batchnorm` on a network without batch norm does nothing.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train a = cnn on digits.train {\n  epochs 1\n}\n"
      "train b = cnn on digits.train {\n  epochs 1\n}\nmerge m = a with b {\n  match weights\n"
      "  reset batchnorm on digits.train\n}\n")
entry("W0702", "A merge without `match`: the networks are interpolated without aligning their channels.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "train a = cnn on digits.train {\n  epochs 1\n}\n"
      "train b = cnn on digits.train {\n  epochs 1\n}\nmerge m = a with b {\n  alpha 0..1 step 0.5\n}\n")
entry("W0703", "`involutions` with `match none`: the identity is already an involution, so it does nothing.",
      "eqx 1\ndata digits = builtin.digits\ngroup flip = mirror(horizontal)\n" + NET
      + "train a = cnn on digits.train {\n  epochs 1\n}\nmerge m = a with flip(a) {\n  match none\n"
      "  involutions\n}\n")
entry("W0704", "`representation` with `match none`: the identity is already a representation, so it does nothing.",
      "eqx 1\ndata digits = builtin.digits\ngroup rot = rotations(4)\n" + NET
      + "train a = cnn on digits.train {\n  epochs 1\n}\nmerge m = a with orbit(rot) {\n  match none\n"
      "  representation\n}\n")
entry("W0801", "`split` on a source that has its own test split: the training part is divided again and the "
      "source's test split is dropped.", "eqx 1\ndata digits = builtin.digits {\n  split 0.9\n}\n")
entry("W0802", "A checkpoint given to `load` is not there when the script is checked. It may be written before the "
      "statement runs (by another unit of a sweep, or copied in before `--resume`), so this is a warning; the run "
      "stops at the statement (E0901, exit 66) if the file is still missing then.",
      "eqx 1\ndata digits = builtin.digits\n" + NET + "let m = load(\"later.safetensors\", cnn(width: 4), data: digits)\n"
      "report acc: accuracy(m, digits.test)\n")


def run(entry_id, script, command, files):
    with tempfile.TemporaryDirectory() as d:
        for name, content in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(content)
        path = os.path.join(d, "example.eqx")
        with open(path, "wb") as f:
            f.write(script if isinstance(script, bytes) else script.encode())
        words = command.split()
        args = [EQX, words[0], "example.eqx"] + words[1:]
        if words[0] == "run":
            args += ["--out", os.path.join(d, "run"), "--quiet", "--threads", "1"]
        # A fixed, empty data search path and memory budget, so the page says the same on every machine.
        env = {k: v for k, v in os.environ.items() if k not in ("EQX_DATA", "XDG_CACHE_HOME")}
        env.update(NO_COLOR="1", HOME="/home/user", EQX_SYSTEM_DATA="/usr/share/datasets", EQX_MEMORY_LIMIT="16G")
        p = subprocess.run(args, cwd=d, capture_output=True, env=env)
        text = p.stderr.decode()
        if words[0] == "check" and p.stdout:
            text = text + p.stdout.decode()
        if f"[{entry_id}]" not in text:
            sys.exit(f"{entry_id}: expected id not printed; got:\n{text}")
        return p.returncode, text


def shown(script, replacement):
    if replacement is not None:
        return replacement
    if isinstance(script, bytes):
        return script.decode("latin-1").replace("\xe9", "<0xE9>")
    return script


def main():
    out = ["# eqx diagnostics", "",
           "Every diagnostic eqx can print, with what it means, a script that triggers it and the exact text "
           "`eqx check` (or `eqx run`) prints for it. Diagnostics are data — an id, a severity, a message, a "
           "source range, notes, an optional help line and fix-its — rendered in one place:",
           "",
           "```text",
           "error[E0301]: shape mismatch in 'fc': expected input [N, 32], got [N, 16]",
           " --> example.eqx:7:3            file:line:column of the caret (1-based)",
           "  |",
           "7 |   fc: linear -> 10 in 32     the source line",
           "  |   ^^ expected [N, 32]        caret under the range, then the label",
           "  = note: the input comes from 'relu1' at example.eqx:5:3",
           "  = help: …                      a suggestion; fix-its are listed here when there is no help text",
           "```",
           "",
           "Ids are stable and grouped by domain: E01 lexical, E02 syntax, E03 shapes, E04 names and types, "
           "E05 groups, E06 training, E07 merges, E08 data, E09 runtime; W… are warnings. Every block of diagnostics ends with a "
           "summary line (`2 errors, 1 warning`); `eqx check` then prints `FILE: ok` on standard output for a "
           "script without errors. Colour is used only on a "
           "terminal and never when `NO_COLOR` is set.",
           "",
           "One mistake, one error: a declaration that fails (a `data` whose files are missing, a `train` of an "
           "unknown net, a `let` with a misspelt name…) still declares its name, as *poisoned*, and later uses "
           "of a poisoned name report nothing more. A net is checked once however many statements use it, and "
           "a net no statement uses is checked too (W0403).",
           "",
           "For tools, `--diagnostics-format json` prints one JSON array on standard output instead, one "
           "object per diagnostic with the fields `id, severity, message, file, line, column, end_line, "
           "end_column, label, notes, help, fixits` (1-based lines and columns; `end_*` exclusive; absent "
           "values `null`).",
           "",
           "Exit codes: `eqx check` exits 65 when any error was found (66 if any is unreadable or missing "
           "data, E0801 or E0803) and 0 otherwise, also with warnings. See [cli.md](cli.md).",
           "",
           "This page is generated by `python3 docs/tools/diagnostics.py` from the real binary, with "
           "`EQX_MEMORY_LIMIT=16G` so that the memory diagnostics read the same on every machine.",
           ""]
    index = ["| id | meaning |", "| --- | --- |"]
    body = []
    for prefix, title, intro in SECTIONS:
        items = [e for e in ENTRIES if e[0].startswith(prefix)]
        body += [f"## {title}", ""]
        if intro:
            body += [intro, ""]
        for entry_id, meaning, script, command, replacement, keep, files in items:
            code, text = run(entry_id, script, command, files)
            if keep:
                blocks = text.rstrip("\n").split("\n\n")
                first, last = keep
                if len(blocks) > first + last:
                    elided = f"[… {len(blocks) - first - last} more blocks like the first …]"
                    text = "\n\n".join(blocks[:first] + [elided] + blocks[-last:])
            summary = meaning.split(". ")[0].rstrip(".")
            index.append(f"| [{entry_id}](#{entry_id.lower()}) | {summary}. |")
            body += [f"### {entry_id}", "", meaning, "", "```eqx", shown(script, replacement).rstrip("\n"), "```", "",
                     f"`eqx {command.split()[0]} example.eqx{''.join(' ' + w for w in command.split()[1:])}` (exit {code}):", "", "```text", text.rstrip("\n"), "```", ""]
    out += index + [""] + body
    with open(os.path.join(os.path.dirname(__file__), "..", "diagnostics.md"), "w") as f:
        f.write("\n".join(out))
    print(f"wrote {len(ENTRIES)} diagnostics")


main()
