// EqxBench module.
