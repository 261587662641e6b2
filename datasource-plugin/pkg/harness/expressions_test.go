package harness

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Grafana alerting evaluates a rule's queries, then its server-side expressions, then reads the
// condition: one alert instance per label set. The provisioned rules use two expressions,
// implemented here from their documented behaviour
// (https://grafana.com/docs/grafana/latest/panels-visualizations/query-transform-data/expression-queries/):
//
//   - reduce turns each series into one number with a reducer (last, mean, min, max, sum,
//     count) after its mode has dealt with non-numbers (null, NaN, ±Inf): strict (the default)
//     lets any of them make the result NaN, dropNN drops them, replaceNN replaces them;
//   - threshold turns each number into 1 when the condition holds, else 0: gt, lt, within_range
//     and outside_range (bounds excluded), within_range_included and outside_range_included.
//
// A condition value other than 0 means the instance is alerting (pending first, for the rule's
// `for` duration). What Grafana does with NaN reaching a threshold is not modelled: the
// evaluation fails instead, which no test with real traffic should meet.

// series is one value field of a query's frames, with its labels.
type series struct {
	labels data.Labels
	values []*float64
}

// number is one reduced value with the labels of its series.
type number struct {
	labels data.Labels
	value  float64
}

// seriesOf reads the series of a valid timeseries-multi response; a frame without fields (the
// no-data frame) gives none.
func seriesOf(frames data.Frames) []series {
	var out []series
	for _, f := range frames {
		field := valueField(f)
		if field == nil {
			continue
		}
		s := series{labels: field.Labels}
		for i := 0; i < field.Len(); i++ {
			if v, ok := field.ConcreteAt(i); ok {
				x := v.(float64)
				s.values = append(s.values, &x)
			} else {
				s.values = append(s.values, nil)
			}
		}
		out = append(out, s)
	}
	return out
}

func numeric(v *float64) bool {
	return v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0)
}

// reduceSeries is the reduce expression.
func reduceSeries(in []series, reducer, mode string, replaceWith float64) ([]number, error) {
	out := make([]number, 0, len(in))
	for _, s := range in {
		values := make([]float64, 0, len(s.values))
		strictNaN := false
		for _, v := range s.values {
			switch {
			case numeric(v):
				values = append(values, *v)
			case mode == "dropNN":
			case mode == "replaceNN":
				values = append(values, replaceWith)
			case mode == "" || mode == "strict":
				strictNaN = true
			default:
				return nil, fmt.Errorf("reduce mode %q is not modelled", mode)
			}
		}
		value, err := reduceValues(values, reducer)
		if err != nil {
			return nil, err
		}
		if strictNaN {
			value = math.NaN()
			if reducer == "count" {
				value = float64(len(s.values)) // count counts points, numbers or not
			}
		}
		out = append(out, number{labels: s.labels, value: value})
	}
	return out, nil
}

// reduceValues applies a reducer; an empty input gives NaN, except count and sum (0).
func reduceValues(values []float64, reducer string) (float64, error) {
	switch reducer {
	case "count":
		return float64(len(values)), nil
	case "sum":
		sum := 0.0
		for _, v := range values {
			sum += v
		}
		return sum, nil
	}
	if len(values) == 0 {
		switch reducer {
		case "last", "mean", "min", "max":
			return math.NaN(), nil
		}
	}
	switch reducer {
	case "last":
		return values[len(values)-1], nil
	case "mean":
		sum := 0.0
		for _, v := range values {
			sum += v
		}
		return sum / float64(len(values)), nil
	case "min":
		return slices.Min(values), nil
	case "max":
		return slices.Max(values), nil
	}
	return 0, fmt.Errorf("reducer %q is not modelled", reducer)
}

// thresholdNumbers is the threshold expression.
func thresholdNumbers(in []number, evaluator string, params []float64) ([]number, error) {
	need := 1
	if evaluator != "gt" && evaluator != "lt" {
		need = 2
	}
	if len(params) < need {
		return nil, fmt.Errorf("threshold %s needs %d parameters, has %v", evaluator, need, params)
	}
	out := make([]number, 0, len(in))
	for _, n := range in {
		if math.IsNaN(n.value) {
			return nil, fmt.Errorf("NaN for %v reached threshold %s: not modelled", n.labels, evaluator)
		}
		v := n.value
		var holds bool
		switch evaluator {
		case "gt":
			holds = v > params[0]
		case "lt":
			holds = v < params[0]
		case "within_range":
			holds = v > params[0] && v < params[1]
		case "outside_range":
			holds = v < params[0] || v > params[1]
		case "within_range_included":
			holds = v >= params[0] && v <= params[1]
		case "outside_range_included":
			holds = v <= params[0] || v >= params[1]
		default:
			return nil, fmt.Errorf("threshold type %q is not modelled", evaluator)
		}
		result := 0.0
		if holds {
			result = 1
		}
		out = append(out, number{labels: n.labels, value: result})
	}
	return out, nil
}

// expressionModel is the model of a __expr__ query in a rule.
type expressionModel struct {
	Type       string `json:"type"`
	Expression string `json:"expression"`
	Reducer    string `json:"reducer"`
	Settings   struct {
		Mode             string  `json:"mode"`
		ReplaceWithValue float64 `json:"replaceWithValue"`
	} `json:"settings"`
	Conditions []struct {
		Evaluator struct {
			Type   string    `json:"type"`
			Params []float64 `json:"params"`
		} `json:"evaluator"`
	} `json:"conditions"`
}

// alertInstance is one label set of a rule's condition.
type alertInstance struct {
	labels data.Labels
	firing bool
	// values are each expression's number for this label set, by refId (B, C), as Grafana
	// offers them to annotations as $values.
	values map[string]float64
}

// ruleEvaluation is the outcome of one evaluation of a rule.
type ruleEvaluation struct {
	// queryErr is set when a data source query failed: the rule's execErrState decides.
	queryErr error
	// noData is set when no query returned a series with a row: the rule's noDataState decides.
	noData    bool
	instances []alertInstance
}

// evaluateRule runs a rule's expressions, in the order the rule lists them, over the answers of
// its data source queries.
func evaluateRule(rule alertRule, responses backend.Responses) (ruleEvaluation, error) {
	seriesBy := map[string][]series{}
	numbersBy := map[string][]number{}
	rows := 0
	for _, q := range rule.Data {
		if q.DatasourceUID == expressionDatasourceUID {
			continue
		}
		res, ok := responses[q.RefID]
		if !ok {
			return ruleEvaluation{}, fmt.Errorf("rule %s: no answer for query %s", rule.UID, q.RefID)
		}
		if res.Error != nil {
			return ruleEvaluation{queryErr: fmt.Errorf("query %s: %w", q.RefID, res.Error)}, nil
		}
		seriesBy[q.RefID] = seriesOf(res.Frames)
		for _, s := range seriesBy[q.RefID] {
			rows += len(s.values)
		}
	}
	if rows == 0 {
		return ruleEvaluation{noData: true}, nil
	}

	var order []string
	for _, q := range rule.Data {
		if q.DatasourceUID != expressionDatasourceUID {
			continue
		}
		var m expressionModel
		if err := json.Unmarshal(q.Model, &m); err != nil {
			return ruleEvaluation{}, fmt.Errorf("rule %s expression %s: %w", rule.UID, q.RefID, err)
		}
		var out []number
		var err error
		switch m.Type {
		case "reduce":
			in, ok := seriesBy[m.Expression]
			if !ok {
				return ruleEvaluation{}, fmt.Errorf("rule %s: reduce %s reads %s, which is not a query", rule.UID, q.RefID, m.Expression)
			}
			out, err = reduceSeries(in, m.Reducer, m.Settings.Mode, m.Settings.ReplaceWithValue)
		case "threshold":
			in, ok := numbersBy[m.Expression]
			if !ok || len(m.Conditions) != 1 {
				return ruleEvaluation{}, fmt.Errorf("rule %s: threshold %s needs one condition over a reduced %s", rule.UID, q.RefID, m.Expression)
			}
			out, err = thresholdNumbers(in, m.Conditions[0].Evaluator.Type, m.Conditions[0].Evaluator.Params)
		default:
			return ruleEvaluation{}, fmt.Errorf("rule %s: expression type %q is not modelled", rule.UID, m.Type)
		}
		if err != nil {
			return ruleEvaluation{}, fmt.Errorf("rule %s expression %s: %w", rule.UID, q.RefID, err)
		}
		numbersBy[q.RefID] = out
		order = append(order, q.RefID)
	}

	condition, ok := numbersBy[rule.Condition]
	if !ok {
		return ruleEvaluation{}, fmt.Errorf("rule %s: condition %s is not an expression", rule.UID, rule.Condition)
	}
	var eval ruleEvaluation
	for _, c := range condition {
		inst := alertInstance{labels: c.labels, firing: c.value != 0, values: map[string]float64{}}
		for _, refID := range order {
			for _, n := range numbersBy[refID] {
				if n.labels.Equals(c.labels) {
					inst.values[refID] = n.value
				}
			}
		}
		eval.instances = append(eval.instances, inst)
	}
	return eval, nil
}

// outcome is the rule's state when nothing or an error came back: Grafana maps no data and
// execution errors through the rule's noDataState and execErrState ("Alerting", "OK", "NoData",
// "Error", "KeepLast"). With instances it is "" (each instance has its own state).
func (e ruleEvaluation) outcome(rule alertRule) string {
	switch {
	case e.queryErr != nil:
		return rule.ExecErrState
	case e.noData:
		return rule.NoDataState
	}
	return ""
}
