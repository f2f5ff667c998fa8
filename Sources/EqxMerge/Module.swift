// EqxMerge module.
