# fuzz_verifier.mk - `make fuzz-verifier N=100000 SEED=7 [CLASS=SIGN_MIX]`:
# differential fuzzing of bpfbox's verifier against the kernel's
# (tests/test_verifier_fuzz.c, generator tests/vgen.c). Prints the
# confusion matrix, the per-class counts and, minimised and disassembled,
# every program the kernel rejects and bpfbox accepts, with the kernel's
# reason. `make test` runs the same binary on a fixed seed (2,000 programs).
N    ?= 100000
SEED ?= 1
CLASS ?=
.PHONY: fuzz-verifier
fuzz-verifier: $(BUILD)/tests/test_verifier_fuzz
	VFUZZ_N=$(N) VFUZZ_SEED=$(SEED) VFUZZ_CLASS=$(CLASS) VFUZZ_REPORT=1 $(BUILD)/tests/test_verifier_fuzz
