// Package plugin is the PacketFlux datasource backend: one Datasource per configured Grafana
// data source, one file per handler (query data, health, resources).
package plugin

import (
	"context"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"

	"github.com/packetflux/packetflux/datasource-plugin/pkg/apiclient"
)

// PluginID is the id in src/plugin.json.
const PluginID = "packetflux-traffic-datasource"

// Grafana only calls the handlers a datasource implements; these checks make a missing method
// a compile error instead of a "not implemented" answer at run time.
var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Options tune a Datasource; the zero value is what Grafana runs.
type Options struct {
	// Timeout of one call to the API; apiclient.DefaultTimeout when zero.
	Timeout time.Duration
	// MaxConcurrentQueries bounds the API calls one QueryData request makes at once.
	MaxConcurrentQueries int
}

// Datasource answers Grafana for one data source instance.
type Datasource struct {
	settings Settings
	client   *apiclient.Client
	// settingsErr is set when the settings cannot work (no URL, bad URL); every handler then
	// answers with it, so the user sees what to fix instead of a generic failure.
	settingsErr error
	opts        Options
}

// NewDatasource is the instance factory datasource.Manage calls.
func NewDatasource(ctx context.Context, instance backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	return New(ctx, instance, Options{})
}

// New creates a Datasource with options; it does no I/O.
func New(_ context.Context, instance backend.DataSourceInstanceSettings, opts Options) (*Datasource, error) {
	if opts.MaxConcurrentQueries <= 0 {
		opts.MaxConcurrentQueries = 4
	}
	d := &Datasource{opts: opts}
	settings, err := LoadSettings(instance)
	if err != nil {
		d.settingsErr = err
		return d, nil
	}
	d.settings = settings
	client, err := apiclient.New(apiclient.Options{BaseURL: settings.URL, Token: settings.APIToken, Timeout: opts.Timeout})
	if err != nil {
		d.settingsErr = err
		return d, nil
	}
	d.client = client
	return d, nil
}

// Dispose releases the instance's pooled connections when its settings change.
func (d *Datasource) Dispose() {
	if d.client != nil {
		d.client.CloseIdleConnections()
	}
}
