package apiclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A bucket in which no collector ran is null in /api/query (a gap); one in which it ran and saw
// nothing is 0. The client must keep the two apart: nil for null, a pointer to 0 for 0.
func TestQueryDecodesNullValuesAsNil(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/query" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"refId":"A","name":"interface_eth0_traffic_bps","labels":{"ifname":"eth0"},"unit":"bps",` +
			`"times":[1000,2000,3000,4000],"values":[800,0,null,1.5]},` +
			`{"refId":"A","name":"interface_eth0_traffic_total_bytes","labels":{},"unit":"decbytes","times":[1000,2000],"values":[null,null]}]`))
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	frames, err := c.Query(context.Background(), QueryRequest{
		Range:   NewRange(time.UnixMilli(0), time.UnixMilli(5000)),
		Targets: []Target{{RefID: "A", Target: "interface_eth0_traffic_bps"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2 {
		t.Fatalf("want 2 frames, got %d", len(frames))
	}
	want := []*float64{queryValue(800), queryValue(0), nil, queryValue(1.5)}
	got := frames[0].Values
	if len(got) != len(want) {
		t.Fatalf("want %d values, got %d", len(want), len(got))
	}
	for i := range want {
		switch {
		case want[i] == nil && got[i] != nil:
			t.Errorf("value %d: null decoded as %v, want nil", i, *got[i])
		case want[i] != nil && got[i] == nil:
			t.Errorf("value %d: %v decoded as nil", i, *want[i])
		case want[i] != nil && *got[i] != *want[i]:
			t.Errorf("value %d: got %v, want %v", i, *got[i], *want[i])
		}
	}
	for i, v := range frames[1].Values {
		if v != nil {
			t.Errorf("all-null frame, value %d: got %v, want nil", i, *v)
		}
	}
}

func queryValue(v float64) *float64 { return &v }
