# The two commands of the README: `make run` (the quickstart on the built-in data) and `make test`.
SWIFT ?= swift
RELEASE = -c release

.PHONY: run test build bench deps

# The Debian packages eqx links against; installed only when missing (needs root, as on CI).
DEBS = libopenblas-dev zlib1g-dev libreadline-dev pkg-config
deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing$$missing"; apt-get update -qq && apt-get install -y -qq $$missing; fi

build: deps
	$(SWIFT) build $(RELEASE)

run: deps
	$(SWIFT) run $(RELEASE) eqx run examples/quickstart.eqx

# Release build with testing enabled: the numeric tests are slow in debug.
test: deps
	$(SWIFT) test $(RELEASE) -Xswiftc -enable-testing
	bash Tests/run_examples.sh .build/release/eqx
	python3 Tests/interop/torch_interop.py .build/release/eqx

bench:
	$(SWIFT) run $(RELEASE) eqx bench --json
