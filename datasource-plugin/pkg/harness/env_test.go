package harness

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The live tests read everything about the running stack from these variables, which
// tests/grafana-protocol.test.ts sets. Without PACKETFLUX_HARNESS_API_URL they are skipped, so
// that `go test ./pkg/...` stays a unit-test run.
const (
	envAPIURL      = "PACKETFLUX_HARNESS_API_URL"   // the API of `packetflux serve` (required)
	envAPIToken    = "PACKETFLUX_HARNESS_API_TOKEN" // its --api-token
	envDatasources = "PACKETFLUX_HARNESS_DATASOURCES"
	envDashboards  = "PACKETFLUX_HARNESS_DASHBOARDS"
	envAlertRules  = "PACKETFLUX_HARNESS_ALERT_RULES"
	envInterface   = "PACKETFLUX_HARNESS_INTERFACE" // the replayed interface
	envHost        = "PACKETFLUX_HARNESS_HOST"      // a local host seen on it
	envProtocol    = "PACKETFLUX_HARNESS_PROTOCOL"  // a protocol seen on it
	envFrom        = "PACKETFLUX_HARNESS_FROM"      // RFC 3339: the replayed data lies in [FROM, TO]
	envTo          = "PACKETFLUX_HARNESS_TO"
	envBytes       = "PACKETFLUX_HARNESS_BYTES"       // optional: the interface's byte total
	envHostUpload  = "PACKETFLUX_HARNESS_HOST_UPLOAD" // optional: JSON {"host": bytes sent}, by tshark
	envDist        = "PACKETFLUX_HARNESS_DIST"        // optional: the plugin's dist/ folder
	// optional: the InfluxDB the collector wrote to, for rules that query it and not the plugin
	envInfluxURL = "PACKETFLUX_HARNESS_INFLUX_URL"
	envInfluxDB  = "PACKETFLUX_HARNESS_INFLUX_DB"
	// optional: JSON [protocolAlertCase]: the protocol rule rendered for other interfaces
	envProtocolAlerts = "PACKETFLUX_HARNESS_PROTOCOL_ALERTS"
)

// liveConfig is the running stack the live tests talk to.
type liveConfig struct {
	apiURL   string
	apiToken string
	// Files the jest side wrote: JSON renderings of the provisioning YAML (see
	// tests/grafana-protocol.test.ts), because this module has no YAML parser and must not grow one
	// for tests.
	datasourcesFile string
	dashboardsFile  string
	alertRulesFile  string
	iface           string
	host            string
	protocol        string
	from, to        time.Time
	// bytes is the interface's byte total in the capture, 0 when not given.
	bytes float64
	// hostUpload is each local host's bytes sent in the capture, nil when not given.
	hostUpload map[string]float64
	// influxURL and influxDB are the InfluxDB the collector wrote to, "" when not given.
	influxURL, influxDB string
	protocolAlerts      []protocolAlertCase
	plugin              pluginBinary
}

// protocolAlertCase is the "protocol seen" rule rendered for one replayed interface, with what
// ndpiReader found in that interface's capture.
type protocolAlertCase struct {
	Interface string    `json:"ifname"`
	Rules     string    `json:"rules"` // alert rule file(s) as JSON, like PACKETFLUX_HARNESS_ALERT_RULES
	To        time.Time `json:"to"`    // the interface's data ends before this
	Protocol  string    `json:"protocol"`
	Seen      bool      `json:"seen"` // ndpiReader labels some of the capture with Protocol
}

// loadLiveConfig skips the test when no API is configured or the plugin is not built, and fails
// it when the configuration is incomplete: a run that names an API but cannot use it is a
// broken CI step, not a reason to pass silently.
func loadLiveConfig(t *testing.T) liveConfig {
	t.Helper()
	c := liveConfig{apiURL: os.Getenv(envAPIURL)}
	if c.apiURL == "" {
		t.Skipf("%s is not set: no PacketFlux API to run the plugin against (tests/grafana-protocol.test.ts sets it)", envAPIURL)
	}
	plugin, err := findPluginBinary(distDir())
	if err != nil {
		t.Skipf("the plugin is not built (%v): run `npm run build:backend -w datasource-plugin`", err)
	}
	c.plugin = plugin

	var missing []string
	need := func(name string) string {
		v := strings.TrimSpace(os.Getenv(name))
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	c.apiToken = os.Getenv(envAPIToken)
	c.datasourcesFile = need(envDatasources)
	c.dashboardsFile = need(envDashboards)
	c.alertRulesFile = need(envAlertRules)
	c.iface = need(envInterface)
	c.host = need(envHost)
	c.protocol = need(envProtocol)
	from, to := need(envFrom), need(envTo)
	if len(missing) > 0 {
		t.Fatalf("%s is set but %s are not", envAPIURL, strings.Join(missing, ", "))
	}
	if c.from, err = time.Parse(time.RFC3339, from); err != nil {
		t.Fatalf("%s: %v", envFrom, err)
	}
	if c.to, err = time.Parse(time.RFC3339, to); err != nil {
		t.Fatalf("%s: %v", envTo, err)
	}
	if !c.from.Before(c.to) {
		t.Fatalf("%s %s is not before %s %s", envFrom, from, envTo, to)
	}
	if v := os.Getenv(envBytes); v != "" {
		if c.bytes, err = strconv.ParseFloat(v, 64); err != nil || c.bytes <= 0 {
			t.Fatalf("%s=%q is not a positive number", envBytes, v)
		}
	}
	if v := os.Getenv(envHostUpload); v != "" {
		if err := json.Unmarshal([]byte(v), &c.hostUpload); err != nil {
			t.Fatalf("%s: %v", envHostUpload, err)
		}
	}
	c.influxURL = os.Getenv(envInfluxURL)
	c.influxDB = os.Getenv(envInfluxDB)
	if v := os.Getenv(envProtocolAlerts); v != "" {
		if err := json.Unmarshal([]byte(v), &c.protocolAlerts); err != nil {
			t.Fatalf("%s: %v", envProtocolAlerts, err)
		}
	}
	return c
}

// distDir is where `npm run build:backend` puts the executables: datasource-plugin/dist, two
// levels above this package.
func distDir() string {
	if d := os.Getenv(envDist); d != "" {
		return d
	}
	return filepath.Join("..", "..", "dist")
}

// pluginBinary is the built plugin as Grafana finds it: plugin.json's executable, with the
// host's OS and architecture appended.
type pluginBinary struct {
	path    string
	id      string
	version string
	// backend and alerting are plugin.json's flags: Grafana starts no process without the first
	// and offers no alert rules without the second.
	backend  bool
	alerting bool
}

func findPluginBinary(dir string) (pluginBinary, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "plugin.json"))
	if err != nil {
		return pluginBinary{}, err
	}
	var meta struct {
		ID         string `json:"id"`
		Executable string `json:"executable"`
		Backend    bool   `json:"backend"`
		Alerting   bool   `json:"alerting"`
		Info       struct {
			Version string `json:"version"`
		} `json:"info"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return pluginBinary{}, err
	}
	path, err := filepath.Abs(filepath.Join(dir, meta.Executable+"_"+runtime.GOOS+"_"+runtime.GOARCH))
	if err != nil {
		return pluginBinary{}, err
	}
	if _, err := os.Stat(path); err != nil {
		return pluginBinary{}, err
	}
	return pluginBinary{path: path, id: meta.ID, version: meta.Info.Version, backend: meta.Backend, alerting: meta.Alerting}, nil
}
