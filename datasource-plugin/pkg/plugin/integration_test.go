package plugin

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// TestAgainstRealAPI runs the handlers against a running PacketFlux API. It is skipped unless
// PACKETFLUX_API_URL is set:
//
//	PACKETFLUX_API_URL=http://127.0.0.1:3001   the API (required)
//	PACKETFLUX_TEST_INTERFACE, PACKETFLUX_TEST_BYTES  an interface and its byte total over the range, to check the numbers
//	PACKETFLUX_API_TOKEN=...                   its --api-token, if any
//	PACKETFLUX_TEST_FROM=2023-11-14T22:00:00Z  queried range (default: the last 24 h)
//	PACKETFLUX_TEST_TO=2023-11-14T23:00:00Z
//
//	go test ./pkg/... -run TestAgainstRealAPI -v
func TestAgainstRealAPI(t *testing.T) {
	url := os.Getenv("PACKETFLUX_API_URL")
	if url == "" {
		t.Skip("PACKETFLUX_API_URL is not set")
	}
	ds := newTestDatasource(t, url, os.Getenv("PACKETFLUX_API_TOKEN"), Options{})

	health, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("health: %s: %s", health.Status, health.Message)
	if health.Status != backend.HealthStatusOk {
		t.Fatalf("API not healthy: %s", health.Message)
	}

	status, body := callResource(t, ds, http.MethodGet, "variables?query=interfaces", "")
	if status != http.StatusOK {
		t.Fatalf("variables: %d %s", status, body)
	}
	var interfaces []struct{ Value string }
	if err := json.Unmarshal([]byte(body), &interfaces); err != nil || len(interfaces) == 0 {
		t.Fatalf("variables: no interfaces in %s (%v)", body, err)
	}
	ifname := interfaces[0].Value
	if v := os.Getenv("PACKETFLUX_TEST_INTERFACE"); v != "" {
		ifname = v
	}

	status, body = callResource(t, ds, http.MethodGet, "search?target=interface_"+ifname, "")
	if status != http.StatusOK || !strings.Contains(body, "interface_"+ifname+"_traffic_bps") {
		t.Fatalf("search: %d %s", status, body)
	}
	status, body = callResource(t, ds, http.MethodGet, "metrics?prefix=interface_"+ifname+"_all&limit=5", "")
	if status != http.StatusOK {
		t.Fatalf("metrics: %d %s", status, body)
	}

	to := time.Now()
	from := to.Add(-24 * time.Hour)
	if v := os.Getenv("PACKETFLUX_TEST_FROM"); v != "" {
		if from, err = time.Parse(time.RFC3339, v); err != nil {
			t.Fatal(err)
		}
	}
	if v := os.Getenv("PACKETFLUX_TEST_TO"); v != "" {
		if to, err = time.Parse(time.RFC3339, v); err != nil {
			t.Fatal(err)
		}
	}
	query := func(refID string, model map[string]any) backend.DataQuery {
		q := dataQuery(refID, model)
		q.TimeRange = backend.TimeRange{From: from, To: to}
		q.Interval = 5 * time.Second
		q.MaxDataPoints = 1000
		return q
	}
	resp := runQueries(t, ds,
		query("A", map[string]any{"target": "interface_" + ifname + "_traffic_bps"}),
		query("B", map[string]any{"target": "interface_" + ifname + "_allprotocols_bps", "top": 2, "legendFormat": "{{proto}} on {{ifname}}"}),
		query("C", map[string]any{"target": "interface_" + ifname + "_traffic_total_bytes"}),
		query("D", map[string]any{"target": "interface_no-such-if_traffic_bps"}),
	)
	for refID, wantUnit := range map[string]string{"A": "bps", "B": "bps", "C": "decbytes"} {
		res := resp.Responses[refID]
		if res.Error != nil {
			t.Fatalf("%s: %v", refID, res.Error)
		}
		for _, f := range res.Frames {
			if len(f.Fields) == 0 {
				continue // no data in the range
			}
			if f.Meta.Type != data.FrameTypeTimeSeriesMulti || f.Fields[1].Config.Unit != wantUnit {
				t.Errorf("%s: frame %q meta %v unit %q, want %s", refID, f.Name, f.Meta.Type, f.Fields[1].Config.Unit, wantUnit)
			}
			t.Logf("%s: %q labels %v, %d points", refID, f.Fields[1].Config.DisplayNameFromDS, f.Fields[1].Labels, f.Rows())
		}
	}
	if v := os.Getenv("PACKETFLUX_TEST_BYTES"); v != "" {
		want, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		// The total ends at the interface's byte count; the rate integrates back to it.
		total := resp.Responses["C"].Frames
		if len(total) != 1 || total[0].Rows() == 0 {
			t.Fatalf("C: want one non-empty frame, got %d", len(total))
		}
		// Buckets before and after the replay are gaps (null): the total is the last number.
		var last any
		for i := 0; i < total[0].Rows(); i++ {
			if v, ok := total[0].Fields[1].ConcreteAt(i); ok {
				last = v
			}
		}
		if got := toFloat(t, last); got != want {
			t.Errorf("C: total bytes %v, want %v", got, want)
		}
		rate := resp.Responses["A"].Frames[0]
		if rate.Rows() < 2 {
			t.Fatalf("A: want at least two buckets, got %d", rate.Rows())
		}
		t0, _ := rate.Fields[0].ConcreteAt(0)
		t1, _ := rate.Fields[0].ConcreteAt(1)
		bucketSeconds := t1.(time.Time).Sub(t0.(time.Time)).Seconds()
		var bytes float64
		for i := 0; i < rate.Rows(); i++ {
			if v, ok := rate.Fields[1].ConcreteAt(i); ok {
				bytes += toFloat(t, v) * bucketSeconds / 8
			}
		}
		if math.Abs(bytes-want) > 1e-6*want {
			t.Errorf("A: rate integrates to %v bytes, want %v", bytes, want)
		}
	}
	if n := len(resp.Responses["B"].Frames); n > 3 {
		t.Errorf("B: %d series with top 2, want at most 3 (top 2 + Other)", n)
	}
	if d := resp.Responses["D"]; d.Error == nil || d.Status != backend.StatusBadRequest {
		t.Errorf("D: an unknown interface should fail with the API's reason, got %v", d.Error)
	} else {
		t.Logf("D: %v", d.Error)
	}
}

func toFloat(t *testing.T, v any) float64 {
	t.Helper()
	switch n := v.(type) {
	case float64:
		return n
	case *float64:
		return *n
	default:
		t.Fatalf("value %v of type %T is not a number", v, v)
		return 0
	}
}
