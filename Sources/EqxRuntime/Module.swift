// EqxRuntime module.
