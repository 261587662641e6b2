package harness

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// The validator is only worth what it catches: each case below breaks one rule and must be
// reported, and the valid shapes must pass, also after the Arrow round trip they make over gRPC.

var t0 = time.Date(2026, 11, 23, 8, 8, 0, 0, time.UTC)

func times(n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = t0.Add(time.Duration(i) * 5 * time.Second)
	}
	return out
}

func ptr(v float64) *float64 { return &v }

// seriesFrame is a valid timeseries-multi frame: 3 points, the middle one a gap.
func seriesFrame(labels data.Labels) *data.Frame {
	value := data.NewField(data.TimeSeriesValueFieldName, labels, []*float64{ptr(1), nil, ptr(3)})
	value.Config = &data.FieldConfig{Unit: "bps"}
	f := data.NewFrame("s", data.NewField(data.TimeSeriesTimeFieldName, nil, times(3)), value)
	f.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
	return f
}

func noDataFrame() *data.Frame {
	f := data.NewFrame("")
	f.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
	return f
}

func TestTimeSeriesMultiValidatorAcceptsValidShapes(t *testing.T) {
	plain := seriesFrame(data.Labels{"ifname": "eth0"})
	plain.Fields[1] = data.NewField("Value", data.Labels{"ifname": "eth0"}, []float64{1, 2, 3})
	plain.Fields[1].Config = &data.FieldConfig{Unit: "bps"}
	noRows := seriesFrame(data.Labels{"ifname": "eth0"})
	noRows.Fields[0] = data.NewField("Time", nil, []time.Time{})
	noRows.Fields[1] = data.NewField("Value", nil, []*float64{})
	noRows.Fields[1].Config = &data.FieldConfig{Unit: "bps"}

	for name, frames := range map[string]data.Frames{
		"two series with gaps":         {seriesFrame(data.Labels{"host": "a"}), seriesFrame(data.Labels{"host": "b"})},
		"one series without labels":    {seriesFrame(nil)},
		"non-nullable values":          {plain},
		"no data: one frame, no field": {noDataFrame()},
		"a typed frame with no rows":   {noRows},
	} {
		res := backend.DataResponse{Frames: frames}
		if problems := checkTimeSeriesMulti(res); len(problems) > 0 {
			t.Errorf("%s: %v", name, problems)
		}
		if problems := checkTimeSeriesMulti(overTheWire(t, res)); len(problems) > 0 {
			t.Errorf("%s, after the Arrow round trip: %v", name, problems)
		}
	}
}

func TestTimeSeriesMultiValidatorReportsEachViolation(t *testing.T) {
	cases := map[string]struct {
		frames func() data.Frames
		want   string
	}{
		"no frames": {func() data.Frames { return nil }, "no frames"},
		"no type": {func() data.Frames {
			f := seriesFrame(nil)
			f.Meta = nil
			return data.Frames{f}
		}, "Meta.Type"},
		"wide type": {func() data.Frames {
			f := seriesFrame(nil)
			f.Meta.Type = data.FrameTypeTimeSeriesWide
			return data.Frames{f}
		}, "Meta.Type"},
		"no type version": {func() data.Frames {
			f := seriesFrame(nil)
			f.Meta.TypeVersion = data.FrameTypeVersion{}
			return data.Frames{f}
		}, "TypeVersion"},
		"two value fields": {func() data.Frames {
			f := seriesFrame(nil)
			f.Fields = append(f.Fields, data.NewField("Other", nil, []float64{1, 2, 3}))
			return data.Frames{f}
		}, "2 float64 value fields"},
		"a string field": {func() data.Frames {
			f := seriesFrame(nil)
			f.Fields = append(f.Fields, data.NewField("host", nil, []string{"a", "b", "c"}))
			return data.Frames{f}
		}, `field "host" is []string`},
		"int64 values": {func() data.Frames {
			f := seriesFrame(nil)
			f.Fields[1] = data.NewField("Value", nil, []int64{1, 2, 3})
			return data.Frames{f}
		}, "0 float64 value fields"},
		"no time field": {func() data.Frames {
			f := seriesFrame(nil)
			f.Fields = f.Fields[1:]
			return data.Frames{f}
		}, "0 time fields"},
		"two time fields": {func() data.Frames {
			f := seriesFrame(nil)
			f.Fields = append(f.Fields, data.NewField("End", nil, times(3)))
			return data.Frames{f}
		}, "2 time fields"},
		"unsorted time": {func() data.Frames {
			f := seriesFrame(nil)
			f.Fields[0].Set(0, t0.Add(time.Hour))
			return data.Frames{f}
		}, "does not follow"},
		"a timestamp twice": {func() data.Frames {
			f := seriesFrame(nil)
			f.Fields[0].Set(1, t0)
			return data.Frames{f}
		}, "does not follow"},
		"a null time": {func() data.Frames {
			f := seriesFrame(nil)
			ts := times(3)
			f.Fields[0] = data.NewField("Time", nil, []*time.Time{&ts[0], nil, &ts[2]})
			return data.Frames{f}
		}, "null at row 1"},
		"labels on the time field": {func() data.Frames {
			f := seriesFrame(nil)
			f.Fields[0].Labels = data.Labels{"ifname": "eth0"}
			return data.Frames{f}
		}, "time field has labels"},
		"a label set twice": {func() data.Frames {
			a, b := seriesFrame(data.Labels{"host": "a"}), seriesFrame(data.Labels{"host": "a"})
			b.Name = "other name, same labels"
			return data.Frames{a, b}
		}, "already belongs"},
		"two unlabelled series": {func() data.Frames {
			return data.Frames{seriesFrame(nil), seriesFrame(nil)}
		}, "already belongs"},
		"no unit": {func() data.Frames {
			f := seriesFrame(nil)
			f.Fields[1].Config = nil
			return data.Frames{f}
		}, "no unit"},
		"no-data frame next to data": {func() data.Frames {
			return data.Frames{seriesFrame(nil), noDataFrame()}
		}, "no-data frame"},
		"fields of different lengths": {func() data.Frames {
			f := seriesFrame(nil)
			f.Fields[1] = data.NewField("Value", nil, []*float64{ptr(1)})
			f.Fields[1].Config = &data.FieldConfig{Unit: "bps"}
			return data.Frames{f}
		}, "frame 0"},
	}
	for name, tc := range cases {
		problems := checkTimeSeriesMulti(backend.DataResponse{Frames: tc.frames()})
		if !containsProblem(problems, tc.want) {
			t.Errorf("%s: want a problem about %q, got %v", name, tc.want, problems)
		}
	}
	if problems := checkTimeSeriesMulti(backend.ErrDataResponse(backend.StatusBadRequest, "bad")); !containsProblem(problems, "is an error") {
		t.Errorf("an error response is not data: %v", problems)
	}
}

func TestErrorResponseCheck(t *testing.T) {
	if p := checkErrorResponse(backend.ErrDataResponse(backend.StatusBadRequest, "unknown interface")); len(p) > 0 {
		t.Errorf("a 400 with a message is a proper error: %v", p)
	}
	if p := checkErrorResponse(backend.DataResponse{Error: errors.New("boom")}); !containsProblem(p, "status 0") {
		t.Errorf("an error without a status should be reported: %v", p)
	}
	if p := checkErrorResponse(backend.DataResponse{Frames: data.Frames{seriesFrame(nil)}}); !containsProblem(p, "no error") {
		t.Errorf("data is not an error: %v", p)
	}
	res := overTheWire(t, backend.ErrDataResponse(backend.StatusBadGateway, "API down"))
	if p := checkErrorResponse(res); len(p) > 0 || res.Error.Error() != "API down" {
		t.Errorf("the error should survive the wire with its status and message: %v %v", p, res.Error)
	}
}

func TestHasData(t *testing.T) {
	if !hasData(backend.DataResponse{Frames: data.Frames{seriesFrame(nil)}}) {
		t.Error("a series with values has data")
	}
	gaps := seriesFrame(nil)
	gaps.Fields[1] = data.NewField("Value", nil, []*float64{nil, nil, nil})
	if hasData(backend.DataResponse{Frames: data.Frames{gaps, noDataFrame()}}) {
		t.Error("only gaps and an empty frame are no data")
	}
}

func containsProblem(problems []string, want string) bool {
	for _, p := range problems {
		if strings.Contains(p, want) {
			return true
		}
	}
	return false
}

// overTheWire sends a response the way the plugin's answers reach Grafana: into protobuf with
// Arrow-encoded frames, and back.
func overTheWire(t *testing.T, res backend.DataResponse) backend.DataResponse {
	t.Helper()
	in := &backend.QueryDataResponse{Responses: backend.Responses{"A": res}}
	p, err := backend.ToProto().QueryDataResponse(backend.DataFrameFormat_ARROW, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := backend.FromProto().QueryDataResponse(p)
	if err != nil {
		t.Fatal(err)
	}
	return out.Responses["A"]
}
