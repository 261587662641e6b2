package plugin

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
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
		// want is the whole message, or its start when it ends with "…".
		want string
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
			name:       "one interface, one drop",
			healthBody: `{"influx":{"ok":true},"drops":1,"catalog":{"interfaces":1}}`,
			token:      testToken,
			wantStatus: backend.HealthStatusOk,
			want:       "PacketFlux API reachable; InfluxDB OK; 1 interface known; 1 packet dropped by capture",
		},
		{
			name:       "InfluxDB down",
			healthBody: `{"influx":{"ok":false,"error":"connect ECONNREFUSED 127.0.0.1:8086"}}`,
			token:      testToken,
			wantStatus: backend.HealthStatusError,
			want: "The PacketFlux API at " + api.URL + " runs, but cannot reach its InfluxDB: connect ECONNREFUSED 127.0.0.1:8086. " +
				"Start InfluxDB, or correct the API's --influx-url.",
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
			healthBody: `{"status":"degraded","influxdb":{"reachable":false,"error":"connect ECONNREFUSED 127.0.0.1:8086"},` +
				`"lastWriteMs":null,"lastWriteAgeMs":null,"drops":0,"catalog":{"interfaces":2}}`,
			token:      testToken,
			wantStatus: backend.HealthStatusError,
			want: "The PacketFlux API at " + api.URL + " runs, but cannot reach its InfluxDB: connect ECONNREFUSED 127.0.0.1:8086. " +
				"Start InfluxDB, or correct the API's --influx-url. The API reports: 2 interfaces known; no write by this process yet.",
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
			token:      "n0t-the-t0ken",
			wantStatus: backend.HealthStatusError,
			want: "The PacketFlux API at " + api.URL + " refused the API token (HTTP 401: missing or wrong API token): " +
				"set the data source's API token to the API's --api-token. The API reports: InfluxDB OK.",
		},
		{
			name:       "token missing",
			healthBody: `{"influx":{"ok":true}}`,
			wantStatus: backend.HealthStatusError,
			want: "The PacketFlux API at " + api.URL + " requires an API token (HTTP 401: missing or wrong API token): " +
				"set the data source's API token to the API's --api-token. The API reports: InfluxDB OK.",
		},
		{
			name:       "InfluxDB down and wrong token: both problems",
			healthBody: `{"influx":{"ok":false,"error":"timeout"}}`,
			token:      "n0t-the-t0ken",
			wantStatus: backend.HealthStatusError,
			want: "The PacketFlux API at " + api.URL + " runs, but cannot reach its InfluxDB: timeout. Start InfluxDB, or correct the API's --influx-url. " +
				"The PacketFlux API at " + api.URL + " refused the API token (HTTP 401: missing or wrong API token): set the data source's API token to the API's --api-token.",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api.HealthBody, api.HealthStatus = c.healthBody, c.healthStatus
			res := checkHealth(t, newTestDatasource(t, api.URL, c.token, Options{}))
			if res.Status != c.wantStatus || res.Message != c.want {
				t.Errorf("got %v %q,\nwant %v %q", res.Status, res.Message, c.wantStatus, c.want)
			}
			if c.token != "" && strings.Contains(res.Message, c.token) {
				t.Errorf("the message shows the token: %q", res.Message)
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

	// Answers as InfluxDB 1.x does: 404 on /api/health, 204 on /ping, its version on both.
	var influxAuth []string
	var mu sync.Mutex
	influx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		influxAuth = append(influxAuth, r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("X-Influxdb-Build", "OSS")
		w.Header().Set("X-Influxdb-Version", "1.8.10")
		if r.URL.Path == "/ping" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.NotFound(w, r)
	}))
	defer influx.Close()

	cases := map[string]struct{ url, want string }{
		"no URL":  {"", "The PacketFlux API URL is not set: enter it in the data source settings (e.g. http://localhost:3001)"},
		"bad URL": {"localhost:3001", `The PacketFlux API URL "localhost:3001" is not an http:// or https:// URL`},
		"unreachable": {closedURL, "Cannot reach the PacketFlux API at " + closedURL + ": connect: connection refused. " +
			"Check the URL, and that packetflux serve (or packetflux capture) is running there: it listens on its --api-port, 3001 by default."},
		"not PacketFlux": {notPacketFlux.URL, "The URL " + notPacketFlux.URL + " is not a PacketFlux API (GET /api/health answered HTTP 404): " +
			"set the URL to the PacketFlux API (packetflux serve --api-port, 3001 by default)."},
		"not JSON": {html.URL, "The URL " + html.URL + " is not a PacketFlux API (its answer to GET /api/health is not a health report): " +
			"set the URL to the PacketFlux API (packetflux serve --api-port, 3001 by default)."},
		"InfluxDB": {influx.URL, "The URL " + influx.URL + " is InfluxDB 1.8.10, not a PacketFlux API (GET /api/health answered HTTP 404): " +
			"set the URL to the PacketFlux API (packetflux serve --api-port, 3001 by default); the API reads InfluxDB for Grafana and has a port of its own."},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res := checkHealth(t, newTestDatasource(t, c.url, testToken, Options{}))
			if res.Status != backend.HealthStatusError || res.Message != c.want {
				t.Errorf("got %v %q,\nwant error %q", res.Status, res.Message, c.want)
			}
		})
	}
	// The token goes to the API it was meant for, not to the server that turned out not to be it.
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"/api/health Bearer " + testToken, "/ping "}; fmt.Sprint(influxAuth) != fmt.Sprint(want) {
		t.Errorf("InfluxDB was asked %q, want %q", influxAuth, want)
	}
}

// TestCheckHealthAgainstRealServers runs CheckHealth against real servers, started by
// tests/plugin-health.test.ts, and checks that each way of getting the settings wrong gets
// its own message. It is skipped unless PACKETFLUX_HEALTH_API_URL is set:
//
//	PACKETFLUX_HEALTH_API_URL         packetflux serve --api-token $PACKETFLUX_HEALTH_API_TOKEN, its InfluxDB up
//	PACKETFLUX_HEALTH_API_TOKEN       that token
//	PACKETFLUX_HEALTH_INFLUX_URL      a running influxd (a URL that answers but is not the API)
//	PACKETFLUX_HEALTH_REFUSED_URL     a URL nothing listens on
//	PACKETFLUX_HEALTH_NO_INFLUX_URL   packetflux serve with the same token, its InfluxDB stopped
//	PACKETFLUX_HEALTH_STOPPED_INFLUX  host:port of that stopped InfluxDB
func TestCheckHealthAgainstRealServers(t *testing.T) {
	apiURL := os.Getenv("PACKETFLUX_HEALTH_API_URL")
	if apiURL == "" {
		t.Skip("PACKETFLUX_HEALTH_API_URL is not set")
	}
	env := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			t.Fatalf("%s is not set", name)
		}
		return v
	}
	token := env("PACKETFLUX_HEALTH_API_TOKEN")
	influxURL := env("PACKETFLUX_HEALTH_INFLUX_URL")
	refusedURL := env("PACKETFLUX_HEALTH_REFUSED_URL")
	noInfluxURL := env("PACKETFLUX_HEALTH_NO_INFLUX_URL")
	stoppedInflux := env("PACKETFLUX_HEALTH_STOPPED_INFLUX")

	// Each failure is recognised by its own phrase and by none of the others'.
	phrases := map[string]string{
		"refused":     "Cannot reach the PacketFlux API at ",
		"influxdb":    ", not a PacketFlux API (",
		"token":       " refused the API token (",
		"no influxdb": " runs, but cannot reach its InfluxDB",
	}
	cases := []struct {
		name, url, token string
		want             *regexp.Regexp
	}{
		{"refused", refusedURL, token, regexp.MustCompile(`^Cannot reach the PacketFlux API at ` + regexp.QuoteMeta(refusedURL) +
			`: connect: connection refused\. Check the URL, and that packetflux serve \(or packetflux capture\) is running there: it listens on its --api-port, 3001 by default\.$`)},
		{"influxdb", influxURL, token, regexp.MustCompile(`^The URL ` + regexp.QuoteMeta(influxURL) +
			` is InfluxDB \d+\.\d+\S*, not a PacketFlux API \(GET /api/health answered HTTP 404\): set the URL to the PacketFlux API \(packetflux serve --api-port, 3001 by default\); ` +
			`the API reads InfluxDB for Grafana and has a port of its own\.$`)},
		{"token", apiURL, "not-" + token, regexp.MustCompile(`^The PacketFlux API at ` + regexp.QuoteMeta(apiURL) +
			` refused the API token \(HTTP 401: invalid API token\): set the data source's API token to the API's --api-token\. ` +
			`The API reports: InfluxDB OK; \d+ interfaces? known; .*\.$`)},
		{"no influxdb", noInfluxURL, token, regexp.MustCompile(`^The PacketFlux API at ` + regexp.QuoteMeta(noInfluxURL) +
			` runs, but cannot reach its InfluxDB: .*` + regexp.QuoteMeta(stoppedInflux) + `.*\. Start InfluxDB, or correct the API's --influx-url\.` +
			`( The API reports: .*\.)?$`)},
	}
	messages := map[string]string{}
	for _, c := range cases {
		res := checkHealth(t, newTestDatasource(t, c.url, c.token, Options{Timeout: 10 * time.Second}))
		t.Logf("health %s: %s: %s", c.name, res.Status, res.Message)
		messages[c.name] = res.Message
		if res.Status != backend.HealthStatusError {
			t.Errorf("%s: status %v, want error", c.name, res.Status)
		}
		if !c.want.MatchString(res.Message) {
			t.Errorf("%s: message %q does not match %s", c.name, res.Message, c.want)
		}
		for other, phrase := range phrases {
			if strings.Contains(res.Message, phrase) != (other == c.name) {
				t.Errorf("%s: message %q: contains %q is %v", c.name, res.Message, phrase, other != c.name)
			}
		}
		if strings.Contains(res.Message, token) {
			t.Errorf("%s: the message shows the token: %q", c.name, res.Message)
		}
	}
	for a, ma := range messages {
		for b, mb := range messages {
			if a < b && ma == mb {
				t.Errorf("%s and %s have the same message %q", a, b, ma)
			}
		}
	}

	// The same API with the right token is healthy: the token alone made the difference.
	res := checkHealth(t, newTestDatasource(t, apiURL, token, Options{Timeout: 10 * time.Second}))
	t.Logf("health ok: %s: %s", res.Status, res.Message)
	if res.Status != backend.HealthStatusOk || !strings.HasPrefix(res.Message, "PacketFlux API reachable; InfluxDB OK; ") {
		t.Errorf("right token: got %v %q, want OK", res.Status, res.Message)
	}
}
