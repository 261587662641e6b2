package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/packetflux/packetflux/datasource-plugin/pkg/apiclient"
)

const (
	// MaxTargetsPerQuery bounds how many metric names one query may expand to.
	MaxTargetsPerQuery = 100
	// MaxTop bounds top N, as the API does.
	MaxTop               = 1000
	defaultMaxDataPoints = 1000
	minIntervalMs        = 1000
)

// queryModel is the JSON the frontend saves for one query (src/types/query.ts).
type queryModel struct {
	// Target is the metric name as typed, possibly holding template variables.
	Target string `json:"target"`
	// Targets are the metric names after the frontend interpolated template variables; a
	// multi-value variable yields several. Empty for alert rules, which send Target alone.
	Targets []string `json:"targets"`
	Top     flexInt  `json:"top"`
	// LegendFormat is sent to the API, which renders it into each series' name.
	LegendFormat string `json:"legendFormat"`
}

// flexInt reads a number, a numeric string, "" or null (older dashboards saved top as text).
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) || bytes.Equal(b, []byte(`""`)) {
		*f = 0
		return nil
	}
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return fmt.Errorf("top must be a number, got %s", b)
	}
	*f = flexInt(n)
	return nil
}

// QueryData answers each query with one frame per series, calling POST /api/query once per
// query (so that one bad metric name fails only its own query), a few at a time.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	response := backend.NewQueryDataResponse()
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, d.opts.MaxConcurrentQueries)
	for _, q := range req.Queries {
		wg.Add(1)
		slots <- struct{}{}
		go func(q backend.DataQuery) {
			defer wg.Done()
			defer func() { <-slots }()
			res := d.query(ctx, q)
			mu.Lock()
			response.Responses[q.RefID] = res
			mu.Unlock()
		}(q)
	}
	wg.Wait()
	return response, nil
}

func (d *Datasource) query(ctx context.Context, q backend.DataQuery) backend.DataResponse {
	if d.settingsErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, d.settingsErr.Error())
	}
	var model queryModel
	if err := json.Unmarshal(q.JSON, &model); err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourcePlugin,
			fmt.Sprintf("query %s cannot be read: %v", q.RefID, err))
	}
	targets, err := resolveTargets(model)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	top := int(model.Top)
	if top < 0 || top > MaxTop {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream,
			fmt.Sprintf("top N must be between 1 and %d, got %d", MaxTop, top))
	}

	apiReq := apiclient.QueryRequest{
		Range:         apiclient.NewRange(q.TimeRange.From, q.TimeRange.To),
		IntervalMs:    intervalMs(q),
		MaxDataPoints: q.MaxDataPoints,
		Probe:         d.settings.DefaultProbe,
	}
	if apiReq.MaxDataPoints <= 0 {
		apiReq.MaxDataPoints = defaultMaxDataPoints
	}
	for _, t := range targets {
		apiReq.Targets = append(apiReq.Targets, apiclient.Target{RefID: q.RefID, Target: t, Top: top, LegendFormat: model.LegendFormat})
	}

	apiFrames, err := d.client.Query(ctx, apiReq)
	if err != nil {
		return errorResponse(err)
	}
	return backend.DataResponse{Frames: toFrames(q.RefID, apiFrames, targets)}
}

// resolveTargets picks the expanded names when the frontend sent them, else the typed one.
func resolveTargets(model queryModel) ([]string, error) {
	var targets []string
	for _, t := range model.Targets {
		if t = strings.TrimSpace(t); t != "" {
			targets = append(targets, t)
		}
	}
	if len(targets) == 0 {
		if t := strings.TrimSpace(model.Target); t != "" {
			targets = []string{t}
		}
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("the query has no metric name: choose one in the query editor")
	}
	if len(targets) > MaxTargetsPerQuery {
		return nil, fmt.Errorf("the query expands to %d metric names, more than %d: select fewer variable values", len(targets), MaxTargetsPerQuery)
	}
	for _, t := range targets {
		if strings.Contains(t, "$") {
			return nil, fmt.Errorf("metric name %q still holds a template variable: alert rules and queries run outside a dashboard cannot resolve dashboard variables, so name the metric in full", t)
		}
	}
	return targets, nil
}

// intervalMs is Grafana's $__interval for the query, never below one second.
func intervalMs(q backend.DataQuery) int64 {
	ms := q.Interval.Milliseconds()
	if ms <= 0 && q.MaxDataPoints > 0 {
		ms = q.TimeRange.Duration().Milliseconds() / q.MaxDataPoints
	}
	if ms < minIntervalMs {
		ms = minIntervalMs
	}
	return ms
}

// errorResponse maps an API failure to a response Grafana shows as it is; the API, not the
// plugin, is the source of all of them.
func errorResponse(err error) backend.DataResponse {
	status := backend.StatusBadGateway
	switch apiclient.KindOf(err) {
	case apiclient.KindBadRequest:
		status = backend.StatusBadRequest
	case apiclient.KindUnauthorized:
		status = backend.StatusUnauthorized
	case apiclient.KindTimeout:
		status = backend.StatusTimeout
	}
	return backend.ErrDataResponseWithSource(status, backend.ErrorSourceDownstream, err.Error())
}
