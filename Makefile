# Jingkang build. `make run` and `make test` are the two commands of the README; both install
# what is missing first (scripts/deps.sh). Objects go to build/<variant>/: rel (hardened release),
# asan (ASan+UBSan, the test suite's second run), clang (the -Werror check with the other compiler).

CC      ?= gcc
VARIANT ?= rel
B       := build/$(VARIANT)
PKGS    := libmicrohttpd jansson libsodium sqlite3 libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lxlsxwriter -lcrack -loath -lpthread -lm

WARN    := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wvla -Wimplicit-fallthrough \
           -Wno-unused-parameter -Werror=format-security
# Hardening (checked on the built binary by tests/hardening.sh, `make hardening-check`):
# _FORTIFY_SOURCE=3 where the compiler and glibc give level 3 (gcc 12, clang 14 with glibc 2.36),
# else 2; zero-initialised automatic variables where the compiler offers it without opt-in
# (gcc 12; clang 14 gates `zero` behind an "at your own peril" flag, so not there).
FORTIFY := $(shell printf '\043include <features.h>\n__USE_FORTIFY_LEVEL\n' | $(CC) -O2 -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -E -P -x c - 2>/dev/null | tail -n1 | tr -d ' ')
AUTOINIT:= $(shell $(CC) -ftrivial-auto-var-init=zero -Werror -E -x c /dev/null >/dev/null 2>&1 && echo -ftrivial-auto-var-init=zero)
HARDEN  := -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=$(if $(filter 3,$(FORTIFY)),3,2) -fstack-protector-strong \
           -fstack-clash-protection -fcf-protection=full -fPIE $(AUTOINIT)
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
	  echo "  county_official2 referral_worker rehab_worker rehab_worker2 hospital_worker evaluator"; \
	  echo "管理员（sysadmin secadmin auditor）登录还需动态验证码：在身份验证器中添加密钥 JINGKANGDEMOTOTPSECRETFORADMINS2"; fi
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

# ---- fuzzing (issue 5, part "fz"): libFuzzer harnesses in tests/fuzz/, driven by scripts/fuzz.sh.
# The library is rebuilt by clang with -fsanitize=fuzzer-no-link,address,undefined into build/fuzz;
# each harness links it with -fsanitize=fuzzer. `make fuzz-replay` runs every corpus and regress
# input once (fast); `make fuzz FUZZ_SECONDS=60` fuzzes each harness and merges new inputs.
FZ_B      := build/fuzz
FZ_CC     ?= clang
FZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FZ_CFLAGS := -std=c17 -D_GNU_SOURCE -O1 -g $(FZ_SAN) $(WARN) -Isrc $(PKG_CFLAGS) -MMD -MP
FZ_OBJ    := $(SRC_LIB:%.c=$(FZ_B)/%.o)
FZ_BINS   := $(patsubst tests/fuzz/%.c,$(FZ_B)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-replay fuzz-bins
fuzz-bins: $(FZ_BINS) $(FZ_B)/jingkang
$(FZ_B)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC fuzz $<"
	@$(FZ_CC) $(FZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FZ_B)/libjk.a: $(FZ_OBJ)
	@rm -f $@; ar rcs $@ $^
$(FZ_B)/jingkang: $(FZ_B)/src/cli/main.o $(FZ_B)/libjk.a
	@echo "  LD $@"
	@$(FZ_CC) $(FZ_CFLAGS) -fsanitize=fuzzer-no-link -o $@ $^ $(PKG_LIBS)
$(FZ_B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fz_http.c tests/fuzz/fz.h tests/fuzz/fz_check.h $(FZ_B)/libjk.a
	@echo "  LD $@"
	@$(FZ_CC) $(FZ_CFLAGS) -Itests/fuzz -fsanitize=fuzzer -o $@ $< tests/fuzz/fz_http.c $(FZ_B)/libjk.a $(PKG_LIBS)
fuzz:
	@scripts/fuzz.sh run $(FUZZ_SECONDS)
fuzz-replay:
	@scripts/fuzz.sh replay
-include $(FZ_OBJ:.o=.d)

# ---- Durability (issue 5, part 2: crash, power-loss, I/O-error and OOM tests) ----
# VARIANT=fault builds build/fault/jingkang with -DJK_FAULT: the VFS shim and allocator
# wrappers of src/store/faultvfs.c and the /api/v1/_fault routes (test tool only).
# VARIANT=fault-asan is the same under ASan+UBSan. `make durability` is the short run (~3 min),
# `make soak` the long one (≥ 1,000 SIGKILLs); both say `N passed, N failed` at the end.
.PHONY: durability soak
ifneq ($(filter fault%,$(VARIANT)),)
  CFLAGS_ALL += -DJK_FAULT
endif
ifeq ($(VARIANT),fault-asan)
  CFLAGS_ALL := $(filter-out $(HARDEN) -O2,$(CFLAGS_ALL)) -O1 $(SANFLAGS)
  LDX := $(SANFLAGS)
endif
durability: deps
	@$(MAKE) --no-print-directory bin
	@$(MAKE) --no-print-directory VARIANT=fault bin
	@DUR_BIN=$(B)/jingkang scripts/durability.sh short
soak: deps
	@$(MAKE) --no-print-directory bin
	@$(MAKE) --no-print-directory VARIANT=fault bin
	@DUR_BIN=$(B)/jingkang scripts/durability.sh long

# ---- Authorization matrix and sqlmap (issue 5, part 5) ----
# `make authz`: the authorization matrix generated from `jingkang routes` (tests/api/authz.test.mjs,
# ~10 s; also part of `node --test tests/api/`). `make sqlmap`: Debian's sqlmap against every endpoint with parameters
# (tests/security/sqlmap.sh; SQLMAP_ONLY=regex for a part). Both end with `N passed, N failed`
# (node's test summary for authz).
.PHONY: authz sqlmap
authz: deps
	@$(MAKE) --no-print-directory bin
	@JK_BIN=$(B)/jingkang node --test tests/api/authz.test.mjs > $(B)/authz.tap 2>&1; s=$$?; cat $(B)/authz.tap; \
	  awk '/^# pass /{p=$$3} /^# fail /{f=$$3} END{printf "%d passed, %d failed\n", p, f}' $(B)/authz.tap; exit $$s
sqlmap: deps
	@$(MAKE) --no-print-directory bin
	@JK_BIN=$(B)/jingkang tests/security/sqlmap.sh

# ---- Hardening check, valgrind, load generator and soak (issue 5, part "ld") ----
# `make hardening-check`: tests/hardening.sh on $(B)/jingkang (gcc) and build/$(HC_CLANG_VARIANT)/jingkang
# (clang): PIE, full RELRO, NX stack, stack protector, FORTIFY, CET, no RPATH, no TEXTREL.
# `make valgrind`: VARIANT=vg (-O1 -g, no FORTIFY, no auto-var-init: nothing that hides a bug
# from memcheck), the unit tests and the API tests (VG_API=file list, default all) with the
# server under valgrind; tests/valgrind.sh, suppressions in tests/valgrind.supp.
# `make bench-load`: build/bench/load, the open-loop generator. `make load-soak`: bench/soak.sh
# (capacity by stepping the rate, then SOAK_SECONDS at half of it; RSS/fd sampled).
.PHONY: hardening-check valgrind bench-load load-soak test-unit-bins
HC_CLANG_VARIANT ?= clang
SOAK_SECONDS ?= 3600
# (gcc at -O1 reports maybe-uninitialized where -O2 proves otherwise: a warning there, not an error;
# the -O2 gcc and clang builds keep it an error.)
ifeq ($(VARIANT),vg)
  CFLAGS_ALL := $(filter-out $(HARDEN) -O2,$(CFLAGS_ALL)) -O1 -Wno-error=maybe-uninitialized
endif
hardening-check:
	@$(MAKE) --no-print-directory bin
	@$(MAKE) --no-print-directory VARIANT=$(HC_CLANG_VARIANT) CC=clang bin
	@tests/hardening.sh $(B)/jingkang build/$(HC_CLANG_VARIANT)/jingkang
valgrind:
	@$(MAKE) --no-print-directory VARIANT=vg bin test-unit-bins
	@tests/valgrind.sh build/vg
test-unit-bins: $(UNIT_BIN)
bench-load: build/bench/load
build/bench/load: bench/load.c
	@mkdir -p $(dir $@)
	@echo "  CC $@"
	@$(CC) -std=c17 -D_GNU_SOURCE -O2 -g $(HARDEN) $(WARN) $(HLDFLAGS) -o $@ $<
load-soak: bench-load
	@$(MAKE) --no-print-directory bin
	@JK_BIN=$(B)/jingkang bench/soak.sh $(SOAK_SECONDS)

# ---- issue 5, part 3 (bk): backup/restore drill, field-key rotation, audit tamper/export/prune.
# `make test-backup [VARIANT=x]`: the unit test of key rotation and the two API test files
# (backup.test.mjs, audit.test.mjs) against $(B)/jingkang; ends with `N passed, N failed`.
.PHONY: test-backup
test-backup: bin $(B)/tests/test_crypto_keys
	@log=$(B)/test-backup.log; up=0; uf=0; \
	 if $(B)/tests/test_crypto_keys >$$log 2>&1; then up=1; else uf=1; fi; \
	 JK_BIN=$(B)/jingkang node --test tests/api/backup.test.mjs tests/api/audit.test.mjs >>$$log 2>&1; \
	 grep -E '^not ok|^# (pass|fail)' $$log; \
	 p=$$(sed -n 's/^# pass //p' $$log); f=$$(sed -n 's/^# fail //p' $$log); \
	 echo "$$((p + up)) passed, $$((f + uf)) failed"; [ $$((f + uf)) -eq 0 ]

# ---- issue 5, part 4 (tf): TOTP two-factor login for administrators; PIPL consent and export.
# `make test-tf [VARIANT=x]`: the TOTP unit test and the two API test files (totp.test.mjs,
# privacy.test.mjs) against $(B)/jingkang; ends with `N passed, N failed`.
.PHONY: test-tf
test-tf: bin $(B)/tests/test_totp
	@log=$(B)/test-tf.log; \
	 $(B)/tests/test_totp >$$log 2>&1; \
	 up=$$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' $$log); uf=$$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' $$log); \
	 JK_BIN=$(B)/jingkang node --test tests/api/totp.test.mjs tests/api/privacy.test.mjs >>$$log 2>&1; \
	 grep -E '^ *not ok|^# (pass|fail)' $$log; \
	 p=$$(sed -n 's/^# pass //p' $$log); f=$$(sed -n 's/^# fail //p' $$log); \
	 echo "$$(( $${p:-0} + $${up:-0} )) passed, $$(( $${f:-0} + $${uf:-0} )) failed"; [ $$(( $${f:-0} + $${uf:-0} )) -eq 0 ]

# ---- issue 6, gen6: history data for the demo, the national generator, the indicator benchmark.
# `make bench-indicators [BENCH_DATA=DIR] [VARIANT=x]`: bench/indicators.sh on DIR (generated with
# `jingkang gen national` when it has no database; BENCH_CLIENTS etc. set its size), writes
# bench/out/indicators.txt. `make test-gen-history`: tests/gen/history.sh (`N passed, N failed`).
.PHONY: bench-indicators test-gen-history
BENCH_DATA ?= bench/out/inddata
bench-indicators: bin
	@JK_BIN=$(B)/jingkang bench/indicators.sh $(BENCH_DATA)
test-gen-history: bin
	@tests/gen/history.sh $(B)/jingkang
