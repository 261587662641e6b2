package harness

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Uids of the provisioned rules the evaluation test knows what to expect from.
const (
	ruleThroughput = "packetflux-interface-throughput-high"
	ruleStopped    = "packetflux-interface-traffic-stopped"
	ruleProtocol   = "packetflux-protocol-seen"
	ruleHostUpload = "packetflux-host-upload-high"
)

// TestGrafanaAlertEvaluation evaluates the provisioned rules as alerting would, on frames that
// came through gRPC, and checks what they decide against the capture's own byte counts.
func TestGrafanaAlertEvaluation(t *testing.T) {
	cfg, g := newLiveGrafana(t)
	if cfg.bytes <= 0 {
		t.Fatalf("%s is needed to know what the rules should decide", envBytes)
	}
	rules := map[string]alertRule{}
	var group alertGroup
	for _, gr := range loadAlertGroups(t, cfg) {
		for _, r := range gr.Rules {
			rules[r.UID] = r
			if r.UID == ruleThroughput {
				group = gr
			}
		}
	}
	for _, uid := range []string{ruleThroughput, ruleStopped, ruleProtocol, ruleHostUpload} {
		if _, ok := rules[uid]; !ok {
			t.Fatalf("rule %s is not provisioned any more: update this test", uid)
		}
	}
	evalTime := evaluationTime(t, group, cfg.to)

	evaluate := func(rule alertRule, at time.Time) (ruleEvaluation, []series) {
		t.Helper()
		return evaluateThroughPlugin(t, g, rule, at)
	}

	// Throughput: the 5-minute mean of 1-minute buckets. The buckets hold all the capture's
	// bytes, so the mean is bytes × 8 / 60 / (number of buckets), whatever the plugin says.
	t.Run("throughput", func(t *testing.T) {
		rule := rules[ruleThroughput]
		eval, in := evaluate(rule, evalTime)
		inst := single(t, eval, data.Labels{"ifname": cfg.iface})
		buckets := numericPoints(in[0])
		want := cfg.bytes * 8 / 60 / float64(buckets)
		if !closeTo(inst.values["B"], want) {
			t.Errorf("B (mean bps) %v, want %v: %v bytes over %d one-minute buckets", inst.values["B"], want, cfg.bytes, buckets)
		}
		if inst.firing {
			t.Errorf("fires at the provisioned threshold with %v bps", inst.values["B"])
		}
		for _, c := range []struct {
			threshold float64
			firing    bool
		}{{want * 0.9, true}, {want * 1.1, false}} {
			eval, _ := evaluate(withParams(t, rule, "C", c.threshold), evalTime)
			if inst := single(t, eval, data.Labels{"ifname": cfg.iface}); inst.firing != c.firing {
				t.Errorf("threshold %.0f bps with a mean of %.0f: firing %v, want %v", c.threshold, want, inst.firing, c.firing)
			}
		}
		t.Logf("mean %.0f bps over %d buckets: fires at %.0f, not at %.0f or the provisioned threshold", want, buckets, want*0.9, want*1.1)
	})

	// Traffic stopped: quiet while the capture's traffic is in the window, alerting an hour later.
	t.Run("stopped", func(t *testing.T) {
		rule := rules[ruleStopped]
		eval, _ := evaluate(rule, evalTime)
		if inst := single(t, eval, data.Labels{"ifname": cfg.iface}); inst.firing {
			t.Errorf("fires with traffic in the window: max %v", inst.values["B"])
		}
		later, _ := evaluate(rule, evalTime.Add(time.Hour))
		state := later.outcome(rule)
		if state == "" {
			if inst := single(t, later, data.Labels{"ifname": cfg.iface}); inst.firing {
				state = "Alerting"
			}
		}
		if state != "Alerting" {
			t.Errorf("an hour after the traffic: %q, want Alerting (%+v)", state, later)
		}
		t.Logf("an hour after the traffic the rule alerts (no data: %v)", later.noData)
	})
}

// evaluateThroughPlugin sends the rule's one PacketFlux query as alerting does, checks a
// successful answer against the data plane contract and runs the rule's expressions over it.
func evaluateThroughPlugin(t *testing.T, g *grafana, rule alertRule, at time.Time) (ruleEvaluation, []series) {
	t.Helper()
	queries, skipped, err := alertQueries(rule, g.settings.UID, at)
	if err != nil || len(skipped) > 0 || len(queries) != 1 {
		t.Fatalf("rule %s: want one PacketFlux query, got %d (skipped %v, %v)", rule.UID, len(queries), skipped, err)
	}
	resp := g.queryData(t, nil, map[string]string{fromAlertHeader: "true"}, queries...)
	res := resp.Responses[queries[0].RefID]
	if res.Error == nil {
		if p := checkTimeSeriesMulti(res); len(p) > 0 {
			t.Fatalf("rule %s: %v", rule.UID, p)
		}
	}
	eval, err := evaluateRule(rule, resp.Responses)
	if err != nil {
		t.Fatal(err)
	}
	return eval, seriesOf(res.Frames)
}

// findRule returns a provisioned rule and its group.
func findRule(t *testing.T, groups []alertGroup, uid string) (alertRule, alertGroup) {
	t.Helper()
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.UID == uid {
				return r, g
			}
		}
	}
	t.Fatalf("rule %s is not provisioned any more: update this test", uid)
	return alertRule{}, alertGroup{}
}

// TestGrafanaProtocolAlert evaluates the provisioned "protocol seen" rule, rendered with its
// default protocol, for each interface the jest side replayed and rendered it for: it fires,
// labelled with the protocol, on the interface whose capture ndpiReader labels with that
// protocol, and stays quiet on the others.
func TestGrafanaProtocolAlert(t *testing.T) {
	cfg, g := newLiveGrafana(t)
	seen, unseen := 0, 0
	for _, c := range cfg.protocolAlerts {
		if c.Seen {
			seen++
		} else {
			unseen++
		}
	}
	if seen == 0 || unseen == 0 {
		t.Fatalf("%s must list an interface with the protocol and one without: %+v", envProtocolAlerts, cfg.protocolAlerts)
	}
	for _, c := range cfg.protocolAlerts {
		t.Run(c.Interface, func(t *testing.T) {
			var files []alertRuleFile
			readJSONFile(t, c.Rules, &files)
			var groups []alertGroup
			for _, f := range files {
				groups = append(groups, f.Groups...)
			}
			rule, group := findRule(t, groups, ruleProtocol)
			// The rendered metric is the default protocol on this interface.
			var model struct {
				Target string `json:"target"`
			}
			if err := json.Unmarshal(rule.Data[0].Model, &model); err != nil {
				t.Fatal(err)
			}
			if want := "interface_" + c.Interface + "_protocol_" + c.Protocol + "_bps"; model.Target != want {
				t.Fatalf("rendered target %q, want %q", model.Target, want)
			}
			at := evaluationTime(t, group, c.To)
			eval, _ := evaluateThroughPlugin(t, g, rule, at)
			if c.Seen {
				inst := single(t, eval, data.Labels{"ifname": c.Interface, "proto": c.Protocol})
				if !inst.firing || !(inst.values["B"] > 0) {
					t.Errorf("%s on %s: firing %v, max %v bps; want it to fire", c.Protocol, c.Interface, inst.firing, inst.values["B"])
				}
				t.Logf("%s on %s fires: max %.0f bps", c.Protocol, c.Interface, inst.values["B"])
				return
			}
			// Without the protocol the API does not know the metric: a query error, which the
			// rule's execErrState maps to OK. Instances, had there been any, must not fire.
			for _, inst := range eval.instances {
				if inst.firing {
					t.Errorf("%s without %s in its capture: instance %v fires", c.Interface, c.Protocol, inst.labels)
				}
			}
			if state := eval.outcome(rule); state == "Alerting" || state == "Error" {
				t.Errorf("%s without %s in its capture: state %s (%+v)", c.Interface, c.Protocol, state, eval)
			}
			t.Logf("%s on %s is quiet: query error %v → %q", c.Protocol, c.Interface, eval.queryErr, eval.outcome(rule))
		})
	}
}

// single returns the rule's one instance and checks it carries the labels.
func single(t *testing.T, eval ruleEvaluation, labels data.Labels) alertInstance {
	t.Helper()
	if eval.queryErr != nil || eval.noData || len(eval.instances) != 1 {
		t.Fatalf("want one alert instance, got %+v", eval)
	}
	inst := eval.instances[0]
	if !inst.labels.Contains(labels) {
		t.Errorf("instance labels %v lack %v", inst.labels, labels)
	}
	return inst
}

// numericPoints counts a series' points that are numbers: the buckets a dropNN mean divides by.
func numericPoints(s series) int {
	n := 0
	for _, v := range s.values {
		if numeric(v) {
			n++
		}
	}
	return n
}

func closeTo(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

// editModel returns a copy of the rule with one query's model changed by edit.
func editModel(t *testing.T, rule alertRule, refID string, edit func(m map[string]any)) alertRule {
	t.Helper()
	out := rule
	out.Data = slices.Clone(rule.Data)
	for i, q := range out.Data {
		if q.RefID != refID {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(q.Model, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out.Data[i].Model = raw
		return out
	}
	t.Fatalf("rule %s has no query %s", rule.UID, refID)
	return out
}

// withParams sets a threshold expression's parameters.
func withParams(t *testing.T, rule alertRule, refID string, params ...float64) alertRule {
	return editModel(t, rule, refID, func(m map[string]any) {
		conditions, _ := m["conditions"].([]any)
		if len(conditions) != 1 {
			t.Fatalf("rule %s %s: want one condition", rule.UID, refID)
		}
		conditions[0].(map[string]any)["evaluator"].(map[string]any)["params"] = params
	})
}
