package plugin

import (
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/packetflux/packetflux/datasource-plugin/pkg/apiclient"
)

// timeSeriesMulti marks frames as the data plane's "time series multi" format: one frame per
// series, a time field and one number field carrying labels. Alerting and every panel read it.
var timeSeriesMulti = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}

// toFrames turns the API's columnar series into Grafana frames, one per series, with the unit
// on the value field and the series name as its display name. The API has already rendered
// the query's legend format ({{ifname}}, {{proto}}, ...) into that name.
func toFrames(refID string, apiFrames []apiclient.Frame, targets []string) data.Frames {
	if len(apiFrames) == 0 {
		// No series: an empty typed frame, which Grafana shows as "No data" and alerting as NoData.
		empty := data.NewFrame("")
		empty.RefID = refID
		empty.Meta = timeSeriesMulti
		return data.Frames{empty}
	}
	fallbackUnit := ""
	if len(targets) > 0 {
		fallbackUnit = UnitForMetric(targets[0])
		for _, t := range targets[1:] {
			if UnitForMetric(t) != fallbackUnit {
				fallbackUnit = ""
				break
			}
		}
	}

	frames := make(data.Frames, 0, len(apiFrames))
	for _, f := range apiFrames {
		times := make([]time.Time, len(f.Times))
		for i, ms := range f.Times {
			times[i] = time.UnixMilli(int64(ms)).UTC()
		}
		values := make([]*float64, len(f.Values))
		copy(values, f.Values)

		unit := f.Unit
		if unit == "" {
			unit = UnitForMetric(f.Name)
		}
		if unit == "" {
			unit = fallbackUnit
		}
		var labels data.Labels
		if len(f.Labels) > 0 {
			labels = data.Labels(f.Labels).Copy()
		}
		valueField := data.NewField(data.TimeSeriesValueFieldName, labels, values)
		valueField.Config = &data.FieldConfig{Unit: unit, DisplayNameFromDS: f.Name}

		frame := data.NewFrame(f.Name, data.NewField(data.TimeSeriesTimeFieldName, nil, times), valueField)
		frame.RefID = refID
		frame.Meta = timeSeriesMulti
		frames = append(frames, frame)
	}
	return frames
}

// UnitForMetric derives a Grafana unit from a metric name's suffix (DESIGN.md, "Metric names"),
// for answers that do not carry one.
func UnitForMetric(name string) string {
	switch {
	case strings.HasSuffix(name, "_total_bytes"):
		return "decbytes"
	case strings.HasSuffix(name, "_total_packets"):
		return "short"
	case strings.HasSuffix(name, "_bps"):
		return "bps"
	case strings.HasSuffix(name, "_pps"):
		return "pps"
	}
	return ""
}
