package apiclient

import (
	"strconv"
	"testing"
	"time"
)

func TestParseHealth(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	sec := func(s int) *time.Duration { d := time.Duration(s) * time.Second; return &d }
	cases := []struct {
		body                  string
		influxKnown, influxOK bool
		influxError           string
		lastWriteKnown        bool
		age                   *time.Duration
		drops                 float64
	}{
		{body: `{"influx":{"ok":true},"lastWriteMs":` + strconv.FormatInt(now.Add(-12*time.Second).UnixMilli(), 10) + `,"drops":3}`,
			influxKnown: true, influxOK: true, lastWriteKnown: true, age: sec(12), drops: 3},
		{body: `{"influx":{"ok":false,"error":"timeout"},"lastWriteMs":null}`,
			influxKnown: true, influxError: "timeout", lastWriteKnown: true},
		{body: `{"influx":true,"lastWriteMs":4000}`, influxKnown: true, influxOK: true, lastWriteKnown: true, age: sec(4)},
		{body: `{"influxdb":{"status":"ok"},"lastWriteMs":"2025-03-01T11:59:00Z"}`,
			influxKnown: true, influxOK: true, lastWriteKnown: true, age: sec(60)},
		{body: `{"influx":{"error":"down"},"drops":{"eth0":2,"eth1":5}}`, influxKnown: true, influxError: "down", drops: 7},
		{body: `{"status":"OK"}`},
		{body: `{"lastWriteMs":"yesterday"}`},
	}
	for _, c := range cases {
		h, err := ParseHealth([]byte(c.body), now)
		if err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		if h.InfluxKnown != c.influxKnown || h.InfluxOK != c.influxOK || h.InfluxError != c.influxError {
			t.Errorf("%s: influx %v/%v/%q", c.body, h.InfluxKnown, h.InfluxOK, h.InfluxError)
		}
		if h.LastWriteKnown != c.lastWriteKnown || (h.LastWriteAge == nil) != (c.age == nil) ||
			(c.age != nil && *h.LastWriteAge != *c.age) {
			t.Errorf("%s: last write %v %v", c.body, h.LastWriteKnown, h.LastWriteAge)
		}
		gotDrops := 0.0
		if h.Drops != nil {
			gotDrops = *h.Drops
		}
		if gotDrops != c.drops {
			t.Errorf("%s: drops %v, want %v", c.body, gotDrops, c.drops)
		}
	}
	for _, bad := range []string{`[]`, `null`, `not json`} {
		if _, err := ParseHealth([]byte(bad), now); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestFormatAge(t *testing.T) {
	cases := map[time.Duration]string{
		200 * time.Millisecond: "just now",
		12 * time.Second:       "12 s ago",
		5 * time.Minute:        "5 min ago",
		3 * time.Hour:          "3 h ago",
		72 * time.Hour:         "3 days ago",
	}
	for age, want := range cases {
		if got := FormatAge(age); got != want {
			t.Errorf("FormatAge(%v) = %q, want %q", age, got, want)
		}
	}
}

func TestAPIErrorMessage(t *testing.T) {
	cases := map[string]string{
		`{"error":"unknown interface \"x\""}`: `unknown interface "x"`,
		`{"error":{"message":"nested"}}`:      "nested",
		`{"message":"plain message"}`:         "plain message",
		`Service Unavailable`:                 "Service Unavailable",
		`<html>502</html>`:                    "",
		``:                                    "",
	}
	for body, want := range cases {
		if got := apiErrorMessage([]byte(body)); got != want {
			t.Errorf("apiErrorMessage(%s) = %q, want %q", body, got, want)
		}
	}
}
