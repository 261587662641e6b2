// Command gpx_packetflux is the backend of the PacketFlux Grafana datasource. Grafana starts it
// and talks to it over gRPC; it forwards queries, health checks and editor look-ups to the
// PacketFlux HTTP API.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/packetflux/packetflux/datasource-plugin/pkg/plugin"
)

func main() {
	// Manage serves until Grafana stops the process; it creates one Datasource per configured
	// data source instance and disposes of it when its settings change.
	if err := datasource.Manage(plugin.PluginID, plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error("serving the plugin failed", "error", err)
		os.Exit(1)
	}
}
