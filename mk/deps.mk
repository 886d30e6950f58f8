# deps.mk - install missing build tools before building (scripts/deps.sh).
# Runs at parse time for the goals a newcomer types (all, test, demo, bench);
# it only calls apt-get when something is missing.
DEPS_BUILD := gcc make
ifneq ($(filter all lib cli test demo bench examples,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell bash scripts/deps.sh $(DEPS_BUILD) 1>&2 && echo ok),ok)
$(error missing build dependencies ($(DEPS_BUILD)); see the message above)
endif
endif
