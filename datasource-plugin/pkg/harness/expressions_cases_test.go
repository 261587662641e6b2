package harness

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func TestReduceModesAndReducers(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	// 4, gap, 1, NaN, 7, +Inf
	s := series{labels: data.Labels{"host": "a"}, values: []*float64{ptr(4), nil, ptr(1), &nan, ptr(7), &inf}}
	for _, tc := range []struct {
		reducer, mode string
		replace       float64
		want          float64
	}{
		{"mean", "dropNN", 0, 4},
		{"max", "dropNN", 0, 7},
		{"min", "dropNN", 0, 1},
		{"last", "dropNN", 0, 7},
		{"sum", "dropNN", 0, 12},
		{"count", "dropNN", 0, 3},
		{"max", "replaceNN", 100, 100},
		{"mean", "replaceNN", 0, 2},
		{"count", "replaceNN", 0, 6},
		{"mean", "", 0, nan},
		{"max", "strict", 0, nan},
		{"count", "", 0, 6},
	} {
		got, err := reduceSeries([]series{s}, tc.reducer, tc.mode, tc.replace)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.reducer, tc.mode, err)
		}
		if len(got) != 1 || !got[0].labels.Equals(s.labels) || !sameFloat(got[0].value, tc.want) {
			t.Errorf("reduce %s mode %q: %+v, want %v with the series' labels", tc.reducer, tc.mode, got, tc.want)
		}
	}

	empty := []series{{labels: data.Labels{"host": "b"}}}
	for reducer, want := range map[string]float64{"mean": nan, "last": nan, "max": nan, "sum": 0, "count": 0} {
		got, _ := reduceSeries(empty, reducer, "dropNN", 0)
		if !sameFloat(got[0].value, want) {
			t.Errorf("reduce %s of an empty series: %v, want %v", reducer, got[0].value, want)
		}
	}
	if _, err := reduceSeries([]series{s}, "median", "dropNN", 0); err == nil {
		t.Error("an unmodelled reducer must fail, not guess")
	}
	if _, err := reduceSeries([]series{s}, "mean", "dropAll", 0); err == nil {
		t.Error("an unmodelled mode must fail, not guess")
	}
}

func TestThresholdEvaluators(t *testing.T) {
	in := []number{{value: 1}, {value: 5}, {value: 10}}
	for _, tc := range []struct {
		evaluator string
		params    []float64
		want      []float64
	}{
		{"gt", []float64{5}, []float64{0, 0, 1}},
		{"lt", []float64{5}, []float64{1, 0, 0}},
		{"within_range", []float64{1, 10}, []float64{0, 1, 0}},
		{"within_range_included", []float64{1, 10}, []float64{1, 1, 1}},
		{"outside_range", []float64{1, 10}, []float64{0, 0, 0}},
		{"outside_range_included", []float64{1, 10}, []float64{1, 0, 1}},
	} {
		got, err := thresholdNumbers(in, tc.evaluator, tc.params)
		if err != nil {
			t.Fatalf("%s: %v", tc.evaluator, err)
		}
		for i := range in {
			if got[i].value != tc.want[i] {
				t.Errorf("%s %v of %v: %v, want %v", tc.evaluator, tc.params, in[i].value, got[i].value, tc.want[i])
			}
		}
	}
	if _, err := thresholdNumbers(in, "within_range", []float64{1}); err == nil {
		t.Error("a range needs two bounds")
	}
	if _, err := thresholdNumbers([]number{{value: math.NaN()}}, "gt", []float64{0}); err == nil {
		t.Error("NaN at a threshold is not modelled and must fail")
	}
}

// testRule is the shape of the provisioned rules: A (data source), B reduce, C threshold.
func testRule(reducer, mode, evaluator string, param float64) alertRule {
	expr := func(refID string, model map[string]any) alertQuery {
		model["refId"] = refID
		raw, _ := json.Marshal(model)
		return alertQuery{RefID: refID, DatasourceUID: expressionDatasourceUID, Model: raw}
	}
	return alertRule{
		UID: "test", Condition: "C", NoDataState: "OK", ExecErrState: "Error",
		Data: []alertQuery{
			{RefID: "A", DatasourceUID: "packetflux", Model: json.RawMessage(`{"refId":"A"}`)},
			expr("B", map[string]any{"type": "reduce", "expression": "A", "reducer": reducer, "settings": map[string]any{"mode": mode}}),
			expr("C", map[string]any{"type": "threshold", "expression": "B", "conditions": []any{
				map[string]any{"evaluator": map[string]any{"type": evaluator, "params": []float64{param}}},
			}}),
		},
	}
}

func TestEvaluateRuleGivesOneInstancePerLabelSet(t *testing.T) {
	rule := testRule("mean", "dropNN", "gt", 5)
	a, b := seriesFrame(data.Labels{"host": "a"}), seriesFrame(data.Labels{"host": "b"})
	b.Fields[1] = data.NewField("Value", data.Labels{"host": "b"}, []*float64{ptr(10), nil, ptr(20)})
	eval, err := evaluateRule(rule, backend.Responses{"A": {Frames: data.Frames{a, b}}})
	if err != nil {
		t.Fatal(err)
	}
	if eval.noData || eval.queryErr != nil || len(eval.instances) != 2 {
		t.Fatalf("want two instances, got %+v", eval)
	}
	for _, inst := range eval.instances {
		wantFiring, wantB := inst.labels["host"] == "b", map[string]float64{"a": 2, "b": 15}[inst.labels["host"]]
		if inst.firing != wantFiring || inst.values["B"] != wantB || inst.values["C"] != map[bool]float64{true: 1, false: 0}[wantFiring] {
			t.Errorf("instance %v: firing %v values %v; want firing %v, B %v", inst.labels, inst.firing, inst.values, wantFiring, wantB)
		}
	}

	eval, err = evaluateRule(rule, backend.Responses{"A": {Frames: data.Frames{noDataFrame()}}})
	if err != nil || !eval.noData || eval.outcome(rule) != "OK" {
		t.Errorf("an empty typed frame is no data, mapped by noDataState: %+v %v", eval, err)
	}
	eval, err = evaluateRule(rule, backend.Responses{"A": backend.ErrDataResponse(backend.StatusBadRequest, "unknown protocol")})
	if err != nil || eval.queryErr == nil || eval.outcome(rule) != "Error" {
		t.Errorf("a query error is mapped by execErrState: %+v %v", eval, err)
	}
	if _, err := evaluateRule(rule, backend.Responses{}); err == nil {
		t.Error("a missing answer must fail the evaluation")
	}
}

func sameFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}
