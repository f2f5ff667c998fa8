// EqxSyntax module.
