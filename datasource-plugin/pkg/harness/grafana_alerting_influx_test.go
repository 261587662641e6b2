package harness

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Rules whose queries go to the provisioned InfluxDB data source (uid packetflux-influxdb), not
// to the plugin, are evaluated here the way Grafana's InfluxDB data source (InfluxQL, raw query)
// runs them for alerting, kept to what the provisioned rules use:
//
//   - the query's time range is the rule's relativeTimeRange before the evaluation time;
//   - in the raw query, $timeFilter becomes `time >= <from>ms and time <= <to>ms`, and
//     $__interval_ms, $__interval and $interval the query's interval (intervalMs; "1m" for
//     60000), as grafana/pkg/tsdb/influxdb/influxql/models/query.go does (this module cannot
//     import its gtime.FormatInterval, so formatInterval does the same for up to days);
//   - the query goes to InfluxDB's /query with db and epoch=ms;
//   - each returned series becomes a frame of time and value whose value field carries the
//     series' tags as labels (time_series result format).

const influxDatasourceUID = "packetflux-influxdb"

// influxQLForAlert substitutes Grafana's InfluxQL macros in a raw query.
func influxQLForAlert(query string, tr backend.TimeRange, interval time.Duration) string {
	timeFilter := fmt.Sprintf("time >= %dms and time <= %dms", tr.From.UnixMilli(), tr.To.UnixMilli())
	query = strings.ReplaceAll(query, "$timeFilter", timeFilter)
	query = strings.ReplaceAll(query, "$interval", formatInterval(interval))
	query = strings.ReplaceAll(query, "$__interval_ms", strconv.FormatInt(interval.Milliseconds(), 10))
	return strings.ReplaceAll(query, "$__interval", formatInterval(interval))
}

// formatInterval writes an interval in its largest whole unit below it, as Grafana's
// gtime.FormatInterval does up to days ("1m" for a minute, "30s", "500ms").
func formatInterval(d time.Duration) string {
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if d >= u.unit {
			return fmt.Sprintf("%d%s", d/u.unit, u.name)
		}
	}
	return "1ms"
}

// influxFrames runs one InfluxQL statement and returns one frame per series.
func influxFrames(influxURL, db, query string) (data.Frames, error) {
	params := url.Values{"db": {db}, "q": {query}, "epoch": {"ms"}}
	res, err := http.Get(strings.TrimRight(influxURL, "/") + "/query?" + params.Encode())
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body struct {
		Error   string `json:"error"`
		Results []struct {
			Error  string `json:"error"`
			Series []struct {
				Name    string            `json:"name"`
				Tags    map[string]string `json:"tags"`
				Columns []string          `json:"columns"`
				Values  [][]*float64      `json:"values"`
			} `json:"series"`
		} `json:"results"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("InfluxDB /query: HTTP %d: %w", res.StatusCode, err)
	}
	if body.Error != "" || res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("InfluxDB /query: HTTP %d: %s", res.StatusCode, body.Error)
	}
	if len(body.Results) != 1 {
		return nil, fmt.Errorf("InfluxDB /query: %d results for one statement", len(body.Results))
	}
	if body.Results[0].Error != "" {
		return nil, fmt.Errorf("InfluxDB: %s", body.Results[0].Error)
	}
	var frames data.Frames
	for _, s := range body.Results[0].Series {
		if len(s.Columns) != 2 || s.Columns[0] != "time" {
			return nil, fmt.Errorf("series %s: columns %v, want time and one value", s.Name, s.Columns)
		}
		times := make([]time.Time, 0, len(s.Values))
		values := make([]*float64, 0, len(s.Values))
		for _, row := range s.Values {
			if len(row) != 2 || row[0] == nil {
				return nil, fmt.Errorf("series %s: row %v", s.Name, row)
			}
			times = append(times, time.UnixMilli(int64(*row[0])).UTC())
			values = append(values, row[1])
		}
		frames = append(frames, data.NewFrame(s.Name,
			data.NewField("Time", nil, times),
			data.NewField("Value", data.Labels(s.Tags), values),
		))
	}
	return frames, nil
}

// TestGrafanaHostUploadAlert evaluates the provisioned host-upload rule as Grafana would: its
// own InfluxQL against the real InfluxDB, then its own reduce and threshold. With a threshold
// between the local hosts' uploads as tshark counts them, there is one instance per host,
// labelled by host, and exactly the hosts whose upload is above it fire.
func TestGrafanaHostUploadAlert(t *testing.T) {
	cfg := loadLiveConfig(t)
	if cfg.influxURL == "" || cfg.influxDB == "" || len(cfg.hostUpload) == 0 {
		t.Fatalf("%s, %s and %s are needed", envInfluxURL, envInfluxDB, envHostUpload)
	}
	rule, group := findRule(t, loadAlertGroups(t, cfg), ruleHostUpload)
	query := rule.Data[0]
	if query.RefID != "A" || query.DatasourceUID != influxDatasourceUID || query.RelativeTimeRange == nil {
		t.Fatalf("rule %s: query %s on %s; this test evaluates an InfluxDB query A with a relative time range", rule.UID, query.RefID, query.DatasourceUID)
	}
	var model struct {
		Query        string `json:"query"`
		RawQuery     bool   `json:"rawQuery"`
		ResultFormat string `json:"resultFormat"`
		IntervalMs   int64  `json:"intervalMs"`
	}
	if err := json.Unmarshal(query.Model, &model); err != nil {
		t.Fatal(err)
	}
	if !model.RawQuery || model.ResultFormat != "time_series" || model.IntervalMs <= 0 {
		t.Fatalf("rule %s: %+v; this test runs raw time_series InfluxQL with an interval", rule.UID, model)
	}

	at := evaluationTime(t, group, cfg.to)
	tr := backend.TimeRange{
		From: at.Add(-time.Duration(query.RelativeTimeRange.From) * time.Second),
		To:   at.Add(-time.Duration(query.RelativeTimeRange.To) * time.Second),
	}
	if cfg.from.Before(tr.From) {
		t.Fatalf("the replayed data starts at %s, before the rule's window %s: the expected means would be wrong", cfg.from, tr.From)
	}
	q := influxQLForAlert(model.Query, tr, time.Duration(model.IntervalMs)*time.Millisecond)
	frames, err := influxFrames(cfg.influxURL, cfg.influxDB, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	in := seriesOf(frames)
	if len(in) == 0 {
		t.Fatalf("%s: no series", q)
	}
	// fill(0): every host has the same buckets, all numbers; the mean divides by their count.
	buckets := numericPoints(in[0])
	for _, s := range in {
		if len(s.values) != buckets || numericPoints(s) != buckets {
			t.Fatalf("series %v: %d points, %d numbers, want %d numbers", s.labels, len(s.values), numericPoints(s), buckets)
		}
	}
	responses := backend.Responses{"A": {Frames: frames}}
	bps := func(bytes float64) float64 { return bytes * 8 / 60 / float64(buckets) }

	// A threshold between two distinct uploads, in the middle of the sorted list.
	uploads := make([]float64, 0, len(cfg.hostUpload))
	for _, b := range cfg.hostUpload {
		uploads = append(uploads, b)
	}
	sort.Float64s(uploads)
	uploads = slices.Compact(uploads)
	if len(uploads) < 2 {
		t.Fatalf("the capture's hosts upload %v: need two distinct amounts to split them", uploads)
	}
	mid := len(uploads) / 2
	cut := (uploads[mid-1] + uploads[mid]) / 2

	var wantHosts, wantFiring []string
	for h, b := range cfg.hostUpload {
		wantHosts = append(wantHosts, h)
		if b > cut {
			wantFiring = append(wantFiring, h)
		}
	}

	for _, c := range []struct {
		name       string
		rule       alertRule
		wantFiring []string
	}{
		{"provisioned threshold", rule, nil},
		{fmt.Sprintf("threshold %.0f bps", bps(cut)), withParams(t, rule, "C", bps(cut)), wantFiring},
	} {
		t.Run(c.name, func(t *testing.T) {
			eval, err := evaluateRule(c.rule, responses)
			if err != nil {
				t.Fatal(err)
			}
			if eval.queryErr != nil || eval.noData {
				t.Fatalf("%+v", eval)
			}
			var hosts, firing []string
			for _, inst := range eval.instances {
				host := inst.labels["host"]
				hosts = append(hosts, host)
				if inst.labels["ifname"] != cfg.iface {
					t.Errorf("instance %v is not labelled ifname=%s", inst.labels, cfg.iface)
				}
				if want := bps(cfg.hostUpload[host]); !closeTo(inst.values["B"], want) {
					t.Errorf("host %s: mean upload %v bps, want %v from tshark's %v bytes sent", host, inst.values["B"], want, cfg.hostUpload[host])
				}
				if inst.firing {
					firing = append(firing, host)
				}
			}
			for _, s := range [][]string{hosts, firing, wantHosts, c.wantFiring} {
				slices.Sort(s)
			}
			if !slices.Equal(hosts, wantHosts) {
				t.Errorf("instances for hosts %v, want one per local host of the capture %v", hosts, wantHosts)
			}
			if !slices.Equal(firing, c.wantFiring) {
				t.Errorf("firing %v, want %v", firing, c.wantFiring)
			}
			t.Logf("%d instances labelled by host; firing %v", len(hosts), firing)
		})
	}
	if len(wantFiring) == 0 || len(wantFiring) == len(wantHosts) {
		t.Errorf("at %.0f bytes the split is %v of %v: want some hosts above, some below", cut, wantFiring, wantHosts)
	}
}
