# The two README commands: `make demo` and `make test`. Both install what they need first.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
.PHONY: deps demo test python bench sanitize fuzz clean

deps:
	@bash scripts/install-deps

XPUSIM := $(BUILD)/release/src/cli/xpusim

$(XPUSIM): deps FORCE
	@cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD)/release -j $(JOBS) --target xpusim -- --no-print-directory | grep -v -e '^\[' -e '^$$' || true

demo: $(XPUSIM)
	@bash scripts/demo $(XPUSIM)

test: deps
	cmake -S . -B $(BUILD)/test -DCMAKE_BUILD_TYPE=Release -DXPUSIM_BUILD_TESTS=ON -DXPUSIM_BUILD_PYTHON=ON -DXPUSIM_WERROR=ON
	cmake --build $(BUILD)/test -j $(JOBS)
	cd $(BUILD)/test && ctest --output-on-failure -j $(JOBS)

# The Python module, installed into python3's user site-packages (import xpusim).
python: deps
	@cmake -S . -B $(BUILD)/python -DCMAKE_BUILD_TYPE=Release -DXPUSIM_BUILD_PYTHON=ON >/dev/null
	@cmake --build $(BUILD)/python -j $(JOBS) --target _xpusim -- --no-print-directory | grep -v -e '^\[' -e '^$$' || true
	@bash scripts/install-python $(BUILD)/python/python/xpusim

bench: deps
	cmake -S . -B $(BUILD)/bench -DCMAKE_BUILD_TYPE=Release -DXPUSIM_BUILD_BENCH=ON
	cmake --build $(BUILD)/bench -j $(JOBS)
	@for b in $(BUILD)/bench/bench/*_bench; do echo "== $$b"; $$b --benchmark_min_time=0.2; done

# The tests again under AddressSanitizer and UndefinedBehaviorSanitizer, and the libFuzzer targets,
# from one clang build (-O1: the simulator's tests run several times faster than at -O0, and CI
# builds the libraries once for both).
SANITIZE_CONFIG := cmake -S . -B $(BUILD)/asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
	-DCMAKE_CXX_COMPILER=clang++ -DXPUSIM_BUILD_TESTS=ON -DXPUSIM_SANITIZE=ON -DXPUSIM_BUILD_FUZZ=ON
sanitize: deps
	$(SANITIZE_CONFIG)
	cmake --build $(BUILD)/asan -j $(JOBS)
	cd $(BUILD)/asan && ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (clang, ASan+UBSan), each run FUZZ_SECONDS on a corpus seeded from the
# shipped files; fails on any crash, leak, timeout or sanitizer report (scripts/fuzz).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := units hardware_yaml hf_config trace run_file cli_flags
fuzz: deps
	$(SANITIZE_CONFIG)
	cmake --build $(BUILD)/asan -j $(JOBS) --target $(addsuffix _fuzz,$(FUZZ_TARGETS))
	bash scripts/fuzz $(BUILD)/asan $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD)

FORCE:
