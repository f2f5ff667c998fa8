// EqxData module.
