# Inkan - thin wrapper over CMake/ctest.  See README.md.
#
#   make deps        install build and test dependencies (Debian, idempotent)
#   make / make all  build into build/ (build/inkan)
#   make test        deps + build + every test, then again under ASan+UBSan,
#                    then a short fuzz smoke run
#   make demo        build, then evaluate the demo cases offline
#   make fuzz-smoke  run each libFuzzer target briefly (part of make test)
#   make fuzz-long   run each libFuzzer target for FUZZ_SECONDS (default 600)
#   make bench       build and run the benchmarks with peers side by side
#   make format      apply .clang-format; make format-check verifies (in make test)

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_SECONDS ?= 600

# cmake --build runs make underneath; without this it inherits -w from us
# and prints "Entering directory" around every step.
CMAKE_BUILD = env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS cmake --build

# Node.js and npm (for the mailauth differential test) come from Debian only
# when the machine has none: an image that ships its own node conflicts
# with Debian's npm package.
NODE_DEPS := $(if $(shell command -v node 2>/dev/null),,nodejs) \
	$(if $(shell command -v npm 2>/dev/null),,npm)

# Debian packages: build, test, peers for differential tests and benchmarks.
DEPS_BUILD = build-essential cmake pkg-config clang clang-format libclang-rt-14-dev \
	libssl-dev libunbound-dev libevent-dev libyaml-dev dns-root-data \
	libpsl-dev publicsuffix
DEPS_TEST  = python3 python3-spf python3-dnspython libspf2-dev unbound ldnsutils \
	python3-dkim python3-nacl libmail-dkim-perl openssl \
	valgrind $(NODE_DEPS)
DEPS = $(DEPS_BUILD) $(DEPS_TEST)
# Peers and tools only the benchmarks use (bench/README.md).
DEPS_BENCH = libopendkim-dev python3-dkim python3-nacl time rspamd unbound $(NODE_DEPS)

.PHONY: all deps build test test-unit test-asan fuzz-smoke fuzz-long demo bench clean \
	format format-check

all: build

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@$(CMAKE_BUILD) $(BUILD) -j $(JOBS)

deps:
	@sh scripts/deps.sh $(DEPS)

test: deps
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory fuzz-smoke
	@echo "make test: all suites passed"

test-unit: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIK_SANITIZE=ON \
		-DCMAKE_C_COMPILER=clang >/dev/null
	@$(CMAKE_BUILD) $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

$(FUZZ_BUILD)/.built: $(wildcard fuzz/*.c)
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIK_FUZZ=ON \
		-DCMAKE_C_COMPILER=clang >/dev/null
	@$(CMAKE_BUILD) $(FUZZ_BUILD) -j $(JOBS)
	@touch $@

fuzz-smoke: deps $(FUZZ_BUILD)/.built
	@sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS)

fuzz-long: deps $(FUZZ_BUILD)/.built
	@sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: build
	@sh examples/demo.sh $(BUILD)/inkan

bench: deps
	@sh scripts/deps.sh $(DEPS_BENCH)
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DIK_BENCH=ON >/dev/null
	@$(CMAKE_BUILD) build-bench -j $(JOBS)
	@sh bench/run.sh build-bench

# .clang-format is the house style; format-check runs in make test.
CLANG_FORMAT ?= $(shell command -v clang-format-14 || command -v clang-format)
format:
	@git ls-files '*.c' '*.h' | xargs $(CLANG_FORMAT) --style=file -i

format-check:
	@bad=$$(git ls-files '*.c' '*.h' | while read -r f; do \
		$(CLANG_FORMAT) --style=file "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "format-check: not formatted (run make format):"; \
		echo "$$bad"; exit 1; fi; echo "format-check: $$(git ls-files '*.c' '*.h' | wc -l) files clean"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-bench
