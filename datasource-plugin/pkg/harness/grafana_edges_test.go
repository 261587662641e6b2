package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Variables for the edge cases below. The gap ones come from tests/grafana-protocol.test.ts
// (with the other PACKETFLUX_HARNESS_* ones), the health ones from tests/plugin-health.test.ts.
const (
	envGapInterface = "PACKETFLUX_HARNESS_GAP_INTERFACE" // replayed twice, an hour apart
	envGapFrom      = "PACKETFLUX_HARNESS_GAP_FROM"      // RFC 3339: both copies lie in [FROM, TO]
	envGapTo        = "PACKETFLUX_HARNESS_GAP_TO"
	envGapStart     = "PACKETFLUX_HARNESS_GAP_START" // the first copy's last point
	envGapEnd       = "PACKETFLUX_HARNESS_GAP_END"   // the second copy's first point

	envHealthAPIURL    = "PACKETFLUX_HARNESS_HEALTH_API_URL" // a healthy API with a token
	envHealthToken     = "PACKETFLUX_HARNESS_HEALTH_API_TOKEN"
	envHealthRefused   = "PACKETFLUX_HARNESS_HEALTH_REFUSED_URL"   // nothing listens there
	envHealthNoInflux  = "PACKETFLUX_HARNESS_HEALTH_NO_INFLUX_URL" // an API whose influxd is stopped
	gapMaxBucketLength = 5 * time.Minute
)

func mustTime(t *testing.T, name string) time.Time {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set", name)
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return at
}

// TestGrafanaDataGaps queries an interface whose collector ran twice, an hour apart, over both
// runs: the buckets of the hour between must be null, not zero and not missing, with numbers on
// both sides, as a Grafana panel needs to draw the gap.
func TestGrafanaDataGaps(t *testing.T) {
	_, g := newLiveGrafana(t)
	iface := os.Getenv(envGapInterface)
	if iface == "" {
		t.Fatalf("%s is not set", envGapInterface)
	}
	from, to := mustTime(t, envGapFrom), mustTime(t, envGapTo)
	start, end := mustTime(t, envGapStart), mustTime(t, envGapEnd)
	if end.Sub(start) < 50*time.Minute || start.Before(from) || end.After(to) {
		t.Fatalf("gap %s..%s is not about an hour inside %s..%s", start, end, from, to)
	}
	tr := backend.TimeRange{From: from, To: to}
	maxDataPoints := int64(200)
	interval := (tr.Duration() / time.Duration(maxDataPoints)).Truncate(time.Millisecond)
	if interval > gapMaxBucketLength {
		t.Fatalf("bucket %s is longer than %s", interval, gapMaxBucketLength)
	}
	name := "interface_" + iface + "_traffic_bps"
	body, _ := json.Marshal(map[string]any{
		"refId": "A", "target": name, "targets": []string{name},
		"datasource":   map[string]any{"type": g.settings.Type, "uid": g.settings.UID},
		"datasourceId": g.settings.ID, "intervalMs": interval.Milliseconds(), "maxDataPoints": maxDataPoints,
	})
	resp := g.queryData(t, viewer, nil, backend.DataQuery{
		RefID: "A", JSON: body, Interval: interval, MaxDataPoints: maxDataPoints, TimeRange: tr,
	})
	res := resp.Responses["A"]
	if res.Error != nil {
		t.Fatalf("%s: error %v", name, res.Error)
	}
	if problems := checkTimeSeriesMulti(res); len(problems) > 0 {
		t.Errorf("%s breaks the timeseries-multi contract:\n  %s", name, strings.Join(problems, "\n  "))
	}
	series := 0
	for _, f := range res.Frames {
		value := valueField(f)
		if value == nil {
			continue
		}
		series++
		var times *data.Field
		for _, fl := range f.Fields {
			if fl.Type() == data.FieldTypeTime || fl.Type() == data.FieldTypeNullableTime {
				times = fl
			}
		}
		if times == nil {
			t.Fatalf("frame %q has no time field", f.Name)
		}
		if !value.Type().Nullable() {
			t.Errorf("frame %q: value field is %s, not nullable: the gap cannot be null", f.Name, value.Type())
		}
		// The bucket the API chose (it may round the requested interval up).
		step := interval
		if value.Len() > 1 {
			t0, _ := times.ConcreteAt(0)
			t1, _ := times.ConcreteAt(1)
			step = t1.(time.Time).Sub(t0.(time.Time))
		}
		if step <= 0 || step > gapMaxBucketLength {
			t.Fatalf("frame %q: bucket %s, want (0, %s]", f.Name, step, gapMaxBucketLength)
		}
		nullsInGap, numbersBefore, numbersAfter, numbersInGap := 0, 0, 0, 0
		for i := 0; i < value.Len(); i++ {
			at, ok := times.ConcreteAt(i)
			if !ok {
				t.Fatalf("frame %q: null time at %d", f.Name, i)
			}
			ts := at.(time.Time)
			_, isNumber := value.ConcreteAt(i)
			inGap := ts.After(start.Add(step)) && ts.Add(step).Before(end)
			switch {
			case inGap && !isNumber:
				nullsInGap++
			case inGap:
				numbersInGap++
			case isNumber && !ts.After(start):
				numbersBefore++
			case isNumber && !ts.Before(end.Add(-step)):
				numbersAfter++
			}
		}
		t.Logf("gap: frame %q, %d buckets of %s: %d numbers before, %d nulls in the gap, %d numbers in it, %d numbers after", f.Name, value.Len(), step, numbersBefore, nullsInGap, numbersInGap, numbersAfter)
		wantNulls := int(end.Sub(start)/step) - 3
		if numbersInGap > 0 || nullsInGap < wantNulls {
			t.Errorf("frame %q: %d null and %d numeric buckets in the hour without a collector, want at least %d null and no number", f.Name, nullsInGap, numbersInGap, wantNulls)
		}
		if numbersBefore == 0 || numbersAfter == 0 {
			t.Errorf("frame %q: %d numbers before the gap and %d after, want some on both sides", f.Name, numbersBefore, numbersAfter)
		}
	}
	if series == 0 {
		t.Fatalf("%s: no series over %s..%s", name, from, to)
	}
}

// TestGrafanaHealthFailures sends "Save & test" through gRPC for three broken set-ups: a URL
// nothing listens on, a wrong token, and an API whose InfluxDB is stopped. Each must be an
// error naming its own problem.
func TestGrafanaHealthFailures(t *testing.T) {
	apiURL := os.Getenv(envHealthAPIURL)
	if apiURL == "" {
		t.Skipf("%s is not set (tests/plugin-health.test.ts sets it)", envHealthAPIURL)
	}
	bin, err := findPluginBinary(distDir())
	if err != nil {
		t.Skipf("the plugin is not built (%v)", err)
	}
	token, refused, noInflux := os.Getenv(envHealthToken), os.Getenv(envHealthRefused), os.Getenv(envHealthNoInflux)
	if token == "" || refused == "" || noInflux == "" {
		t.Fatalf("%s is set but not all of %s, %s, %s", envHealthAPIURL, envHealthToken, envHealthRefused, envHealthNoInflux)
	}
	proc := startPlugin(t, bin)
	instance := func(id int64, url, token string) *grafana {
		jsonData, _ := json.Marshal(map[string]string{"url": url})
		return &grafana{plugin: proc, bin: bin, settings: backend.DataSourceInstanceSettings{
			ID: id, UID: fmt.Sprintf("packetflux-health-%d", id), Type: bin.id, Name: "PacketFlux",
			JSONData: jsonData, DecryptedSecureJSONData: map[string]string{"apiToken": token},
			Updated: time.Now(),
		}}
	}
	if ok := instance(1, apiURL, token).checkHealth(t); ok.Status != backend.HealthStatusOk {
		t.Fatalf("the healthy API: %s %q", ok.Status, ok.Message)
	}
	cases := []struct {
		name   string
		g      *grafana
		phrase string
	}{
		{"refused", instance(2, refused, token), "Cannot reach the PacketFlux API"},
		{"token", instance(3, apiURL, token+"-wrong"), "refused the API token"},
		{"no influxdb", instance(4, noInflux, token), "cannot reach its InfluxDB"},
	}
	seen := map[string]string{}
	for _, c := range cases {
		res := c.g.checkHealth(t)
		t.Logf("grpc health %s: %s: %s", c.name, res.Status, res.Message)
		if res.Status != backend.HealthStatusError {
			t.Errorf("%s: status %s, want ERROR", c.name, res.Status)
		}
		if !strings.Contains(res.Message, c.phrase) {
			t.Errorf("%s: message %q lacks %q", c.name, res.Message, c.phrase)
		}
		for _, other := range cases {
			if other.name != c.name && strings.Contains(res.Message, other.phrase) {
				t.Errorf("%s: message %q also says %q", c.name, res.Message, other.phrase)
			}
		}
		if prev, dup := seen[res.Message]; dup {
			t.Errorf("%s and %s answer the same message %q", prev, c.name, res.Message)
		}
		seen[res.Message] = c.name
	}
}

// TestGrafanaPublicDashboardTargets sends one PacketFlux panel of each provisioned dashboard as a
// public or shared dashboard saved without variable values does: the targets still hold
// $interface and the like. The plugin must answer a per-query error naming the template
// variable, not a gRPC error and not data.
func TestGrafanaPublicDashboardTargets(t *testing.T) {
	cfg, g := newLiveGrafana(t)
	var dashboards []dashboardFile
	readJSONFile(t, cfg.dashboardsFile, &dashboards)
	tr := backend.TimeRange{From: cfg.from, To: cfg.to}
	checked := 0
	for _, d := range dashboards {
		var sent *backend.DataQuery
		var title string
		for _, p := range allPanels(d.Dashboard.Panels) {
			queries, _, err := panelQueries(p, g.settings, templateVars{}, tr)
			if err != nil {
				t.Fatalf("%s: %v", d.Dashboard.UID, err)
			}
			for i, q := range queries {
				var model struct {
					Targets []string `json:"targets"`
				}
				if json.Unmarshal(q.JSON, &model) == nil && len(model.Targets) == 1 && variableRef.MatchString(model.Targets[0]) {
					sent, title = &queries[i], p.Title
					break
				}
			}
			if sent != nil {
				break
			}
		}
		if sent == nil {
			t.Logf("%s: no PacketFlux target uses a template variable", d.Dashboard.UID)
			continue
		}
		checked++
		resp := g.queryData(t, nil, nil, *sent)
		res := resp.Responses[sent.RefID]
		what := fmt.Sprintf("%s / %q / %s", d.Dashboard.UID, title, sent.RefID)
		t.Logf("public dashboard %s: status %d, error %v", what, res.Status, res.Error)
		if res.Error == nil {
			t.Errorf("%s sent with unresolved variables: no error (%d frames)", what, len(res.Frames))
			continue
		}
		if problems := checkErrorResponse(res); len(problems) > 0 {
			t.Errorf("%s: %s", what, strings.Join(problems, "; "))
		}
		if msg := res.Error.Error(); !strings.Contains(msg, "template variable") || !variableRef.MatchString(msg) {
			t.Errorf("%s: error %q does not say the name still holds a template variable and which", what, msg)
		}
	}
	t.Logf("public dashboards: %d of %d checked with unresolved variables", checked, len(dashboards))
	if checked == 0 {
		t.Fatal("no provisioned dashboard has a PacketFlux target with a template variable")
	}
}
