# The user's commands. Everything else is CMake.
BUILD   ?= build
JOBS    ?= $(shell nproc)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PACKAGES := cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools qt6-svg-dev \
            libqcustomplot-dev libtorch-dev libeigen3-dev libopenblas0-pthread zlib1g-dev \
            libgl-dev fonts-dejavu-core fontconfig dataset-fashion-mnist fortunes xvfb xauth \
            poppler-utils python3-torch libsentencepiece-dev
FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_SECONDS ?= 60
SANITIZE_BUILD ?= build-sanitize

.PHONY: deps configure build run test bench fuzz sanitize install clean format

deps:
	@missing=$$(for p in $(PACKAGES) $(EXTRA_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "Installing: $$missing"; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/app/qkvlab

test: build
	cd $(BUILD) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j $(JOBS) --timeout 900

bench: build
	cmake --build $(BUILD) --target benchmarks -j $(JOBS)
	mkdir -p bench-out && $(BUILD)/tests/bench/run_benchmarks.sh bench-out

# The executable, the SentencePiece shim, a desktop entry and its icon under PREFIX.
PREFIX ?= /usr/local
install: build
	$(SUDO) cmake --install $(BUILD) --prefix $(PREFIX)

# Every parser of outside input under libFuzzer for FUZZ_SECONDS each (tests/fuzz/README.md).
fuzz:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(FUZZ_PACKAGES)"
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run_fuzzers.sh build-fuzz

# The core and app tests built with AddressSanitizer and UndefinedBehaviorSanitizer. Leaks are
# the fuzzers' job (LibTorch and Qt keep allocations until exit); SentencePiece is left out
# (ASan cannot load its shim with RTLD_DEEPBIND).
sanitize: deps
	cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DQKV_SANITIZE=ON \
	    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG"
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && QT_QPA_PLATFORM=offscreen \
	    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_odr_violation=0 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j $(JOBS) --timeout 1800 -R '^(core|app|fuzz)\.'

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) build-fuzz $(SANITIZE_BUILD)
