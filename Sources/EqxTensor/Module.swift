// EqxTensor module.
