package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"
)

// Health is what GET /api/health says, read tolerantly: every field may be missing.
type Health struct {
	// InfluxKnown is false when the answer says nothing about InfluxDB.
	InfluxKnown bool
	InfluxOK    bool
	InfluxError string
	// LastWriteKnown is true when the answer has a lastWriteMs field; LastWriteAge is then nil
	// when the collector has written nothing yet (null).
	LastWriteKnown bool
	LastWriteAge   *time.Duration
	// Drops is the capture drop count, nil when not reported.
	Drops *float64
	// Interfaces is how many interfaces the API's catalog knows, nil when not reported.
	Interfaces *float64
}

// epochMsThreshold separates a timestamp from an age in lastWriteMs: 1e11 ms is March 1973,
// and no sane age is three years long.
const epochMsThreshold = 1e11

// ParseHealth reads a /api/health body. It understands
//
//	{ "influx": { "ok": bool, "error"?: string } | bool, "lastWriteMs"?: number|string|null,
//	  "lastWriteAgeMs"?: number|null, "drops"?: number, "catalog"?: { "interfaces": number } }
//
// where lastWriteMs is either the epoch time of the last write in milliseconds or, when it is
// small, the age of that write in milliseconds; lastWriteAgeMs wins when present. "influxdb" is
// accepted for "influx", and "reachable" or "status": "ok"|"error" for "ok".
func ParseHealth(body []byte, now time.Time) (Health, error) {
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return Health{}, err
	}
	if raw == nil {
		return Health{}, errors.New("null")
	}
	var h Health

	influx, ok := raw["influx"]
	if !ok {
		influx, ok = raw["influxdb"]
	}
	if ok {
		h.InfluxKnown = true
		switch v := influx.(type) {
		case bool:
			h.InfluxOK = v
		case map[string]any:
			h.InfluxOK, h.InfluxKnown = okFlag(v)
			if e, ok := v["error"].(string); ok {
				h.InfluxError = e
			} else if e, ok := v["message"].(string); ok && !h.InfluxOK {
				h.InfluxError = e
			}
		default:
			h.InfluxKnown = false
		}
	}

	if age, ok := raw["lastWriteAgeMs"].(float64); ok && age >= 0 {
		// The API's own clock measured it: better than comparing timestamps across machines.
		d := time.Duration(age * float64(time.Millisecond))
		h.LastWriteKnown, h.LastWriteAge = true, &d
	} else if v, ok := raw["lastWriteMs"]; ok {
		h.LastWriteKnown = true
		h.LastWriteAge = lastWriteAge(v, now)
		if v != nil && h.LastWriteAge == nil {
			h.LastWriteKnown = false
		}
	}

	if catalog, ok := raw["catalog"].(map[string]any); ok {
		if n, ok := catalog["interfaces"].(float64); ok {
			h.Interfaces = &n
		}
	}

	if d, ok := raw["drops"].(float64); ok {
		h.Drops = &d
	} else if m, ok := raw["drops"].(map[string]any); ok {
		// {"drops": {"eth0": 3, "eth1": 0}}: add them up.
		total := 0.0
		for _, n := range m {
			if f, ok := n.(float64); ok {
				total += f
			}
		}
		h.Drops = &total
	}
	return h, nil
}

// identifyTimeout bounds Identify, which only runs after /api/health failed.
const identifyTimeout = 5 * time.Second

// Identify names the server at the client's URL when it is not a PacketFlux API, from the
// headers of its answer to GET /ping: "InfluxDB 1.8.10" (InfluxDB 1.x and 2.x set
// X-Influxdb-Version on every answer), or "" when it cannot tell. The token is not sent to it.
func (c *Client) Identify(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, identifyTimeout)
	defer cancel()
	u := *c.baseURL
	u.Path = c.baseURL.Path + "/ping"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return ""
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return ""
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if version := strings.TrimSpace(resp.Header.Get("X-Influxdb-Version")); version != "" {
		if len(version) > 40 {
			version = version[:40] + "…" // another server's text, in our message
		}
		return "InfluxDB " + version
	}
	if resp.Header.Get("X-Influxdb-Build") != "" {
		return "InfluxDB"
	}
	return ""
}

func okFlag(obj map[string]any) (ok bool, known bool) {
	if b, isBool := obj["ok"].(bool); isBool {
		return b, true
	}
	if b, isBool := obj["reachable"].(bool); isBool {
		return b, true
	}
	if s, isString := obj["status"].(string); isString {
		s = strings.ToLower(s)
		return s == "ok" || s == "up" || s == "pass", true
	}
	if _, hasError := obj["error"]; hasError {
		return false, true
	}
	return false, false
}

func lastWriteAge(v any, now time.Time) *time.Duration {
	var ms float64
	switch t := v.(type) {
	case float64:
		ms = t
	case string:
		at, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return nil
		}
		age := now.Sub(at)
		return &age
	default:
		return nil
	}
	if math.IsNaN(ms) || math.IsInf(ms, 0) || ms < 0 {
		return nil
	}
	var age time.Duration
	if ms >= epochMsThreshold {
		age = now.Sub(time.UnixMilli(int64(ms)))
	} else {
		age = time.Duration(ms * float64(time.Millisecond))
	}
	if age < 0 {
		age = 0
	}
	return &age
}

// FormatAge writes an age for people: "12 s ago", "4 min ago", "3 h ago", "2 days ago".
func FormatAge(age time.Duration) string {
	switch {
	case age < time.Second:
		return "just now"
	case age < 90*time.Second:
		return fmt.Sprintf("%d s ago", int(age.Round(time.Second)/time.Second))
	case age < 90*time.Minute:
		return fmt.Sprintf("%d min ago", int(age.Round(time.Minute)/time.Minute))
	case age < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(age.Round(time.Hour)/time.Hour))
	default:
		return fmt.Sprintf("%d days ago", int(age/(24*time.Hour)))
	}
}
