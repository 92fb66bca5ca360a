# The pr toolkit.  make | make check | make check-asan | make demo | make install PREFIX=...
# CFLAGS keeps -Werror by default (datamash style); packagers may override it: make CFLAGS=-O2
PREFIX   ?= /usr/local
BUILD    ?= build
CC       ?= cc
WARN     ?= -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
STD      := -std=c11 -D_POSIX_C_SOURCE=200809L
PKGS     := gsl jansson libsodium
# Deferred (=, not :=): on a fresh machine the packages are installed by the
# dependency check during this very run, after the Makefile was read.
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# -iquote, not -I: a project header (common/features.h) must never shadow a system one (<features.h>)
ALL_CFLAGS  = $(STD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -iquote common -iquote tools -iquote tests/unit
LDLIBS     += -lcsv $(PKG_LIBS) -lm -pthread

COMMON_SRC := $(sort $(wildcard common/*.c))
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ    := $(BUILD)/tools/cli.o
TOOLS      := $(sort $(patsubst tools/%.c,%,$(filter tools/pr-%.c,$(wildcard tools/*.c))))
BINS       := $(TOOLS:%=$(BUILD)/bin/%)
# Programs that are POSIX sh scripts: tools/pr-NAME.sh -> $(BUILD)/bin/pr-NAME
SCRIPTS    := $(sort $(patsubst tools/%.sh,%,$(filter tools/pr-%.sh,$(wildcard tools/*.sh))))
SCRIPT_BINS := $(SCRIPTS:%=$(BUILD)/bin/%)
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNITS      := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Test helper programs (generators, references): tests/NAME.c -> $(BUILD)/tests/NAME
TPROG_SRC  := $(sort $(wildcard tests/*.c))
TPROGS     := $(TPROG_SRC:tests/%.c=$(BUILD)/tests/%)
HEADERS    := $(wildcard common/*.h tools/*.h tests/unit/*.h)

.SECONDARY:
.PHONY: all check check-unit check-e2e check-asan check-browser check-dist demo install deps depcheck depcheck-dist clean bench
all: depcheck $(BINS) $(SCRIPT_BINS) $(UNITS) $(TPROGS)

# The libraries are Debian packages.  When one is missing: as root with
# apt-get, install it (so that `make demo` and `make check` set up a fresh
# Debian machine by themselves); otherwise say which package to install.
DEB_PKGS := build-essential pkg-config libcsv-dev libgsl-dev libjansson-dev libsodium-dev groff-base locales parallel
depcheck: $(BUILD)/.deps-ok

$(BUILD)/.deps-ok:
	@missing=""; \
	command -v $(CC) >/dev/null 2>&1 || missing="$$missing build-essential"; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	pkg-config --exists gsl 2>/dev/null || missing="$$missing libgsl-dev"; \
	pkg-config --exists jansson 2>/dev/null || missing="$$missing libjansson-dev"; \
	pkg-config --exists libsodium 2>/dev/null || missing="$$missing libsodium-dev"; \
	printf '#include <csv.h>\nint main(void){return 0;}\n' | $(CC) -x c - -o /dev/null -lcsv >/dev/null 2>&1 || missing="$$missing libcsv-dev"; \
	command -v groff >/dev/null 2>&1 || missing="$$missing groff-base"; \
	command -v parallel >/dev/null 2>&1 || missing="$$missing parallel"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PKGS) >/dev/null || exit 1; \
	  else \
	    echo "make: missing Debian packages:$$missing (install them with: sudo make deps)" >&2; exit 1; \
	  fi; \
	fi
	@mkdir -p $(BUILD) && touch $@

# make check-dist also needs network namespaces, sshd, ssh and nc (its hosts)
DIST_PKGS := iproute2 openssh-server openssh-client netcat-openbsd parallel
depcheck-dist:
	@missing=""; \
	command -v ip >/dev/null 2>&1 || missing="$$missing iproute2"; \
	test -x /usr/sbin/sshd || missing="$$missing openssh-server"; \
	command -v ssh >/dev/null 2>&1 || missing="$$missing openssh-client"; \
	command -v nc >/dev/null 2>&1 || missing="$$missing netcat-openbsd"; \
	command -v parallel >/dev/null 2>&1 || missing="$$missing parallel"; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "make: installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DIST_PKGS) >/dev/null || exit 1; \
	fi

deps:
	apt-get update
	apt-get install -y $(DEB_PKGS) $(DIST_PKGS)

$(BUILD)/libpr.a: $(COMMON_OBJ)
	ar rcs $@ $^

$(BUILD)/%.o: %.c $(HEADERS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/bin/%: $(BUILD)/tools/%.o $(CLI_OBJ) $(BUILD)/libpr.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $< $(CLI_OBJ) $(BUILD)/libpr.a $(LDLIBS) -o $@

# the version is cli.h's, as the C programs print it
$(BUILD)/bin/%: tools/%.sh tools/cli.h
	@mkdir -p $(dir $@)
	sed "s/@VERSION@/$$(sed -n 's/^#define PR_VERSION "\(.*\)"/\1/p' tools/cli.h)/" $< >$@.tmp && chmod +x $@.tmp && mv $@.tmp $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/libpr.a $(HEADERS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $< $(BUILD)/libpr.a $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libpr.a $(HEADERS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $< $(BUILD)/libpr.a $(LDLIBS) -o $@

check: all
	@BUILD=$(BUILD) sh tests/run.sh

check-asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=undefined,float-cast-overflow" \
	  LDFLAGS="-fsanitize=address,undefined,float-cast-overflow" check

# pr-dist on three hosts (network namespaces, each with its own sshd); needs root
check-dist: all depcheck-dist
	@BUILD=$(BUILD) sh tests/check-dist.sh

check-browser: all
	@BUILD=$(BUILD) sh tests/browser.sh

demo: all
	@BUILD=$(BUILD) sh tests/demo.sh

bench: all
	@for s in tests/bench/*.sh; do BUILD=$(BUILD) sh $$s; done

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man7
	cp $(BINS) $(SCRIPT_BINS) $(DESTDIR)$(PREFIX)/bin/
	cp man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	cp man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/

clean:
	rm -rf build build-asan build-*
