# The two commands of the README: `make run` (the quickstart on the built-in data) and `make test`.
SWIFT ?= swift
RELEASE = -c release

.PHONY: run test build check-examples bench

build:
	$(SWIFT) build $(RELEASE)

run:
	$(SWIFT) run $(RELEASE) eqx run examples/quickstart.eqx

# Release build with testing enabled: the numeric tests are slow in debug.
test:
	$(SWIFT) build $(RELEASE)
	$(SWIFT) test $(RELEASE) -Xswiftc -enable-testing
	python3 Tests/interop/torch_interop.py .build/release/eqx

bench:
	$(SWIFT) run $(RELEASE) eqx bench --json
