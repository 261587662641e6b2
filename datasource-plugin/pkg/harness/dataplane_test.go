package harness

import (
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// The data plane contract for the "timeseries-multi" frame type
// (https://grafana.com/developers/dataplane/timeseries), the format DESIGN.md promises and
// Grafana alerting reads. The SDK declares the type but checks nothing, so this does, as
// strictly as PacketFlux promises:
//
//   - every frame says Meta.Type timeseries-multi, version 0.1 (the only version there is);
//   - a frame holds exactly one time field and one value field, and nothing else (the contract
//     would treat more fields as "remainder data", which PacketFlux never sends);
//   - the time field has no labels and no nulls and is sorted ascending; PacketFlux series have
//     one value per bucket, so here strictly ascending;
//   - the value field is float64 or *float64 (nulls are gaps), carries the series' labels, and a
//     unit in its config, so panels need no axis setup;
//   - no two value fields of one response share a label set: alerting makes one alert instance
//     per label set, and Grafana refuses a response with duplicates;
//   - no data is one typed frame with no fields, never such a frame next to data; a typed frame
//     with both fields and no rows is also valid.
//
// "One response" is one query's DataResponse (one refId): each refId is its own data set, and
// a panel may well show two queries of the same series (sent and received of one host).

// checkTimeSeriesMulti returns each way a successful response breaks the contract; nil when it
// holds.
func checkTimeSeriesMulti(res backend.DataResponse) []string {
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if res.Error != nil {
		return []string{fmt.Sprintf("the response is an error (%v), not data", res.Error)}
	}
	if len(res.Frames) == 0 {
		return []string{"no frames: an empty answer is one typed frame with no fields"}
	}
	seen := map[string]string{} // label set -> the frame that has it
	for i, f := range res.Frames {
		what := fmt.Sprintf("frame %d %q", i, f.Name)
		if f.Meta == nil || f.Meta.Type != data.FrameTypeTimeSeriesMulti {
			var got data.FrameType
			if f.Meta != nil {
				got = f.Meta.Type
			}
			report("%s: Meta.Type %q, want %q", what, got, data.FrameTypeTimeSeriesMulti)
		} else if f.Meta.TypeVersion != (data.FrameTypeVersion{0, 1}) {
			report("%s: Meta.TypeVersion %v, want 0.1", what, f.Meta.TypeVersion)
		}
		if len(f.Fields) == 0 {
			if len(res.Frames) > 1 {
				report("%s: a no-data frame (no fields) next to %d other frames", what, len(res.Frames)-1)
			}
			continue
		}
		if _, err := f.RowLen(); err != nil {
			report("%s: %v", what, err)
			continue
		}

		var timeFields, valueFields []*data.Field
		for _, field := range f.Fields {
			switch field.Type() {
			case data.FieldTypeTime, data.FieldTypeNullableTime:
				timeFields = append(timeFields, field)
			case data.FieldTypeFloat64, data.FieldTypeNullableFloat64:
				valueFields = append(valueFields, field)
			default:
				report("%s: field %q is %s; a timeseries-multi frame holds a time and a float64 value field only", what, field.Name, field.Type())
			}
		}
		if len(timeFields) != 1 {
			report("%s: %d time fields, want exactly 1", what, len(timeFields))
		}
		if len(valueFields) != 1 {
			report("%s: %d float64 value fields, want exactly 1", what, len(valueFields))
		}
		if len(timeFields) == 1 {
			problems = append(problems, checkTimeField(what, timeFields[0])...)
		}
		if len(valueFields) == 1 {
			v := valueFields[0]
			if v.Config == nil || v.Config.Unit == "" {
				report("%s: value field %q has no unit in its config", what, v.Name)
			}
			key := v.Labels.String()
			if other, dup := seen[key]; dup {
				report("%s: label set {%s} already belongs to %s", what, key, other)
			} else {
				seen[key] = what
			}
		}
	}
	return problems
}

// checkTimeField: no labels, no nulls, strictly ascending.
func checkTimeField(what string, f *data.Field) []string {
	var problems []string
	if len(f.Labels) > 0 {
		problems = append(problems, fmt.Sprintf("%s: time field has labels %v; labels belong on the value field", what, f.Labels))
	}
	var prev time.Time
	for i := 0; i < f.Len(); i++ {
		var ts time.Time
		switch v := f.At(i).(type) {
		case time.Time:
			ts = v
		case *time.Time:
			if v == nil {
				return append(problems, fmt.Sprintf("%s: time field is null at row %d", what, i))
			}
			ts = *v
		}
		if i > 0 && !ts.After(prev) {
			return append(problems, fmt.Sprintf("%s: time %s at row %d does not follow %s", what, ts.Format(time.RFC3339Nano), i, prev.Format(time.RFC3339Nano)))
		}
		prev = ts
	}
	return problems
}

// checkErrorResponse returns how a failed query's answer falls short of what Grafana shows a
// user or an alert rule: an error with a message and an HTTP-like status, in the response.
func checkErrorResponse(res backend.DataResponse) []string {
	var problems []string
	if res.Error == nil {
		return []string{"the response carries no error"}
	}
	if res.Error.Error() == "" {
		problems = append(problems, "the error has no message")
	}
	if res.Status < 400 || res.Status > 599 {
		problems = append(problems, fmt.Sprintf("status %d is not an error status", res.Status))
	}
	return problems
}

// hasData tells whether a response holds at least one non-null value.
func hasData(res backend.DataResponse) bool {
	for _, f := range res.Frames {
		if field := valueField(f); field != nil {
			for i := 0; i < field.Len(); i++ {
				if _, ok := field.ConcreteAt(i); ok {
					return true
				}
			}
		}
	}
	return false
}

// valueField is a frame's first float64 field, nil when it has none.
func valueField(f *data.Frame) *data.Field {
	for _, field := range f.Fields {
		if field.Type() == data.FieldTypeFloat64 || field.Type() == data.FieldTypeNullableFloat64 {
			return field
		}
	}
	return nil
}
