package harness

import (
	"fmt"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// TestGrafanaDashboardTargets sends every PacketFlux target of every provisioned dashboard
// through gRPC, one QueryData per panel as the browser does, over the replayed data with the
// dashboard variables set to the replayed interface, host and protocol. Each answer must hold to
// the data plane contract, carry data, and the unit the panel displays.
func TestGrafanaDashboardTargets(t *testing.T) {
	cfg, g := newLiveGrafana(t)
	var dashboards []dashboardFile
	readJSONFile(t, cfg.dashboardsFile, &dashboards)
	if len(dashboards) == 0 {
		t.Fatalf("%s lists no dashboards", cfg.dashboardsFile)
	}
	tr := backend.TimeRange{From: cfg.from, To: cfg.to}

	sent, skipped, panels := 0, 0, 0
	for _, d := range dashboards {
		vars, unresolved := resolveVariables(t, cfg, d.Dashboard, g)
		if len(unresolved) > 0 {
			t.Logf("%s: variables %v belong to another data source; PacketFlux targets must not use them", d.Dashboard.UID, unresolved)
		}
		for _, p := range allPanels(d.Dashboard.Panels) {
			queries, other, err := panelQueries(p, g.settings, vars, tr)
			if err != nil {
				t.Errorf("%s: %v", d.Dashboard.UID, err)
				continue
			}
			for _, s := range other {
				t.Logf("skipped %s / %q / %s: not the plugin's", d.Dashboard.UID, p.Title, s)
			}
			skipped += len(other)
			if len(queries) == 0 {
				continue
			}
			panels++
			resp := g.queryData(t, viewer, nil, queries...)
			for _, q := range queries {
				what := fmt.Sprintf("%s / %q / %s", d.Dashboard.UID, p.Title, q.RefID)
				checkDataAnswer(t, what, q.RefID, resp.Responses[q.RefID], p.FieldConfig.Defaults.Unit)
				sent++
			}
		}
	}
	t.Logf("dashboard targets: %d through the plugin in %d panel requests, all valid timeseries-multi with data; %d of other data sources skipped", sent, panels, skipped)
	if sent == 0 {
		t.Fatal("no dashboard target went to the plugin")
	}
}

// TestGrafanaAlertRuleQueries sends every PacketFlux query of every rendered alert rule as
// Grafana alerting does: the saved model, the relative range made absolute at an evaluation
// tick just after the replayed data, the rule's intervalMs and maxDataPoints, the FromAlert
// header and no user.
func TestGrafanaAlertRuleQueries(t *testing.T) {
	cfg, g := newLiveGrafana(t)
	sent, skipped, rules := 0, 0, 0
	for _, group := range loadAlertGroups(t, cfg) {
		evalTime := evaluationTime(t, group, cfg.to)
		for _, rule := range group.Rules {
			rules++
			queries, other, err := alertQueries(rule, g.settings.UID, evalTime)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			for _, s := range other {
				t.Logf("skipped rule %s query %s: not the plugin's", rule.UID, s)
			}
			skipped += len(other)
			if len(queries) == 0 {
				continue
			}
			for _, q := range queries {
				if q.TimeRange.From.After(cfg.from) || q.TimeRange.To.Before(cfg.to) {
					t.Fatalf("rule %s query %s reads %s..%s, which does not cover the replayed data %s..%s", rule.UID, q.RefID, q.TimeRange.From, q.TimeRange.To, cfg.from, cfg.to)
				}
			}
			resp := g.queryData(t, nil, map[string]string{fromAlertHeader: "true"}, queries...)
			for _, q := range queries {
				what := fmt.Sprintf("rule %s query %s (interval %s, maxDataPoints %d, %s..%s)", rule.UID, q.RefID, q.Interval, q.MaxDataPoints, q.TimeRange.From.Format("15:04:05"), q.TimeRange.To.Format("15:04:05"))
				checkDataAnswer(t, what, q.RefID, resp.Responses[q.RefID], "")
				sent++
			}
		}
	}
	t.Logf("alert rule queries: %d of %d rules through the plugin with FromAlert, all valid timeseries-multi with data; %d of other data sources skipped", sent, rules, skipped)
	if sent == 0 {
		t.Fatal("no alert rule query went to the plugin")
	}
}

// checkDataAnswer: no error, the contract, data, the frames' refId and, when the panel sets one,
// its unit on every series.
func checkDataAnswer(t *testing.T, what, refID string, res backend.DataResponse, unit string) {
	t.Helper()
	if res.Error != nil {
		t.Errorf("%s: error %d: %v", what, res.Status, res.Error)
		return
	}
	if problems := checkTimeSeriesMulti(res); len(problems) > 0 {
		t.Errorf("%s breaks the timeseries-multi contract:\n  %s", what, strings.Join(problems, "\n  "))
	}
	if !hasData(res) {
		t.Errorf("%s: no data, though the replayed capture has traffic there", what)
	}
	series := 0
	for _, f := range res.Frames {
		if f.RefID != refID {
			t.Errorf("%s: frame %q has refId %q", what, f.Name, f.RefID)
		}
		value := valueField(f)
		if value == nil {
			continue
		}
		series++
		if got := value.Config; unit != "" && (got == nil || got.Unit != unit) {
			t.Errorf("%s: frame %q unit %v, the panel shows %q", what, f.Name, got, unit)
		}
	}
	t.Logf("%s: %d series", what, series)
}

func loadAlertGroups(t *testing.T, cfg liveConfig) []alertGroup {
	t.Helper()
	var files []alertRuleFile
	readJSONFile(t, cfg.alertRulesFile, &files)
	var groups []alertGroup
	for _, f := range files {
		groups = append(groups, f.Groups...)
	}
	if len(groups) == 0 {
		t.Fatalf("%s holds no rule groups", cfg.alertRulesFile)
	}
	return groups
}
