package plugin

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/packetflux/packetflux/datasource-plugin/pkg/apiclient/apitest"
)

func checkHealth(t *testing.T, ds *Datasource) *backend.CheckHealthResult {
	t.Helper()
	res, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCheckHealth(t *testing.T) {
	api := apitest.NewServer(testToken)
	defer api.Close()

	cases := []struct {
		name         string
		healthStatus int
		healthBody   string
		token        string
		wantStatus   backend.HealthStatus
		want         string
	}{
		{
			name:       "all well",
			healthBody: fmt.Sprintf(`{"influx":{"ok":true},"lastWriteMs":%d,"drops":0}`, time.Now().Add(-12*time.Second).UnixMilli()),
			token:      testToken,
			wantStatus: backend.HealthStatusOk,
			want:       "PacketFlux API reachable; InfluxDB OK; last write 12 s ago",
		},
		{
			name:       "no write yet, drops",
			healthBody: `{"influx":{"ok":true},"lastWriteMs":null,"drops":42}`,
			token:      testToken,
			wantStatus: backend.HealthStatusOk,
			want:       "PacketFlux API reachable; InfluxDB OK; no write by this process yet; 42 packets dropped by capture",
		},
		{
			name:       "InfluxDB down",
			healthBody: `{"influx":{"ok":false,"error":"connect ECONNREFUSED 127.0.0.1:8086"}}`,
			token:      testToken,
			wantStatus: backend.HealthStatusError,
			want:       "PacketFlux API reachable; InfluxDB unreachable: connect ECONNREFUSED 127.0.0.1:8086",
		},
		{
			name: "the collector API's own answer",
			healthBody: `{"status":"ok","influxdb":{"reachable":true,"version":"1.6.7","latencyMs":2},"lastWriteMs":1,` +
				`"lastWriteAgeMs":4200,"drops":0,"catalog":{"refreshedAtMs":1,"probes":1,"interfaces":2,"hosts":9,"truncated":false}}`,
			token:      testToken,
			wantStatus: backend.HealthStatusOk,
			want:       "PacketFlux API reachable; InfluxDB OK; 2 interfaces known; last write 4 s ago",
		},
		{
			name:         "the collector API's answer when InfluxDB is down (HTTP 503)",
			healthStatus: 503,
			healthBody:   `{"status":"degraded","influxdb":{"reachable":false,"error":"connect ECONNREFUSED 127.0.0.1:8086"},"lastWriteMs":null,"lastWriteAgeMs":null,"drops":0}`,
			token:        testToken,
			wantStatus:   backend.HealthStatusError,
			want:         "PacketFlux API reachable; InfluxDB unreachable: connect ECONNREFUSED 127.0.0.1:8086; no write by this process yet",
		},
		{
			name:       "minimal answer",
			healthBody: `{}`,
			token:      testToken,
			wantStatus: backend.HealthStatusOk,
			want:       "PacketFlux API reachable; InfluxDB state not reported",
		},
		{
			name:       "wrong token",
			healthBody: `{"influx":{"ok":true}}`,
			token:      "wrong",
			wantStatus: backend.HealthStatusError,
			want:       "PacketFlux API reachable; InfluxDB OK; but the API token was refused: check the API token",
		},
		{
			name:       "token missing",
			healthBody: `{"influx":{"ok":true}}`,
			wantStatus: backend.HealthStatusError,
			want:       "but the API requires a token: set the API token",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api.HealthBody, api.HealthStatus = c.healthBody, c.healthStatus
			res := checkHealth(t, newTestDatasource(t, api.URL, c.token, Options{}))
			if res.Status != c.wantStatus || !strings.Contains(res.Message, c.want) {
				t.Errorf("got %v %q, want %v %q", res.Status, res.Message, c.wantStatus, c.want)
			}
		})
	}
}

func TestCheckHealthFailures(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	notPacketFlux := httptest.NewServer(http.NotFoundHandler())
	defer notPacketFlux.Close()

	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<html>hello</html>"))
	}))
	defer html.Close()

	cases := map[string]struct{ url, want string }{
		"no URL":         {"", "The PacketFlux API URL is not set"},
		"bad URL":        {"localhost:3001", "is not an http:// or https:// URL"},
		"unreachable":    {closedURL, "Cannot reach the PacketFlux API at " + closedURL},
		"not PacketFlux": {notPacketFlux.URL, "PacketFlux API has no /api/health (HTTP 404)"},
		"not JSON":       {html.URL, "answered /api/health with something other than a JSON object"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res := checkHealth(t, newTestDatasource(t, c.url, "", Options{}))
			if res.Status != backend.HealthStatusError || !strings.Contains(res.Message, c.want) {
				t.Errorf("got %v %q, want error containing %q", res.Status, res.Message, c.want)
			}
		})
	}
}
