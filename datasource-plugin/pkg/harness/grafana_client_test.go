package harness

import (
	"context"
	"errors"
	"io"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/useragent"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

// callTimeout bounds one gRPC call; the API answers the replayed data in milliseconds.
const callTimeout = 30 * time.Second

// fromAlertHeader is the request header with which Grafana alerting marks its queries.
const fromAlertHeader = "FromAlert"

// grafana plays the Grafana server for one data source instance: it holds the plugin process
// and the instance settings, and sends the calls Grafana sends, as protobuf messages.
type grafana struct {
	plugin   *pluginProcess
	bin      pluginBinary
	settings backend.DataSourceInstanceSettings
}

// viewer is the signed-in user a dashboard request carries. Alerting requests carry none.
var viewer = &backend.User{Login: "viewer", Name: "Viewer", Email: "viewer@example.com", Role: "Viewer"}

// pluginContext is what Grafana attaches to every call: who asks, for which plugin and data
// source instance, Grafana's version (user agent) and the settings it shares with plugins.
func (g *grafana) pluginContext(t *testing.T, user *backend.User) backend.PluginContext {
	t.Helper()
	ua, err := useragent.New(grafanaVersion, runtime.GOOS, runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	settings := g.settings
	return backend.PluginContext{
		OrgID:                      1,
		PluginID:                   g.bin.id,
		PluginVersion:              g.bin.version,
		User:                       user,
		DataSourceInstanceSettings: &settings,
		GrafanaConfig: backend.NewGrafanaCfg(map[string]string{
			"GF_APP_URL":                   "http://localhost:3000/",
			"GF_CONCURRENT_QUERY_COUNT":    "4",
			"GF_USER_FACING_DEFAULT_ERROR": "Please inspect the Grafana server log for details",
		}),
		UserAgent: ua,
	}
}

// queryData sends one QueryData call. A gRPC error fails the test: the plugin must answer every
// failure inside the response, per query, so that one bad query does not blank a dashboard or
// turn an alert rule into an execution error.
func (g *grafana) queryData(t *testing.T, user *backend.User, headers map[string]string, queries ...backend.DataQuery) *backend.QueryDataResponse {
	t.Helper()
	req := &backend.QueryDataRequest{
		PluginContext: g.pluginContext(t, user),
		Headers:       headers,
		Queries:       queries,
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	protoResp, err := g.plugin.data.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
	if err != nil {
		t.Fatalf("QueryData answered a gRPC error instead of per-query errors: %v", err)
	}
	resp, err := backend.FromProto().QueryDataResponse(protoResp)
	if err != nil {
		t.Fatalf("QueryData response cannot be decoded as Grafana decodes it: %v", err)
	}
	// Grafana matches answers to queries by refId: each query needs exactly one.
	var want, got []string
	for _, q := range queries {
		want = append(want, q.RefID)
	}
	for refID := range resp.Responses {
		got = append(got, refID)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Fatalf("QueryData answered refIds %v, want %v", got, want)
	}
	return resp
}

// checkHealth sends CheckHealth, as the data source page's "Save & test" does.
func (g *grafana) checkHealth(t *testing.T) *backend.CheckHealthResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	protoResp, err := g.plugin.diagnostics.CheckHealth(ctx, &pluginv2.CheckHealthRequest{
		PluginContext: backend.ToProto().PluginContext(g.pluginContext(t, viewer)),
		Headers:       map[string]string{},
	})
	if err != nil {
		t.Fatalf("CheckHealth answered a gRPC error instead of a health status: %v", err)
	}
	return backend.FromProto().CheckHealthResponse(protoResp)
}

// resourceResponse is a CallResource answer put back together from its stream.
type resourceResponse struct {
	status  int
	headers map[string][]string
	body    []byte
}

// callResource sends what the browser's getResource() becomes on its way through Grafana's
// /api/datasources/uid/<uid>/resources/<path>: the path below resources/ and the URL with its
// query string. The answer streams back: the first message holds the status and headers,
// every message a part of the body.
func (g *grafana) callResource(t *testing.T, method, path, rawQuery string, body []byte) resourceResponse {
	t.Helper()
	url := path
	if rawQuery != "" {
		url += "?" + rawQuery
	}
	req := &backend.CallResourceRequest{
		PluginContext: g.pluginContext(t, viewer),
		Path:          path,
		Method:        method,
		URL:           url,
		Headers:       map[string][]string{"Accept": {"application/json"}},
		Body:          body,
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	stream, err := g.plugin.resource.CallResource(ctx, backend.ToProto().CallResourceRequest(req))
	if err != nil {
		t.Fatalf("CallResource %s %s: %v", method, url, err)
	}
	var res resourceResponse
	for first := true; ; first = false {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if first {
				t.Fatalf("CallResource %s %s: the stream ended without a response", method, url)
			}
			return res
		}
		if err != nil {
			t.Fatalf("CallResource %s %s: %v", method, url, err)
		}
		part := backend.FromProto().CallResourceResponse(msg)
		if first {
			res.status, res.headers = part.Status, part.Headers
		}
		res.body = append(res.body, part.Body...)
	}
}
