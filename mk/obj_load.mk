# obj_load.mk - tests/test_obj_load.c loads the BPF test objects
# tests/bpf/load_*.bpf.c (compiled by mk/bpf.mk).
$(BUILD)/tests/test_obj_load: $(filter $(BUILD)/bpf/load_%,$(BPF_OBJ))
