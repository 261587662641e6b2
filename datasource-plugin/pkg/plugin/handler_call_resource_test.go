package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/packetflux/packetflux/datasource-plugin/pkg/apiclient/apitest"
)

type captureSender struct{ resp *backend.CallResourceResponse }

func (c *captureSender) Send(r *backend.CallResourceResponse) error {
	c.resp = r
	return nil
}

func callResource(t *testing.T, ds *Datasource, method, pathAndQuery string, body string) (int, string) {
	t.Helper()
	path := pathAndQuery
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	sender := &captureSender{}
	err := ds.CallResource(context.Background(), &backend.CallResourceRequest{
		Method: method,
		Path:   path,
		URL:    "/api/datasources/uid/x/resources/" + pathAndQuery,
		Body:   []byte(body),
	}, sender)
	if err != nil {
		t.Fatal(err)
	}
	if sender.resp == nil {
		t.Fatal("no response sent")
	}
	return sender.resp.Status, string(sender.resp.Body)
}

func TestCallResource(t *testing.T) {
	api := apitest.NewServer(testToken)
	defer api.Close()
	ds := newTestDatasource(t, api.URL, testToken, Options{})

	cases := []struct {
		name, method, path, body string
		wantStatus               int
		want                     string
	}{
		{"search by GET", http.MethodGet, "search?target=interface_br", "", 200,
			`"interface_br_lan_traffic_bps"`},
		{"search by POST", http.MethodPost, "search", `{"target":"host_fd00::7_interface_eth0_a"}`, 200,
			`["host_fd00::7_interface_eth0_allprotocols_bps"]`},
		{"search with nothing typed", http.MethodGet, "search", "", 200, `"interface_eth0_traffic_bps"`},
		{"metrics", http.MethodGet, "metrics?prefix=interface_eth0_all&limit=1", "", 200,
			`[{"name":"interface_eth0_allprotocols_bps","unit":"bps","series":"multi","description":"fake interface_eth0_allprotocols_bps"}]`},
		{"metrics bad limit", http.MethodGet, "metrics?limit=0", "", 400, "limit must be a number"},
		{"variables interfaces", http.MethodGet, "variables?query=interfaces", "", 200,
			`[{"text":"eth0","value":"eth0"},{"text":"br_lan","value":"br_lan"}]`},
		{"variables hosts", http.MethodGet, "variables?query=hosts(br_lan)", "", 200,
			`[{"text":"10.0.0.5","value":"10.0.0.5"},{"text":"fd00::7","value":"fd00::7"}]`},
		{"variables as objects", http.MethodGet, "variables?query=categories(eth0)", "", 200,
			`[{"text":"Web","value":"Web"},{"text":"Network","value":"Network"}]`},
		{"variables unknown interface", http.MethodGet, "variables?query=hosts(wlan9)", "", 400,
			`unknown interface \"wlan9\"`},
		{"variables without query", http.MethodGet, "variables", "", 400, "variables expects query="},
		{"unknown resource", http.MethodGet, "secrets", "", 404, `no resource \"secrets\"`},
		{"wrong method", http.MethodPost, "metrics", "", 405, "metrics does not accept POST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := callResource(t, ds, c.method, c.path, c.body)
			if status != c.wantStatus || !strings.Contains(body, c.want) {
				t.Errorf("got %d %s, want %d containing %s", status, body, c.wantStatus, c.want)
			}
			if strings.Contains(body, testToken) {
				t.Errorf("the token leaked to the browser: %s", body)
			}
		})
	}
}

func TestCallResourceAPIFailureIsNever401(t *testing.T) {
	api := apitest.NewServer(testToken)
	defer api.Close()
	ds := newTestDatasource(t, api.URL, "wrong", Options{})
	status, body := callResource(t, ds, http.MethodGet, "search?target=x", "")
	if status != http.StatusBadGateway {
		t.Errorf("status %d, want 502 (a 401 would log the Grafana user out)", status)
	}
	var payload map[string]string
	if err := json.Unmarshal([]byte(body), &payload); err != nil || !strings.Contains(payload["message"], "API token") {
		t.Errorf("body %s", body)
	}
}
