# demo.mk - `make demo`: bpfbox doing its main job on a shipped example.
.PHONY: demo
demo: all
	@bash scripts/demo.sh $(BUILD)/bpfbox
