package harness

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// grafanaVersion is the Grafana the plugin is built for (@grafana/* in package.json).
const grafanaVersion = "13.1.1"

// TestMain kills any plugin process a test left behind (t.Cleanup already does, this covers a
// test binary that stops between a start and its cleanup registration).
func TestMain(m *testing.M) {
	code := m.Run()
	goplugin.CleanupClients()
	os.Exit(code)
}

// pluginProcess is one running plugin executable and the gRPC clients of the three services a
// datasource backend serves.
type pluginProcess struct {
	client      *goplugin.Client
	pid         int
	data        grpcplugin.DataClient
	diagnostics grpcplugin.DiagnosticsClient
	resource    grpcplugin.ResourceClient
	// env is the environment the harness gave the process, before go-plugin added its own.
	env []string
}

// pluginEnv is the whole environment the plugin starts with: what Grafana tells a backend
// plugin through variables the SDK reads (Grafana's version and edition, the plugin's version)
// and nothing of the host's. Everything else Grafana passes per request, in the PluginContext.
// In particular no GF_PLUGIN_GRPC_ADDRESS_*: with it the SDK would serve standalone instead of
// through go-plugin.
func pluginEnv(bin pluginBinary) []string {
	return []string{
		"GF_VERSION=" + grafanaVersion,
		"GF_EDITION=oss",
		backend.PluginVersionEnv + "=" + bin.version,
	}
}

// grafanaPluginSet is the client side of the services Grafana dispenses from a backend plugin,
// under the names the SDK's grpcplugin.Serve registers them.
func grafanaPluginSet() goplugin.PluginSet {
	return goplugin.PluginSet{
		"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
		"resource":    &grpcplugin.ResourceGRPCPlugin{},
		"data":        &grpcplugin.DataGRPCPlugin{},
	}
}

// startPlugin runs the executable as Grafana does and returns its clients. The process is
// killed when the test ends, failed or not; its log is printed when the test failed.
func startPlugin(t *testing.T, bin pluginBinary) *pluginProcess {
	t.Helper()
	if marker := filepath.Join(filepath.Dir(bin.path), "standalone.txt"); fileExists(marker) {
		// The SDK would then act as a locator for a plugin run under a debugger, not serve itself.
		t.Fatalf("%s exists: remove it, the executable would not serve the plugin itself", marker)
	}
	logs := &syncBuffer{}
	env := pluginEnv(bin)
	cmd := exec.Command(bin.path)
	cmd.Env = slices.Clone(env) // go-plugin appends its own variables to cmd.Env
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: grafanaPluginSet()},
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		// Without this go-plugin appends os.Environ(): the test's PATH, HOME and PACKETFLUX_*.
		SkipHostEnv:  true,
		StartTimeout: 30 * time.Second,
		Logger:       hclog.New(&hclog.LoggerOptions{Name: "grafana", Level: hclog.Info, Output: logs}),
	})
	t.Cleanup(func() {
		client.Kill()
		if t.Failed() {
			t.Logf("plugin process log:\n%s", logs.String())
		}
	})

	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("starting %s as Grafana does failed: %v\n%s", bin.path, err, logs.String())
	}
	p := &pluginProcess{client: client, env: env}
	if rc := client.ReattachConfig(); rc != nil {
		p.pid = rc.Pid
	}
	dispense := func(name string) any {
		raw, err := rpc.Dispense(name)
		if err != nil {
			t.Fatalf("dispensing %q: %v", name, err)
		}
		return raw
	}
	var ok bool
	if p.data, ok = dispense("data").(grpcplugin.DataClient); !ok {
		t.Fatal("the data plugin is not a grpcplugin.DataClient")
	}
	if p.diagnostics, ok = dispense("diagnostics").(grpcplugin.DiagnosticsClient); !ok {
		t.Fatal("the diagnostics plugin is not a grpcplugin.DiagnosticsClient")
	}
	if p.resource, ok = dispense("resource").(grpcplugin.ResourceClient); !ok {
		t.Fatal("the resource plugin is not a grpcplugin.ResourceClient")
	}
	return p
}

// processEnv reads a running process's environment from /proc (Linux): what it really got, as
// opposed to what the harness meant to give it.
func processEnv(pid int) ([]string, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return nil, err
	}
	var env []string
	for _, kv := range bytes.Split(raw, []byte{0}) {
		if len(kv) > 0 {
			env = append(env, string(kv))
		}
	}
	sort.Strings(env)
	return env, nil
}

// envNames returns the variable names of KEY=value entries, sorted.
func envNames(env []string) []string {
	names := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// syncBuffer collects the plugin's log, which go-plugin writes from its own goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
