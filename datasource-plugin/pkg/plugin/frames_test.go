package plugin

import (
	"encoding/json"
	"testing"
)

func TestUnitForMetric(t *testing.T) {
	cases := map[string]string{
		"interface_eth0_traffic_bps":                       "bps",
		"host_10.0.0.5_interface_eth0_traffic_pps":         "pps",
		"host_10.0.0.5_interface_eth0_traffic_total_bytes": "decbytes",
		"interface_br_lan_traffic_total_packets":           "short",
		"interface_eth0_protocol_HTTP_Proxy_bps":           "bps",
		"something_else":                                   "",
	}
	for name, want := range cases {
		if got := UnitForMetric(name); got != want {
			t.Errorf("UnitForMetric(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestFlexInt(t *testing.T) {
	cases := map[string]int{`5`: 5, `"7"`: 7, `""`: 0, `null`: 0, `10.0`: 10}
	for in, want := range cases {
		var got flexInt
		if err := json.Unmarshal([]byte(in), &got); err != nil || int(got) != want {
			t.Errorf("%s: got %d (%v), want %d", in, got, err, want)
		}
	}
	var bad flexInt
	if err := json.Unmarshal([]byte(`"ten"`), &bad); err == nil {
		t.Error("want an error for a non-number")
	}
}
