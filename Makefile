# livecheck - one hand-written Makefile (see docs/architecture.md).
#
#   make            build build/livecheck (and the library it uses)
#   make test       build and run the whole test suite
#   make bench      print speed figures beside onnxruntime's
#   make models     fetch and verify the face models (npm, pinned)
#   make deps       install the Debian packages the build and tests need
#   make asan       run the test suite under ASan+UBSan

CC      ?= cc
PKGS    := libturbojpeg spng libexif jansson libsodium
CFLAGS  ?= -O2 -g
XCFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
           -Iinclude -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
           -MMD -MP -pthread
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lXNNPACK -lpthreadpool -lm -pthread

B       := build
LIB_SRC := $(wildcard src/core/*.c src/nn/*.c src/nn/ops/*.c src/media/*.c \
                      src/vision/*.c src/liveness/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
TST_SRC := $(wildcard tests/unit/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
TST_OBJ := $(TST_SRC:%.c=$(B)/%.o)

.PHONY: all test bench models deps asan clean run-unit
all: $(B)/livecheck

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) -c $< -o $@

$(B)/liblivecheck.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/livecheck: $(CLI_OBJ) $(B)/liblivecheck.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/unit-tests: $(TST_OBJ) $(B)/liblivecheck.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

models:
	scripts/fetch-models.sh

deps:
	scripts/install-deps.sh

test: $(B)/livecheck $(B)/unit-tests
	tests/run.sh

bench: $(B)/livecheck
	bench/run.sh

asan:
	$(MAKE) B=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" test

clean:
	rm -rf $(B)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TST_OBJ:.o=.d)
