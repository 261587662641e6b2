package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/packetflux/packetflux/datasource-plugin/pkg/apiclient"
)

// CheckHealth answers the "Save & test" button: it reads GET /api/health (reachability,
// InfluxDB, last write, drops), then makes one authenticated call so that a wrong token shows
// here and not on the first dashboard.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.settingsErr != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: capitalize(d.settingsErr.Error())}, nil
	}

	health, err := d.client.Health(ctx)
	if err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: capitalize(err.Error())}, nil
	}

	status := backend.HealthStatusOk
	parts := []string{"PacketFlux API reachable"}
	switch {
	case !health.InfluxKnown:
		parts = append(parts, "InfluxDB state not reported")
	case health.InfluxOK:
		parts = append(parts, "InfluxDB OK")
	default:
		status = backend.HealthStatusError
		msg := "InfluxDB unreachable"
		if health.InfluxError != "" {
			msg += ": " + health.InfluxError
		}
		parts = append(parts, msg)
	}
	if health.Interfaces != nil {
		parts = append(parts, fmt.Sprintf("%.0f interfaces known", *health.Interfaces))
	}
	if health.LastWriteKnown {
		if health.LastWriteAge == nil {
			parts = append(parts, "no write by this process yet")
		} else {
			parts = append(parts, "last write "+apiclient.FormatAge(*health.LastWriteAge))
		}
	}
	if health.Drops != nil && *health.Drops > 0 {
		parts = append(parts, fmt.Sprintf("%.0f packets dropped by capture", *health.Drops))
	}

	// /api/health never needs a token; /api/metrics does when the API has one set.
	if _, err := d.client.Metrics(ctx, "", 1, d.settings.DefaultProbe); err != nil {
		status = backend.HealthStatusError
		if apiclient.KindOf(err) == apiclient.KindUnauthorized {
			if d.settings.APIToken == "" {
				parts = append(parts, "but the API requires a token: set the API token")
			} else {
				parts = append(parts, "but the API token was refused: check the API token")
			}
		} else {
			parts = append(parts, "but reading the metric catalog failed: "+err.Error())
		}
	}

	details, _ := json.Marshal(map[string]any{"url": d.client.BaseURL()})
	return &backend.CheckHealthResult{Status: status, Message: strings.Join(parts, "; "), JSONDetails: details}, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
