// EqxNN module.
