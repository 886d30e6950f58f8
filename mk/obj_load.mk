# obj_load.mk - tests/test_obj_load.c loads the BPF test objects
# tests/bpf/load_*.bpf.c (compiled by mk/bpf.mk; skipped if missing).
$(BUILD)/tests/test_obj_load: $(if $(BPF_CLANG),$(filter $(BUILD)/bpf/load_%,$(BPF_OBJ)))
