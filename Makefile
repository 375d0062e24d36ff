# The two quick-start commands: `make demo` runs the main job, `make check` builds and passes
# the whole suite (normal build with -Werror, then an AddressSanitizer + UBSan build).
# Both first install any missing Debian package (as root with apt-get; otherwise they print the
# exact apt-get line and stop). The real build is Meson + Ninja; this file only drives it.

BUILD      ?= build
ASAN_BUILD ?= build-asan
LUTETIA    := $(BUILD)/cli/lutetia

# What building and testing need from Debian.
DEBIAN_BUILD = gcc meson ninja-build pkg-config jq \
               libcjson-dev libsqlite3-dev libsodium-dev libgsl-dev sqlite3 \
               libxml2-dev libxml2-utils python3-pandas libpq-dev postgresql \
               libmicrohttpd-dev libgnutls28-dev curl openssl \
               locales liboath-dev oathtool weasyprint poppler-utils
# What the benchmarks compare against (R's survival and rpact, node, jq, hyperfine).
DEBIAN_BENCH = r-base-core r-cran-survival r-cran-rpact nodejs hyperfine wrk nginx-light
# What `make lint` needs (STYLE.md: cppcheck and clang-tidy clean); not part of `make check`.
DEBIAN_LINT  = cppcheck clang-tidy

.PHONY: all demo check build test asan deps bench-deps bench fuzz clean lint mutate

all: build

deps:
	@sh scripts/debian-deps.sh $(DEBIAN_BUILD)

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=debugoptimized -Dwerror=true
	ninja -C $(BUILD)

asan: deps
	@[ -f $(ASAN_BUILD)/build.ninja ] || meson setup $(ASAN_BUILD) --buildtype=debug \
		-Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true
	ninja -C $(ASAN_BUILD)

# the three trials' demonstrations, each into its own database
demo: build
	@mkdir -p out && for t in demo nct04544098 net-retreat; do \
		rm -f out/$$t.db out/$$t.db-wal out/$$t.db-shm out/$$t.db.key; done
	$(LUTETIA) demo --db out/demo.db --out out
	$(LUTETIA) demo --db out/nct04544098.db --out out --protocol protocols/nct04544098.json
	$(LUTETIA) demo --db out/net-retreat.db --out out --protocol protocols/net-retreat.json

check: build asan
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
		sh tests/run.sh $(BUILD) $(ASAN_BUILD)

bench-deps:
	@sh scripts/debian-deps.sh $(DEBIAN_BUILD) $(DEBIAN_BENCH)

bench: build bench-deps
	sh bench/run.sh $(BUILD)

# cppcheck and clang-tidy (checks in .clang-tidy) on the project's own code, src/ and cli/;
# clang-tidy reads the compile commands of $(BUILD). Fails on any finding.
lint: build
	@sh scripts/debian-deps.sh $(DEBIAN_LINT)
	cppcheck --enable=warning,performance,portability --std=c11 -I include --inline-suppr \
		--error-exitcode=1 -q src cli
	find src cli -name '*.c' | sort | xargs -n 8 -P $$(nproc) clang-tidy -p $(BUILD) --quiet

# libFuzzer binaries of every fuzz target (fuzz/meson.build), built with clang into build-fuzz;
# run one as build-fuzz/fuzz/fuzz_fhir NEW_DIR fuzz/corpus/fhir (new inputs go to NEW_DIR);
# `make check` replays the corpora.
DEBIAN_FUZZ = clang libclang-rt-14-dev
fuzz:
	@sh scripts/debian-deps.sh $(DEBIAN_BUILD) $(DEBIAN_FUZZ)
	@[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz --buildtype=debugoptimized \
		-Dfuzzing=true -Db_lundef=false -Dwerror=false
	ninja -C build-fuzz

# Mutation testing of the clinical modules: every mutant of scripts/mutants.txt, one at a time,
# in a scratch copy of the tree, against the tests each names; prints the score and fails when
# one survives. Not part of `make check` (one rebuild per mutant). MUTANTS=PATTERN runs only
# the matching lines.
mutate: deps
	sh scripts/mutate.sh scripts/mutants.txt

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
