package harness

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	goplugin "github.com/hashicorp/go-plugin"
)

// newLiveGrafana starts the plugin and configures the provisioned PacketFlux data source against
// the live API, as Grafana does from provisioning/datasources with PACKETFLUX_API_URL and
// PACKETFLUX_API_TOKEN in its environment.
func newLiveGrafana(t *testing.T) (liveConfig, *grafana) {
	t.Helper()
	cfg := loadLiveConfig(t)
	ds := pluginDatasource(t, cfg.datasourcesFile, cfg.plugin.id)
	settings := ds.instanceSettings(t, 1, map[string]string{
		"PACKETFLUX_API_URL":   cfg.apiURL,
		"PACKETFLUX_API_TOKEN": cfg.apiToken,
	})
	// The plugin reads jsonData.url: the provisioning must put the API there.
	var jsonData struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(settings.JSONData, &jsonData); err != nil || jsonData.URL != cfg.apiURL {
		t.Fatalf("provisioned jsonData %s does not carry the API URL %s (%v)", settings.JSONData, cfg.apiURL, err)
	}
	if cfg.apiToken != "" && settings.DecryptedSecureJSONData["apiToken"] != cfg.apiToken {
		t.Fatalf("provisioned secureJsonData does not carry the API token as apiToken")
	}
	return cfg, &grafana{plugin: startPlugin(t, cfg.plugin), bin: cfg.plugin, settings: settings}
}

func TestGrafanaPluginProcess(t *testing.T) {
	cfg, g := newLiveGrafana(t)
	if !cfg.plugin.backend || !cfg.plugin.alerting {
		t.Errorf("plugin.json: backend %v, alerting %v; Grafana needs both true to run this executable for alert rules", cfg.plugin.backend, cfg.plugin.alerting)
	}
	if v := g.plugin.client.NegotiatedVersion(); v != grpcplugin.ProtocolVersion {
		t.Errorf("negotiated plugin protocol version %d, want %d", v, grpcplugin.ProtocolVersion)
	}
	if p := g.plugin.client.Protocol(); p != goplugin.ProtocolGRPC {
		t.Errorf("protocol %q, want grpc", p)
	}

	// The process got exactly the harness's variables plus go-plugin's handshake ones: none of
	// this test's environment (PATH, HOME, PACKETFLUX_HARNESS_*) leaked in.
	env, err := processEnv(g.plugin.pid)
	if err != nil {
		t.Fatalf("reading the plugin's environment: %v", err)
	}
	want := append(envNames(g.plugin.env), grpcplugin.MagicCookieKey, "PLUGIN_MIN_PORT", "PLUGIN_MAX_PORT", "PLUGIN_PROTOCOL_VERSIONS")
	slices.Sort(want)
	if got := envNames(env); !slices.Equal(got, want) {
		t.Errorf("plugin environment has %v, want exactly %v", got, want)
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "GF_PLUGIN_GRPC_ADDRESS_") {
			t.Errorf("%s would make the SDK serve standalone", kv)
		}
	}
	t.Logf("plugin pid %d, protocol %s v%d, environment %v", g.plugin.pid, g.plugin.client.Protocol(), g.plugin.client.NegotiatedVersion(), env)

	// Kill stops the process (the cleanup of every test relies on it).
	g.plugin.client.Kill()
	if !g.plugin.client.Exited() {
		t.Error("the plugin process is still running after Kill")
	}
	if err := syscall.Kill(g.plugin.pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("pid %d still exists after Kill (signal 0: %v)", g.plugin.pid, err)
	}
}

func TestGrafanaHealthAndResources(t *testing.T) {
	cfg, g := newLiveGrafana(t)

	health := g.checkHealth(t)
	t.Logf("health: %s: %s", health.Status, health.Message)
	if health.Status != backend.HealthStatusOk || !strings.Contains(health.Message, "InfluxDB OK") {
		t.Errorf("CheckHealth against the live API: %s %q, want OK with InfluxDB OK", health.Status, health.Message)
	}

	// A second data source instance with a wrong token, served by the same process: Grafana
	// keeps one process per plugin and tells instances apart by their settings.
	if cfg.apiToken != "" {
		wrong := *g
		wrong.settings.ID, wrong.settings.UID = 2, "packetflux-wrong-token"
		wrong.settings.DecryptedSecureJSONData = map[string]string{"apiToken": cfg.apiToken + "-wrong"}
		bad := wrong.checkHealth(t)
		t.Logf("health with a wrong token: %s: %s", bad.Status, bad.Message)
		if bad.Status != backend.HealthStatusError || !strings.Contains(bad.Message, "token") {
			t.Errorf("CheckHealth with a wrong token: %s %q, want an error naming the token", bad.Status, bad.Message)
		}
		if again := g.checkHealth(t); again.Status != backend.HealthStatusOk {
			t.Errorf("the good instance turned %s after the bad one was used: %s", again.Status, again.Message)
		}
	}

	prefix := "interface_" + cfg.iface
	res := g.callResource(t, http.MethodGet, "search", "target="+url.QueryEscape(prefix), nil)
	var names []string
	decodeResource(t, "search", res, &names)
	if !slices.Contains(names, prefix+"_traffic_bps") {
		t.Errorf("search %s: %v lacks %s_traffic_bps", prefix, names, prefix)
	}
	body, _ := json.Marshal(map[string]string{"target": prefix + "_traffic"})
	res = g.callResource(t, http.MethodPost, "search", "", body)
	names = nil
	decodeResource(t, "POST search", res, &names)
	// Best first: the interface's own names before the hosts' names that contain the text.
	if len(names) == 0 || !strings.HasPrefix(names[0], prefix+"_traffic") || !allContain(names, prefix+"_traffic") {
		t.Errorf("POST search %s_traffic: %v", prefix, names)
	}

	res = g.callResource(t, http.MethodGet, "metrics", "prefix="+url.QueryEscape(prefix)+"&limit=5", nil)
	var metrics []struct {
		Name string `json:"name"`
		Unit string `json:"unit"`
	}
	decodeResource(t, "metrics", res, &metrics)
	if len(metrics) == 0 || len(metrics) > 5 {
		t.Errorf("metrics prefix=%s limit=5: %d entries", prefix, len(metrics))
	}
	for _, m := range metrics {
		if !strings.HasPrefix(m.Name, prefix) || m.Unit == "" {
			t.Errorf("metrics: %+v does not match the prefix or has no unit", m)
		}
	}

	// Every PacketFlux variable of every dashboard offers the value the other tests use.
	var dashboards []dashboardFile
	readJSONFile(t, cfg.dashboardsFile, &dashboards)
	checked := 0
	for _, d := range dashboards {
		vars, _ := resolveVariables(t, cfg, d.Dashboard, g)
		checked += len(vars)
	}
	if checked == 0 {
		t.Error("no dashboard has a PacketFlux template variable")
	}

	// Failures answer JSON with a message and a status the browser shows, never 401.
	res = g.callResource(t, http.MethodGet, "nothing-here", "", nil)
	if res.status != http.StatusNotFound || !strings.Contains(string(res.body), `"message"`) {
		t.Errorf("unknown resource: %d %s, want 404 with a message", res.status, res.body)
	}
	res = g.callResource(t, http.MethodGet, "variables", "query=", nil)
	if res.status != http.StatusBadRequest || !strings.Contains(string(res.body), `"message"`) {
		t.Errorf("variables without a query: %d %s, want 400 with a message", res.status, res.body)
	}
	t.Logf("resources: search, POST search, metrics, variables of %d dashboard variables answered through gRPC", checked)
}

// resolveVariables gives each PacketFlux variable of a dashboard the harness's value for its
// kind, after checking through the plugin's `variables` resource that the live API offers that
// value (as the variable's drop-down would). Variables of other data sources stay unresolved and
// are returned by name.
func resolveVariables(t *testing.T, cfg liveConfig, d dashboard, g *grafana) (templateVars, []string) {
	t.Helper()
	vars := templateVars{}
	var unresolved []string
	for _, v := range d.Templating.List {
		if v.Datasource == nil || v.Datasource.UID != g.settings.UID {
			unresolved = append(unresolved, v.Name)
			continue
		}
		q, err := parseVariableQuery(v.Query)
		if err != nil {
			t.Fatalf("%s $%s: %v", d.UID, v.Name, err)
		}
		var value string
		switch q.Kind {
		case "interfaces":
			value = cfg.iface
		case "hosts":
			value = cfg.host
		case "protocols":
			value = cfg.protocol
		default:
			t.Fatalf("%s $%s: no harness value for %s variables", d.UID, v.Name, q.Kind)
		}
		if q.IfName, err = vars.interpolate(q.IfName, false); err != nil {
			t.Fatal(err)
		}
		res := g.callResource(t, http.MethodGet, "variables", "query="+url.QueryEscape(q.text()), nil)
		var offered []struct {
			Value string `json:"value"`
		}
		decodeResource(t, "variables?query="+q.text(), res, &offered)
		values := make([]string, len(offered))
		for i, o := range offered {
			values[i] = o.Value
		}
		if !slices.Contains(values, value) {
			t.Errorf("%s $%s (%s) offers %v, not %q", d.UID, v.Name, q.text(), values, value)
		}
		vars[v.Name] = value
	}
	return vars, unresolved
}

func decodeResource(t *testing.T, what string, res resourceResponse, v any) {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", what, res.status, res.body)
	}
	if ct := strings.Join(res.headers["Content-Type"], ","); !strings.Contains(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	if err := json.Unmarshal(res.body, v); err != nil {
		t.Fatalf("%s: %v in %s", what, err, res.body)
	}
}

func allContain(names []string, text string) bool {
	for _, n := range names {
		if !strings.Contains(n, text) {
			return false
		}
	}
	return true
}

// TestGrafanaQueryErrors: failures come back inside the response, per refId, with a status and a
// message, next to the answers of the queries that worked.
func TestGrafanaQueryErrors(t *testing.T) {
	cfg, g := newLiveGrafana(t)
	tr := backend.TimeRange{From: cfg.from, To: cfg.to}
	query := func(refID string, model map[string]any) backend.DataQuery {
		raw, _ := json.Marshal(model)
		return backend.DataQuery{RefID: refID, JSON: raw, Interval: 5 * time.Second, MaxDataPoints: 1000, TimeRange: tr}
	}
	resp := g.queryData(t, viewer, nil,
		query("good", map[string]any{"target": "interface_" + cfg.iface + "_traffic_bps"}),
		query("unknown", map[string]any{"target": "interface_" + cfg.iface + "-no-such_traffic_bps"}),
		query("variable", map[string]any{"target": "interface_$nosuchvar_traffic_bps"}),
		query("empty", map[string]any{"target": ""}),
	)
	if p := checkTimeSeriesMulti(resp.Responses["good"]); len(p) > 0 {
		t.Errorf("good: %v", p)
	}
	for _, refID := range []string{"unknown", "variable", "empty"} {
		res := resp.Responses[refID]
		if p := checkErrorResponse(res); len(p) > 0 {
			t.Errorf("%s: %v", refID, p)
			continue
		}
		if res.Status != backend.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: the query, not the API, is wrong", refID, res.Status)
		}
		t.Logf("%s: %d %v", refID, res.Status, res.Error)
	}
}
