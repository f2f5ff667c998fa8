# The two commands of the README: `make run` (the quickstart on the built-in data) and `make test`.
SWIFT ?= swift
RELEASE = -c release

.PHONY: run test build bench deps fuzz fuzz-build fuzz-ci

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

# libFuzzer targets (fuzz/README.md): the front end and one per data loader. `make fuzz` runs each for
# FUZZ_TIME seconds (600 by default); `make fuzz-ci` for 30 s each; both fail on any crash.
FUZZ_TARGETS = EqxParserFuzz FuzzIDX FuzzNPY FuzzNPZ FuzzSafeTensors FuzzCSV FuzzCIFAR FuzzGzip FuzzTar
FUZZ_TIME ?= 600

fuzz-build: deps
	cd fuzz && $(SWIFT) build $(RELEASE) -Xswiftc -sanitize=fuzzer -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do bash fuzz/run.sh $$t $(FUZZ_TIME) || exit 1; done

fuzz-ci:
	$(MAKE) fuzz FUZZ_TIME=30
