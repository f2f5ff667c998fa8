// EqxREPL module.
