# install.mk - `make install` and `make uninstall`, with PREFIX (default
# /usr/local) and DESTDIR (a staging root, as packagers use):
#   $(INCLUDEDIR)/bpfbox/*.h            the public headers
#   $(LIBDIR)/libbpfbox.a               the static library
#   $(LIBDIR)/libbpfbox.so.$(VERSION)   the shared library, SONAME libbpfbox.so.$(SOVERSION),
#   $(LIBDIR)/libbpfbox.so.0, .so       exporting bpfbox_* only (mk/libbpfbox.map); symlinks
#   $(PKGCONFIGDIR)/libbpfbox.pc        pkg-config --cflags --libs libbpfbox
#   $(BINDIR)/bpfbox                    the CLI
#   $(MANDIR)/man1/bpfbox.1             its man page (docs/bpfbox.1)
#   $(BASHCOMPDIR)/bpfbox               its bash completion (tools/bpfbox.bash-completion)
# tests/test_install.sh installs into a scratch DESTDIR and builds the
# embedding examples against it.
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
BASHCOMPDIR  ?= $(PREFIX)/share/bash-completion/completions
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL      ?= install

.PHONY: install uninstall
install: lib cli
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/bpfbox \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 644 include/bpfbox/*.h $(DESTDIR)$(INCLUDEDIR)/bpfbox/
	$(INSTALL) -m 644 $(BUILD)/libbpfbox.a $(DESTDIR)$(LIBDIR)/libbpfbox.a
	$(INSTALL) -m 755 $(BUILD)/libbpfbox.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libbpfbox.so.$(VERSION)
	ln -sf libbpfbox.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libbpfbox.so.$(SOVERSION)
	ln -sf libbpfbox.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libbpfbox.so
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' mk/libbpfbox.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libbpfbox.pc
	$(INSTALL) -m 755 $(BUILD)/bpfbox $(DESTDIR)$(BINDIR)/bpfbox
	$(INSTALL) -m 644 docs/bpfbox.1 $(DESTDIR)$(MANDIR)/man1/bpfbox.1
	$(INSTALL) -m 644 tools/bpfbox.bash-completion $(DESTDIR)$(BASHCOMPDIR)/bpfbox

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/bpfbox $(DESTDIR)$(LIBDIR)/libbpfbox.a \
		$(DESTDIR)$(LIBDIR)/libbpfbox.so $(DESTDIR)$(LIBDIR)/libbpfbox.so.$(SOVERSION) \
		$(DESTDIR)$(LIBDIR)/libbpfbox.so.$(VERSION) $(DESTDIR)$(PKGCONFIGDIR)/libbpfbox.pc \
		$(DESTDIR)$(MANDIR)/man1/bpfbox.1 $(DESTDIR)$(BASHCOMPDIR)/bpfbox
	rm -rf $(DESTDIR)$(INCLUDEDIR)/bpfbox
