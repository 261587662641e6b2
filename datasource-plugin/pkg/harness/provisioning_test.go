package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// The provisioning documents, as tests/grafana-protocol.test.ts writes them: the YAML files
// parsed (alert rules first rendered by deploy/grafana/render-alert-rules.sh) and saved as JSON,
// each with the file it came from.

type datasourceFile struct {
	File        string                  `json:"file"`
	Datasources []provisionedDatasource `json:"datasources"`
}

type provisionedDatasource struct {
	Name           string         `json:"name"`
	Type           string         `json:"type"`
	UID            string         `json:"uid"`
	URL            string         `json:"url"`
	JSONData       map[string]any `json:"jsonData"`
	SecureJSONData map[string]any `json:"secureJsonData"`
}

type dashboardFile struct {
	File      string    `json:"file"`
	Dashboard dashboard `json:"dashboard"`
}

type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID            int              `json:"id"`
	Title         string           `json:"title"`
	Type          string           `json:"type"`
	Datasource    *datasourceRef   `json:"datasource"`
	Targets       []map[string]any `json:"targets"`
	MaxDataPoints int64            `json:"maxDataPoints"`
	// Interval is the panel's minimum interval ("10s"), empty when the panel sets none.
	Interval    string `json:"interval"`
	FieldConfig struct {
		Defaults struct {
			Unit string `json:"unit"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	// Panels are the panels of a collapsed row.
	Panels []panel `json:"panels"`
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Datasource *datasourceRef  `json:"datasource"`
	Query      json.RawMessage `json:"query"`
}

type alertRuleFile struct {
	File   string       `json:"file"`
	Groups []alertGroup `json:"groups"`
}

type alertGroup struct {
	Name     string      `json:"name"`
	Interval string      `json:"interval"`
	Rules    []alertRule `json:"rules"`
}

type alertRule struct {
	UID          string            `json:"uid"`
	Title        string            `json:"title"`
	Condition    string            `json:"condition"`
	Data         []alertQuery      `json:"data"`
	NoDataState  string            `json:"noDataState"`
	ExecErrState string            `json:"execErrState"`
	Labels       map[string]string `json:"labels"`
}

type alertQuery struct {
	RefID             string `json:"refId"`
	DatasourceUID     string `json:"datasourceUid"`
	RelativeTimeRange *struct {
		From int64 `json:"from"` // seconds before the evaluation time
		To   int64 `json:"to"`
	} `json:"relativeTimeRange"`
	Model json.RawMessage `json:"model"`
}

// expressionDatasourceUID marks a rule query Grafana evaluates itself (server-side expressions).
const expressionDatasourceUID = "__expr__"

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// pluginDatasource returns the one provisioned data source of the plugin's type.
func pluginDatasource(t *testing.T, path, pluginID string) provisionedDatasource {
	t.Helper()
	var files []datasourceFile
	readJSONFile(t, path, &files)
	var found []provisionedDatasource
	for _, f := range files {
		for _, d := range f.Datasources {
			if d.Type == pluginID {
				found = append(found, d)
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: want one provisioned data source of type %s, found %d", path, pluginID, len(found))
	}
	return found[0]
}

// instanceSettings is what Grafana stores for a provisioned data source and hands the plugin:
// $VAR and ${VAR} in the file expanded from Grafana's environment (env here), jsonData as raw
// JSON, secureJsonData decrypted.
func (d provisionedDatasource) instanceSettings(t *testing.T, id int64, env map[string]string) backend.DataSourceInstanceSettings {
	t.Helper()
	expand := func(s string) string {
		return os.Expand(s, func(name string) string {
			if name == "$" { // $$ is a literal $
				return "$"
			}
			return env[name]
		})
	}
	jsonData, err := json.Marshal(expandStrings(d.JSONData, expand))
	if err != nil {
		t.Fatal(err)
	}
	secure := map[string]string{}
	for k, v := range d.SecureJSONData {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("secureJsonData.%s of %s is not a string", k, d.UID)
		}
		secure[k] = expand(s)
	}
	return backend.DataSourceInstanceSettings{
		ID:                      id,
		UID:                     d.UID,
		Type:                    d.Type,
		Name:                    d.Name,
		URL:                     expand(d.URL),
		JSONData:                jsonData,
		DecryptedSecureJSONData: secure,
		Updated:                 time.Now(),
	}
}

// expandStrings applies expand to every string inside a decoded JSON value.
func expandStrings(v any, expand func(string) string) any {
	switch x := v.(type) {
	case string:
		return expand(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = expandStrings(e, expand)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = expandStrings(e, expand)
		}
		return out
	default:
		return v
	}
}

// allPanels flattens collapsed rows, whose panels Grafana queries once the row is opened.
func allPanels(panels []panel) []panel {
	var out []panel
	for _, p := range panels {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

// targetDatasource is the data source a panel target goes to: its own, else the panel's.
func targetDatasource(p panel, target map[string]any) string {
	if ref, ok := target["datasource"].(map[string]any); ok {
		if uid, ok := ref["uid"].(string); ok && uid != "" {
			return uid
		}
	}
	if p.Datasource != nil {
		return p.Datasource.UID
	}
	return ""
}

// dashboardPanelWidth stands for maxDataPoints, which the browser sets to the panel's width in
// pixels when the panel sets none.
const dashboardPanelWidth = 1000

// panelQueries are the queries the browser sends to /api/ds/query for one panel and Grafana
// forwards to the plugin: the plugin's targets (not hidden), each after the frontend's
// applyTemplateVariables (src/datasource.ts): `target` trimmed, `targets` the interpolated metric
// name, `legendFormat` interpolated; plus what the browser adds to every query (datasourceId,
// intervalMs, maxDataPoints). Targets of other data sources are returned as skipped.
func panelQueries(p panel, ds backend.DataSourceInstanceSettings, vars templateVars, tr backend.TimeRange) (queries []backend.DataQuery, skipped []string, err error) {
	maxDataPoints := p.MaxDataPoints
	if maxDataPoints <= 0 {
		maxDataPoints = dashboardPanelWidth
	}
	interval := tr.Duration() / time.Duration(maxDataPoints)
	if p.Interval != "" {
		minInterval, err := time.ParseDuration(p.Interval)
		if err != nil {
			return nil, nil, fmt.Errorf("panel %q: interval %q: %w", p.Title, p.Interval, err)
		}
		interval = max(interval, minInterval)
	}
	interval = max(interval.Truncate(time.Millisecond), time.Millisecond)

	for _, target := range p.Targets {
		refID, _ := target["refId"].(string)
		if uid := targetDatasource(p, target); uid != ds.UID {
			skipped = append(skipped, fmt.Sprintf("%s (data source %s)", refID, uid))
			continue
		}
		if hide, _ := target["hide"].(bool); hide {
			continue
		}
		raw, _ := target["target"].(string)
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue // the frontend's filterQuery drops it
		}
		model := make(map[string]any, len(target)+5)
		for k, v := range target {
			model[k] = v
		}
		name, err := vars.interpolate(raw, true)
		if err != nil {
			return nil, nil, fmt.Errorf("panel %q %s: %w", p.Title, refID, err)
		}
		model["target"] = raw
		model["targets"] = []string{name}
		if legend, _ := target["legendFormat"].(string); legend != "" {
			if model["legendFormat"], err = vars.interpolate(legend, false); err != nil {
				return nil, nil, fmt.Errorf("panel %q %s legend: %w", p.Title, refID, err)
			}
		}
		model["datasource"] = map[string]any{"type": ds.Type, "uid": ds.UID}
		model["datasourceId"] = ds.ID
		model["intervalMs"] = interval.Milliseconds()
		model["maxDataPoints"] = maxDataPoints
		body, err := json.Marshal(model)
		if err != nil {
			return nil, nil, err
		}
		queries = append(queries, backend.DataQuery{
			RefID:         refID,
			JSON:          body,
			Interval:      interval,
			MaxDataPoints: maxDataPoints,
			TimeRange:     tr,
		})
	}
	return queries, skipped, nil
}

// Alerting's defaults for a query model that sets neither.
const (
	alertDefaultIntervalMs    = 1000
	alertDefaultMaxDataPoints = 43200
)

// alertQueries are the queries Grafana alerting sends the plugin for one rule evaluated at
// evalTime: each query model of the data source as saved in the rule, its relativeTimeRange
// made absolute, its intervalMs and maxDataPoints (alerting's defaults when unset). Queries of
// other data sources are returned as skipped; expressions are neither.
func alertQueries(rule alertRule, dsUID string, evalTime time.Time) (queries []backend.DataQuery, skipped []string, err error) {
	for _, q := range rule.Data {
		switch q.DatasourceUID {
		case expressionDatasourceUID:
			continue
		case dsUID:
		default:
			skipped = append(skipped, fmt.Sprintf("%s (data source %s)", q.RefID, q.DatasourceUID))
			continue
		}
		if q.RelativeTimeRange == nil {
			return nil, nil, fmt.Errorf("rule %s query %s has no relativeTimeRange", rule.UID, q.RefID)
		}
		var model struct {
			IntervalMs    int64 `json:"intervalMs"`
			MaxDataPoints int64 `json:"maxDataPoints"`
		}
		if err := json.Unmarshal(q.Model, &model); err != nil {
			return nil, nil, fmt.Errorf("rule %s query %s: %w", rule.UID, q.RefID, err)
		}
		if model.IntervalMs <= 0 {
			model.IntervalMs = alertDefaultIntervalMs
		}
		if model.MaxDataPoints <= 0 {
			model.MaxDataPoints = alertDefaultMaxDataPoints
		}
		queries = append(queries, backend.DataQuery{
			RefID:         q.RefID,
			JSON:          q.Model,
			Interval:      time.Duration(model.IntervalMs) * time.Millisecond,
			MaxDataPoints: model.MaxDataPoints,
			TimeRange: backend.TimeRange{
				From: evalTime.Add(-time.Duration(q.RelativeTimeRange.From) * time.Second),
				To:   evalTime.Add(-time.Duration(q.RelativeTimeRange.To) * time.Second),
			},
		})
	}
	return queries, skipped, nil
}

// evaluationTime is the first tick of the rule group's schedule at or after t: alerting
// evaluates a group every interval, on multiples of it.
func evaluationTime(t *testing.T, group alertGroup, after time.Time) time.Time {
	t.Helper()
	interval, err := time.ParseDuration(group.Interval)
	if err != nil || interval <= 0 {
		t.Fatalf("group %s: interval %q: %v", group.Name, group.Interval, err)
	}
	tick := after.Truncate(interval)
	if tick.Before(after) {
		tick = tick.Add(interval)
	}
	return tick
}
