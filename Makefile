# Jingkang build. `make run` and `make test` are the two commands of the README; both install
# what is missing first (scripts/deps.sh). Objects go to build/<variant>/: rel (hardened release),
# asan (ASan+UBSan, the test suite's second run), clang (the -Werror check with the other compiler).

CC      ?= gcc
VARIANT ?= rel
B       := build/$(VARIANT)
PKGS    := libmicrohttpd jansson libsodium sqlite3 libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lxlsxwriter -lcrack -lpthread -lm

WARN    := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wvla -Wimplicit-fallthrough \
           -Wno-unused-parameter -Werror=format-security
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fcf-protection=full -fPIE
HLDFLAGS:= -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack
SANFLAGS:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

ifeq ($(VARIANT),asan)
  OPT := -O1 -g $(SANFLAGS)
  LDX := $(SANFLAGS)
else
  OPT := -O2 -g $(HARDEN)
  LDX := $(HLDFLAGS)
endif
CFLAGS_ALL := -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -Isrc $(PKG_CFLAGS) -MMD -MP $(CFLAGS)

SRC_LIB := $(wildcard src/base/*.c src/io/*.c src/domain/*.c src/store/*.c src/sec/*.c src/http/*.c src/api/*.c src/cli/cmd_*.c)
OBJ_LIB := $(SRC_LIB:%.c=$(B)/%.o)
UNIT_SRC:= $(wildcard tests/unit/test_*.c)
UNIT_BIN:= $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all bin web deps run test test-unit test-api test-e2e test-asan test-clang bench clean demo
all: bin web

deps:
	@scripts/deps.sh

bin: $(B)/jingkang

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $(VARIANT) $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B)/libjk.a: $(OBJ_LIB)
	@rm -f $@; ar rcs $@ $^

$(B)/jingkang: $(B)/src/cli/main.o $(B)/libjk.a
	@echo "  LD $@"
	@$(CC) $(OPT) $(LDX) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(B)/tests/%: tests/unit/%.c $(B)/libjk.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS_ALL) $(LDX) -o $@ $< $(B)/libjk.a $(PKG_LIBS) -lcmocka

# The web UI: Vue 3 + Element Plus built by Vite into web/dist, served by the server.
WEB_SRC := $(shell find web -path web/dist -prune -o -type f -print 2>/dev/null)
web: web/dist/index.html
web/dist/index.html: $(WEB_SRC) package-lock.json
	npx --no-install vite build web --logLevel warn

DEMO_DIR ?= demo-data
run: deps all
	@if [ ! -f $(DEMO_DIR)/jingkang.db ]; then $(B)/jingkang demo --data $(DEMO_DIR); else \
	  echo "演示数据：$(DEMO_DIR)（已存在；删除该目录可重建）"; \
	  echo "演示账号（密码均为 Jingkang-Demo-2026!）：sysadmin secadmin auditor city_official county_official"; \
	  echo "  county_official2 referral_worker rehab_worker rehab_worker2 hospital_worker evaluator"; fi
	$(B)/jingkang serve --data $(DEMO_DIR) --listen 127.0.0.1:8080 --web web/dist

# make test: unit tests (release build), then the black-box API tests and the browser tests
# against the release binary, then the unit and API tests again under ASan+UBSan, then the
# -Werror build with clang. Ends with one `N passed, N failed` line summing every runner.
test: deps
	@scripts/test.sh

test-unit: $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN)

bench: deps all
	@bench/run.sh
	@bench/referrals.sh
	@bench/care.sh

clean:
	rm -rf build web/dist

-include $(OBJ_LIB:.o=.d) $(B)/src/cli/main.d
