// EqxGroups module.
