package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/packetflux/packetflux/datasource-plugin/pkg/apiclient"
)

const (
	maxResourceInputLength = 512
	defaultMetricsLimit    = 100
	maxMetricsLimit        = 1000
)

// CallResource serves the editors' look-ups under /api/datasources/uid/<uid>/resources/:
//
//	search?target=<prefix>   (GET, or POST {"target"})  → ["metric name", ...]
//	metrics?prefix=&limit=   (GET)                      → [{"name","unit","series","description"}]
//	variables?query=<query>  (GET)                      → [{"text","value"}]
//
// Errors answer {"error", "message"} with 400 for bad input, 502 or 504 for API failures;
// never 401, which Grafana's frontend would take for the user's own session expiring.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	path := strings.Trim(req.Path, "/")
	params := url.Values{}
	if u, err := url.Parse(req.URL); err == nil {
		params = u.Query()
	}

	var allowed []string
	switch path {
	case "search":
		allowed = []string{http.MethodGet, http.MethodPost}
	case "metrics", "variables":
		allowed = []string{http.MethodGet}
	default:
		return sendError(sender, http.StatusNotFound, fmt.Sprintf("no resource %q: use search, metrics or variables", path))
	}
	if !slices.Contains(allowed, req.Method) {
		return sendError(sender, http.StatusMethodNotAllowed, fmt.Sprintf("%s does not accept %s", path, req.Method))
	}
	if d.settingsErr != nil {
		return sendError(sender, http.StatusBadRequest, d.settingsErr.Error())
	}

	switch path {
	case "search":
		target := params.Get("target")
		if req.Method == http.MethodPost && len(req.Body) > 0 {
			var body struct {
				Target string `json:"target"`
			}
			if err := json.Unmarshal(req.Body, &body); err != nil {
				return sendError(sender, http.StatusBadRequest, "search expects {\"target\": \"...\"}")
			}
			target = body.Target
		}
		if len(target) > maxResourceInputLength {
			return sendError(sender, http.StatusBadRequest, "search target is too long")
		}
		names, err := d.client.Search(ctx, target)
		if err != nil {
			return sendAPIError(sender, err)
		}
		return sendJSON(sender, http.StatusOK, names)

	case "metrics":
		prefix := params.Get("prefix")
		limit := defaultMetricsLimit
		if l := params.Get("limit"); l != "" {
			n, err := strconv.Atoi(l)
			if err != nil || n < 1 || n > maxMetricsLimit {
				return sendError(sender, http.StatusBadRequest, fmt.Sprintf("limit must be a number from 1 to %d", maxMetricsLimit))
			}
			limit = n
		}
		if len(prefix) > maxResourceInputLength {
			return sendError(sender, http.StatusBadRequest, "prefix is too long")
		}
		metrics, err := d.client.Metrics(ctx, prefix, limit, d.settings.DefaultProbe)
		if err != nil {
			return sendAPIError(sender, err)
		}
		return sendJSON(sender, http.StatusOK, metrics)

	default: // variables
		query := strings.TrimSpace(params.Get("query"))
		if query == "" || len(query) > maxResourceInputLength {
			return sendError(sender, http.StatusBadRequest, "variables expects query=interfaces, hosts(<if>), protocols(<if>) or categories(<if>)")
		}
		values, err := d.client.Variables(ctx, query, d.settings.DefaultProbe)
		if err != nil {
			return sendAPIError(sender, err)
		}
		return sendJSON(sender, http.StatusOK, values)
	}
}

func sendAPIError(sender backend.CallResourceResponseSender, err error) error {
	status := http.StatusBadGateway
	switch apiclient.KindOf(err) {
	case apiclient.KindBadRequest:
		status = http.StatusBadRequest
	case apiclient.KindTimeout:
		status = http.StatusGatewayTimeout
	}
	return sendError(sender, status, err.Error())
}

func sendError(sender backend.CallResourceResponseSender, status int, message string) error {
	return sendJSON(sender, status, map[string]string{"error": message, "message": message})
}

func sendJSON(sender backend.CallResourceResponseSender, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return sender.Send(&backend.CallResourceResponse{
		Status:  status,
		Headers: map[string][]string{"Content-Type": {"application/json"}},
		Body:    body,
	})
}
