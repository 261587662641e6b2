package plugin

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Settings of one data source instance: jsonData {url, defaultProbe} and secureJsonData
// {apiToken}. The token is decrypted by Grafana for the backend only.
type Settings struct {
	URL          string `json:"url"`
	DefaultProbe string `json:"defaultProbe"`
	APIToken     string `json:"-"`
}

// LoadSettings reads an instance's settings. jsonData.url wins; Grafana's own URL field is
// the fallback, so a data source provisioned with `url:` works too.
func LoadSettings(instance backend.DataSourceInstanceSettings) (Settings, error) {
	var s Settings
	if len(instance.JSONData) > 0 {
		if err := json.Unmarshal(instance.JSONData, &s); err != nil {
			return Settings{}, fmt.Errorf("the data source settings are not valid JSON: %w", err)
		}
	}
	s.URL = strings.TrimSpace(s.URL)
	if s.URL == "" {
		s.URL = strings.TrimSpace(instance.URL)
	}
	s.DefaultProbe = strings.TrimSpace(s.DefaultProbe)
	s.APIToken = strings.TrimSpace(instance.DecryptedSecureJSONData["apiToken"])
	return s, nil
}
