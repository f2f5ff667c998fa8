// EqxTraining module.
