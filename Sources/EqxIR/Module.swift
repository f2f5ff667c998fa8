// EqxIR module.
