package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/packetflux/packetflux/datasource-plugin/pkg/apiclient"
)

// What to do, in the words of the collector's command line.
const (
	startAPIAdvice = "Check the URL, and that packetflux serve (or packetflux capture) is running there: " +
		"it listens on its --api-port, 3001 by default."
	setURLAdvice   = "set the URL to the PacketFlux API (packetflux serve --api-port, 3001 by default)"
	setTokenAdvice = "set the data source's API token to the API's --api-token"
)

// CheckHealth answers the "Save & test" button: it reads GET /api/health (reachability,
// InfluxDB, last write, drops), then makes one authenticated call so that a wrong token shows
// here and not on the first dashboard.
//
// When all is well the message lists what the API reports ("PacketFlux API reachable;
// InfluxDB OK; …"). Otherwise it starts with each problem and what to do about it: nothing
// answering at the URL, something that is not a PacketFlux API answering there, a refused or
// missing token, the API's InfluxDB unreachable.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.settingsErr != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: capitalize(d.settingsErr.Error())}, nil
	}
	details, _ := json.Marshal(map[string]any{"url": d.client.BaseURL()})

	health, err := d.client.Health(ctx)
	if err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: d.unreadableHealth(ctx, err), JSONDetails: details}, nil
	}

	var problems, facts []string
	switch {
	case !health.InfluxKnown:
		facts = append(facts, "InfluxDB state not reported")
	case health.InfluxOK:
		facts = append(facts, "InfluxDB OK")
	default:
		cause := ""
		if health.InfluxError != "" {
			cause = ": " + health.InfluxError
		}
		problems = append(problems, fmt.Sprintf("The PacketFlux API at %s runs, but cannot reach its InfluxDB%s. "+
			"Start InfluxDB, or correct the API's --influx-url.", d.client.BaseURL(), cause))
	}
	if health.Interfaces != nil {
		facts = append(facts, plural(*health.Interfaces, "interface")+" known")
	}
	if health.LastWriteKnown {
		if health.LastWriteAge == nil {
			facts = append(facts, "no write by this process yet")
		} else {
			facts = append(facts, "last write "+apiclient.FormatAge(*health.LastWriteAge))
		}
	}
	if health.Drops != nil && *health.Drops > 0 {
		facts = append(facts, plural(*health.Drops, "packet")+" dropped by capture")
	}

	// /api/health never needs a token; /api/metrics does when the API has one set.
	if _, err := d.client.Metrics(ctx, "", 1, d.settings.DefaultProbe); err != nil {
		if p := d.catalogProblem(err, health); p != "" {
			problems = append(problems, p)
		}
	}

	if len(problems) == 0 {
		message := strings.Join(append([]string{"PacketFlux API reachable"}, facts...), "; ")
		return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: message, JSONDetails: details}, nil
	}
	message := strings.Join(problems, " ")
	if len(facts) > 0 {
		message += " The API reports: " + strings.Join(facts, "; ") + "."
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: message, JSONDetails: details}, nil
}

// unreadableHealth says why GET /api/health gave no health report.
func (d *Datasource) unreadableHealth(ctx context.Context, err error) string {
	var apiErr *apiclient.Error
	if !errors.As(err, &apiErr) {
		return capitalize(err.Error())
	}
	switch apiErr.Kind {
	case apiclient.KindUnreachable, apiclient.KindTimeout:
		if ctx.Err() != nil {
			return capitalize(apiErr.Message) // Grafana gave up, not the API
		}
		return capitalize(apiErr.Message) + ". " + startAPIAdvice
	case apiclient.KindNotFound, apiclient.KindBadResponse:
		// The PacketFlux API always has /api/health and answers it with a JSON object.
		answer := fmt.Sprintf("GET /api/health answered HTTP %d", apiErr.Status)
		if apiErr.Kind == apiclient.KindBadResponse {
			answer = "its answer to GET /api/health is not a health report"
		}
		if server := d.client.Identify(ctx); server != "" {
			return fmt.Sprintf("The URL %s is %s, not a PacketFlux API (%s): %s; "+
				"the API reads InfluxDB for Grafana and has a port of its own.", d.client.BaseURL(), server, answer, setURLAdvice)
		}
		return fmt.Sprintf("The URL %s is not a PacketFlux API (%s): %s.", d.client.BaseURL(), answer, setURLAdvice)
	default:
		return capitalize(apiErr.Message)
	}
}

// catalogProblem says why the authenticated call failed, or "" when the health report already
// said it (InfluxDB down).
func (d *Datasource) catalogProblem(err error, health apiclient.Health) string {
	var apiErr *apiclient.Error
	if !errors.As(err, &apiErr) {
		return "Reading the metric catalog failed: " + err.Error() + "."
	}
	switch apiErr.Kind {
	case apiclient.KindUnauthorized:
		answer := fmt.Sprintf("HTTP %d", apiErr.Status)
		if apiErr.APIMessage != "" {
			answer += ": " + apiErr.APIMessage
		}
		if d.settings.APIToken == "" {
			return fmt.Sprintf("The PacketFlux API at %s requires an API token (%s): %s.", d.client.BaseURL(), answer, setTokenAdvice)
		}
		return fmt.Sprintf("The PacketFlux API at %s refused the API token (%s): %s.", d.client.BaseURL(), answer, setTokenAdvice)
	case apiclient.KindUnavailable:
		if health.InfluxKnown && !health.InfluxOK {
			return ""
		}
	}
	return "Reading the metric catalog failed: " + apiErr.Message + "."
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// plural writes "1 interface", "2 interfaces".
func plural(n float64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%.0f %ss", n, noun)
}
