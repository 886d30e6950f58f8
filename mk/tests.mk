# tests.mk - keep the objects of tests/*.c helpers (testlib.c,
# conformance.c) between builds; make would otherwise delete them as
# intermediates of the test binaries' pattern rule.
.SECONDARY: $(TESTLIB_OBJ)
