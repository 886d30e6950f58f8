# pktlive.mk - $(BUILD)/pkt_send (tests/live/pkt_send.c): the raw-frame
# sender tests/test_pkt_live.sh uses (TCP/UDP/ICMP IPv4 frames out of an
# interface). Not a test binary: it lives in tests/live/, outside the
# tests/*.c wildcard.
PKT_SEND := $(BUILD)/pkt_send

all: $(PKT_SEND)
test: $(PKT_SEND)

$(PKT_SEND): tests/live/pkt_send.c $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<
