package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/packetflux/packetflux/datasource-plugin/pkg/apiclient/apitest"
)

const testToken = "s3cret-token"

func newTestDatasource(t *testing.T, url, token string, opts Options) *Datasource {
	t.Helper()
	jsonData, _ := json.Marshal(map[string]string{"url": url})
	instance := backend.DataSourceInstanceSettings{JSONData: jsonData}
	if token != "" {
		instance.DecryptedSecureJSONData = map[string]string{"apiToken": token}
	}
	ds, err := New(context.Background(), instance, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ds.Dispose)
	return ds
}

func dataQuery(refID string, model map[string]any) backend.DataQuery {
	raw, _ := json.Marshal(model)
	to := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return backend.DataQuery{
		RefID:         refID,
		JSON:          raw,
		Interval:      30 * time.Second,
		MaxDataPoints: 720,
		TimeRange:     backend.TimeRange{From: to.Add(-6 * time.Hour), To: to},
	}
}

func runQueries(t *testing.T, ds *Datasource, queries ...backend.DataQuery) *backend.QueryDataResponse {
	t.Helper()
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: queries})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func valueField(t *testing.T, f *data.Frame) *data.Field {
	t.Helper()
	if len(f.Fields) != 2 {
		t.Fatalf("frame %q has %d fields, want time and value", f.Name, len(f.Fields))
	}
	if f.Fields[0].Type() != data.FieldTypeTime {
		t.Fatalf("first field of %q is %s, want time", f.Name, f.Fields[0].Type())
	}
	return f.Fields[1]
}

func TestQueryDataSingleSeries(t *testing.T) {
	api := apitest.NewServer(testToken)
	defer api.Close()
	ds := newTestDatasource(t, api.URL, testToken, Options{})

	resp := runQueries(t, ds, dataQuery("A", map[string]any{"target": "interface_eth0_traffic_bps"}))
	res := resp.Responses["A"]
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	if len(res.Frames) != 1 {
		t.Fatalf("got %d frames, want 1", len(res.Frames))
	}
	f := res.Frames[0]
	if f.RefID != "A" || f.Meta == nil || f.Meta.Type != data.FrameTypeTimeSeriesMulti {
		t.Errorf("frame refId %q meta %+v, want A and timeseries-multi", f.RefID, f.Meta)
	}
	v := valueField(t, f)
	if v.Config.Unit != "bps" {
		t.Errorf("unit %q, want bps", v.Config.Unit)
	}
	if v.Labels["ifname"] != "eth0" {
		t.Errorf("labels %v, want ifname=eth0", v.Labels)
	}
	if v.Config.DisplayNameFromDS != "interface_eth0_traffic_bps" {
		t.Errorf("display name %q", v.Config.DisplayNameFromDS)
	}
	if got, _ := v.FloatAt(2); got != 3000 {
		t.Errorf("third value %v, want 3000", got)
	}

	sent := api.Queries()
	if len(sent) != 1 {
		t.Fatalf("API got %d queries, want 1", len(sent))
	}
	body := sent[0]
	if body.Range.From != "2025-03-01T06:00:00.000Z" || body.Range.To != "2025-03-01T12:00:00.000Z" {
		t.Errorf("range %+v", body.Range)
	}
	if body.IntervalMs != 30000 || body.MaxDataPoints != 720 {
		t.Errorf("intervalMs %d maxDataPoints %d, want 30000 and 720", body.IntervalMs, body.MaxDataPoints)
	}
	if len(body.Targets) != 1 || body.Targets[0].RefID != "A" || body.Targets[0].Target != "interface_eth0_traffic_bps" {
		t.Errorf("targets %+v", body.Targets)
	}
	for _, h := range api.AuthHeaders() {
		if h != "Bearer "+testToken {
			t.Errorf("Authorization %q, want the bearer token", h)
		}
	}
}

func TestQueryDataMultiSeriesTopAndLegend(t *testing.T) {
	api := apitest.NewServer("")
	defer api.Close()
	ds := newTestDatasource(t, api.URL, "", Options{})

	resp := runQueries(t, ds, dataQuery("B", map[string]any{
		"target": "interface_br_lan_allprotocols_bps", "top": 2, "legendFormat": "{{proto}} on {{ ifname }}{{nope}}",
	}))
	res := resp.Responses["B"]
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	var names []string
	for _, f := range res.Frames {
		v := valueField(t, f)
		names = append(names, v.Config.DisplayNameFromDS)
		if v.Config.Unit != "bps" {
			t.Errorf("%s: unit %q", f.Name, v.Config.Unit)
		}
	}
	want := []string{"TLS on br_lan", "DNS on br_lan", "Other on br_lan"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("legends %v, want %v", names, want)
	}
	other := valueField(t, res.Frames[2])
	if _, ok := other.ConcreteAt(1); ok {
		t.Errorf("a null value from the API should stay null")
	}
	sentTarget := api.Queries()[0].Targets[0]
	if sentTarget.Top != 2 || sentTarget.LegendFormat != "{{proto}} on {{ ifname }}{{nope}}" {
		t.Errorf("sent %+v, want top 2 and the legend format", sentTarget)
	}
}

func TestQueryDataExpandedTargetsAndTopAsString(t *testing.T) {
	api := apitest.NewServer("")
	defer api.Close()
	ds := newTestDatasource(t, api.URL, "", Options{})

	resp := runQueries(t, ds, dataQuery("A", map[string]any{
		"target":  "interface_$if_traffic_bps",
		"targets": []string{"interface_eth0_traffic_bps", "interface_br_lan_traffic_bps"},
		"top":     "",
	}))
	res := resp.Responses["A"]
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	if len(res.Frames) != 2 {
		t.Fatalf("got %d frames, want one per interface", len(res.Frames))
	}
	sent := api.Queries()
	if len(sent) != 1 || len(sent[0].Targets) != 2 {
		t.Fatalf("want one API call with two targets, got %+v", sent)
	}
	if sent[0].Targets[0].Top != 0 {
		t.Errorf("top sent although not set")
	}
}

func TestQueryDataUnits(t *testing.T) {
	api := apitest.NewServer("")
	defer api.Close()
	ds := newTestDatasource(t, api.URL, "", Options{})

	cases := map[string]string{
		"interface_eth0_traffic_bps":           "bps",
		"interface_eth0_traffic_pps":           "pps",
		"interface_eth0_traffic_total_bytes":   "decbytes",
		"interface_eth0_traffic_total_packets": "short",
	}
	var queries []backend.DataQuery
	for target := range cases {
		queries = append(queries, dataQuery(target, map[string]any{"target": target}))
	}
	resp := runQueries(t, ds, queries...)
	for target, unit := range cases {
		res := resp.Responses[target]
		if res.Error != nil {
			t.Fatalf("%s: %v", target, res.Error)
		}
		if got := valueField(t, res.Frames[0]).Config.Unit; got != unit {
			t.Errorf("%s: unit %q, want %q", target, got, unit)
		}
	}
}

func TestQueryDataErrors(t *testing.T) {
	api := apitest.NewServer(testToken)
	defer api.Close()

	t.Run("unknown metric fails only its own query", func(t *testing.T) {
		ds := newTestDatasource(t, api.URL, testToken, Options{})
		resp := runQueries(t, ds,
			dataQuery("A", map[string]any{"target": "interface_wlan9_traffic_bps"}),
			dataQuery("B", map[string]any{"target": "interface_eth0_traffic_bps"}),
		)
		a := resp.Responses["A"]
		if a.Error == nil || a.Status != backend.StatusBadRequest || a.ErrorSource != backend.ErrorSourceDownstream {
			t.Fatalf("A: error %v status %v source %v", a.Error, a.Status, a.ErrorSource)
		}
		if !strings.Contains(a.Error.Error(), `unknown metric "interface_wlan9_traffic_bps"`) {
			t.Errorf("A: message %q should carry the API's reason", a.Error)
		}
		if resp.Responses["B"].Error != nil {
			t.Errorf("B failed: %v", resp.Responses["B"].Error)
		}
	})

	t.Run("wrong token", func(t *testing.T) {
		ds := newTestDatasource(t, api.URL, "wrong", Options{})
		res := runQueries(t, ds, dataQuery("A", map[string]any{"target": "interface_eth0_traffic_bps"})).Responses["A"]
		if res.Status != backend.StatusUnauthorized || !strings.Contains(res.Error.Error(), "API token") {
			t.Errorf("status %v error %v", res.Status, res.Error)
		}
		if strings.Contains(res.Error.Error(), "wrong") {
			t.Errorf("the token leaked into the message: %v", res.Error)
		}
	})

	t.Run("template variable left in an alert rule", func(t *testing.T) {
		ds := newTestDatasource(t, api.URL, testToken, Options{})
		res := runQueries(t, ds, dataQuery("A", map[string]any{"target": "interface_$if_traffic_bps"})).Responses["A"]
		if res.Error == nil || !strings.Contains(res.Error.Error(), "template variable") {
			t.Errorf("error %v", res.Error)
		}
	})

	t.Run("no metric", func(t *testing.T) {
		ds := newTestDatasource(t, api.URL, testToken, Options{})
		res := runQueries(t, ds, dataQuery("A", map[string]any{"target": "  "})).Responses["A"]
		if res.Error == nil || !strings.Contains(res.Error.Error(), "no metric name") {
			t.Errorf("error %v", res.Error)
		}
	})

	t.Run("too many targets", func(t *testing.T) {
		ds := newTestDatasource(t, api.URL, testToken, Options{})
		targets := make([]string, MaxTargetsPerQuery+1)
		for i := range targets {
			targets[i] = "interface_eth0_traffic_bps"
		}
		res := runQueries(t, ds, dataQuery("A", map[string]any{"targets": targets})).Responses["A"]
		if res.Error == nil || !strings.Contains(res.Error.Error(), "expands to 101") {
			t.Errorf("error %v", res.Error)
		}
	})

	t.Run("top out of range", func(t *testing.T) {
		ds := newTestDatasource(t, api.URL, testToken, Options{})
		res := runQueries(t, ds, dataQuery("A", map[string]any{"target": "interface_eth0_allprotocols_bps", "top": 5000})).Responses["A"]
		if res.Error == nil || !strings.Contains(res.Error.Error(), "top N") {
			t.Errorf("error %v", res.Error)
		}
	})

	t.Run("missing URL", func(t *testing.T) {
		ds := newTestDatasource(t, "", "", Options{})
		res := runQueries(t, ds, dataQuery("A", map[string]any{"target": "interface_eth0_traffic_bps"})).Responses["A"]
		if res.Error == nil || !strings.Contains(res.Error.Error(), "URL is not set") {
			t.Errorf("error %v", res.Error)
		}
	})
}

func TestQueryDataUnreachableAndTimeout(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	ds := newTestDatasource(t, closedURL, "", Options{})
	res := runQueries(t, ds, dataQuery("A", map[string]any{"target": "interface_eth0_traffic_bps"})).Responses["A"]
	if res.Status != backend.StatusBadGateway || !strings.Contains(res.Error.Error(), "cannot reach the PacketFlux API at "+closedURL) {
		t.Errorf("unreachable: status %v error %v", res.Status, res.Error)
	}

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	ds = newTestDatasource(t, slow.URL, "", Options{Timeout: 200 * time.Millisecond})
	res = runQueries(t, ds, dataQuery("A", map[string]any{"target": "interface_eth0_traffic_bps"})).Responses["A"]
	if res.Status != backend.StatusTimeout || !strings.Contains(res.Error.Error(), "did not answer") {
		t.Errorf("timeout: status %v error %v", res.Status, res.Error)
	}
}

func TestQueryDataEmptyAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	ds := newTestDatasource(t, srv.URL, "", Options{})
	res := runQueries(t, ds, dataQuery("A", map[string]any{"target": "interface_eth0_traffic_bps"})).Responses["A"]
	if res.Error != nil || len(res.Frames) != 1 || len(res.Frames[0].Fields) != 0 || res.Frames[0].Meta.Type != data.FrameTypeTimeSeriesMulti {
		t.Errorf("want one empty typed frame, got %+v (error %v)", res.Frames, res.Error)
	}
}

func TestQueryDataUnitInferredWhenAPIOmitsIt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`[{"refId":"A","name":"TLS","labels":{"proto":"TLS"},"times":[1000,2000],"values":[1,null]}]`))
	}))
	defer srv.Close()
	ds := newTestDatasource(t, srv.URL, "", Options{})
	res := runQueries(t, ds, dataQuery("A", map[string]any{"target": "interface_eth0_allprotocols_bps"})).Responses["A"]
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	if got := valueField(t, res.Frames[0]).Config.Unit; got != "bps" {
		t.Errorf("unit %q, want bps from the metric name", got)
	}
}
