// Package apitest is a fake PacketFlux HTTP API for unit tests: it answers /api/query,
// /api/health, /search, /api/metrics and /api/variables as DESIGN.md documents them, over a
// small fixed catalog. Use it only in tests.
package apitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Catalog of the fake collector.
var (
	Interfaces = []string{"eth0", "br_lan"}
	Hosts      = []string{"10.0.0.5", "fd00::7"}
	Protocols  = []string{"TLS", "DNS", "HTTP_Proxy"}
	Categories = []string{"Web", "Network"}
)

// QueryBody is what the fake received on POST /api/query.
type QueryBody struct {
	Range struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"range"`
	IntervalMs    int64  `json:"intervalMs"`
	MaxDataPoints int64  `json:"maxDataPoints"`
	Probe         string `json:"probe"`
	Targets       []struct {
		RefID        string `json:"refId"`
		Target       string `json:"target"`
		Top          int    `json:"top"`
		LegendFormat string `json:"legendFormat"`
	} `json:"targets"`
}

// Server is a running fake API.
type Server struct {
	*httptest.Server
	// Token, when not empty, is required as a Bearer token on every path but /api/health.
	Token string
	// HealthBody is the JSON answered on /api/health, with HealthStatus (200 when zero).
	HealthBody   string
	HealthStatus int

	mu          sync.Mutex
	queries     []QueryBody
	authHeaders []string
}

type metricInfo struct {
	name   string
	unit   string
	multi  bool
	labels map[string]string
	// seriesLabel names the label that splits a multi-series metric, seriesValues its values.
	seriesLabel  string
	seriesValues []string
}

// NewServer starts a fake API; close it with Close.
func NewServer(token string) *Server {
	s := &Server{
		Token:      token,
		HealthBody: `{"influx":{"ok":true},"lastWriteMs":null,"drops":0}`,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", s.health)
	mux.HandleFunc("POST /api/query", s.auth(s.query))
	mux.HandleFunc("POST /search", s.auth(s.search))
	mux.HandleFunc("GET /api/metrics", s.auth(s.metrics))
	mux.HandleFunc("GET /api/variables", s.auth(s.variables))
	s.Server = httptest.NewServer(mux)
	return s
}

// Queries returns the bodies received on /api/query so far.
func (s *Server) Queries() []QueryBody {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]QueryBody(nil), s.queries...)
}

// AuthHeaders returns the Authorization headers received so far, on every path.
func (s *Server) AuthHeaders() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.authHeaders...)
}

func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization")
		s.mu.Lock()
		s.authHeaders = append(s.authHeaders, got)
		s.mu.Unlock()
		if s.Token != "" && got != "Bearer "+s.Token {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or wrong API token"})
			return
		}
		next(w, r)
	}
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if s.HealthStatus != 0 {
		w.WriteHeader(s.HealthStatus)
	}
	_, _ = w.Write([]byte(s.HealthBody))
}

func catalog() []metricInfo {
	var out []metricInfo
	for _, ifname := range Interfaces {
		l := map[string]string{"ifname": ifname}
		p := "interface_" + ifname + "_"
		out = append(out,
			metricInfo{name: p + "traffic_bps", unit: "bps", labels: l},
			metricInfo{name: p + "traffic_pps", unit: "pps", labels: l},
			metricInfo{name: p + "traffic_total_bytes", unit: "decbytes", labels: l},
			metricInfo{name: p + "traffic_total_packets", unit: "short", labels: l},
			metricInfo{name: p + "allprotocols_bps", unit: "bps", multi: true, labels: l, seriesLabel: "proto", seriesValues: Protocols},
			metricInfo{name: p + "allcategories_bps", unit: "bps", multi: true, labels: l, seriesLabel: "category", seriesValues: Categories},
			metricInfo{name: p + "tophosts_bps", unit: "bps", multi: true, labels: l, seriesLabel: "host", seriesValues: Hosts},
		)
		for _, proto := range Protocols {
			out = append(out, metricInfo{name: p + "protocol_" + proto + "_bps", unit: "bps",
				labels: map[string]string{"ifname": ifname, "proto": proto}})
		}
		for _, host := range Hosts {
			hl := map[string]string{"ifname": ifname, "host": host}
			hp := "host_" + host + "_interface_" + ifname + "_"
			out = append(out,
				metricInfo{name: hp + "traffic_bps", unit: "bps", labels: hl},
				metricInfo{name: hp + "traffic_total_bytes", unit: "decbytes", labels: hl},
				metricInfo{name: hp + "allprotocols_bps", unit: "bps", multi: true, labels: hl, seriesLabel: "proto", seriesValues: Protocols},
			)
		}
	}
	return out
}

func lookup(name string) (metricInfo, bool) {
	for _, m := range catalog() {
		if m.name == name {
			return m, true
		}
	}
	return metricInfo{}, false
}

type frame struct {
	RefID  string            `json:"refId"`
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
	Unit   string            `json:"unit"`
	Times  []int64           `json:"times"`
	Values []*float64        `json:"values"`
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	var body QueryBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "malformed body: " + err.Error()})
		return
	}
	s.mu.Lock()
	s.queries = append(s.queries, body)
	s.mu.Unlock()

	from, errFrom := time.Parse(time.RFC3339Nano, body.Range.From)
	to, errTo := time.Parse(time.RFC3339Nano, body.Range.To)
	switch {
	case errFrom != nil || errTo != nil || !to.After(from):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "range.from and range.to must be RFC 3339 times, from before to"})
		return
	case body.IntervalMs <= 0:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "intervalMs must be positive"})
		return
	case body.MaxDataPoints <= 0 || body.MaxDataPoints > 50000:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "maxDataPoints out of range 1..50000"})
		return
	case len(body.Targets) == 0:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "targets is empty"})
		return
	}

	// Three points at the end of the range, one interval apart.
	step := body.IntervalMs
	end := to.UnixMilli() / step * step
	times := []int64{end - 2*step, end - step, end}

	frames := []frame{}
	for _, t := range body.Targets {
		m, ok := lookup(t.Target)
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("unknown metric %q: no interface matches", t.Target)})
			return
		}
		if !m.multi {
			frames = append(frames, frame{RefID: t.RefID, Name: legend(t.LegendFormat, m.name, m.labels, t.Target),
				Labels: m.labels, Unit: m.unit, Times: times, Values: values(1000, nil)})
			continue
		}
		top := t.Top
		if top <= 0 {
			top = 10
		}
		series := m.seriesValues
		other := false
		if top < len(series) {
			series, other = series[:top], true
		}
		if other {
			series = append(series, "Other")
		}
		for i, v := range series {
			labels := with(m.labels, m.seriesLabel, v)
			f := frame{RefID: t.RefID, Name: legend(t.LegendFormat, v, labels, t.Target), Labels: labels, Unit: m.unit,
				Times: times, Values: values(float64(100*(i+1)), nil)}
			if v == "Other" {
				// A gap in the middle, as the API answers for a bucket without traffic.
				f.Values = values(5, []int{1})
			}
			frames = append(frames, f)
		}
	}
	writeJSON(w, http.StatusOK, frames)
}

var legendPattern = regexp.MustCompile(`\{\{\s*([A-Za-z_]\w*)\s*\}\}`)

// legend renders a legend format as the API does: {{label}}, {{name}} (the series' own name),
// {{metric}} (the target); unknown labels become empty.
func legend(format, name string, labels map[string]string, metric string) string {
	if format == "" {
		return name
	}
	return legendPattern.ReplaceAllStringFunc(format, func(m string) string {
		switch key := legendPattern.FindStringSubmatch(m)[1]; key {
		case "name":
			return name
		case "metric":
			return metric
		default:
			return labels[key]
		}
	})
}

func values(base float64, nullAt []int) []*float64 {
	out := make([]*float64, 3)
	for i := range out {
		v := base * float64(i+1)
		out[i] = &v
	}
	for _, i := range nullAt {
		out[i] = nil
	}
	return out
}

func with(labels map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(labels)+1)
	for lk, lv := range labels {
		out[lk] = lv
	}
	out[k] = v
	return out
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Target string `json:"target"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "malformed body"})
		return
	}
	names := []string{}
	for _, m := range catalog() {
		if strings.HasPrefix(m.name, body.Target) && len(names) < 100 {
			names = append(names, m.name)
		}
	}
	writeJSON(w, http.StatusOK, names)
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("prefix")
	limit := 100
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "limit must be 1..1000"})
			return
		}
		limit = n
	}
	type metric struct {
		Name        string `json:"name"`
		Unit        string `json:"unit"`
		Series      string `json:"series"`
		Description string `json:"description"`
	}
	out := []metric{}
	for _, m := range catalog() {
		if !strings.HasPrefix(m.name, prefix) || len(out) >= limit {
			continue
		}
		series := "single"
		if m.multi {
			series = "multi"
		}
		out = append(out, metric{Name: m.name, Unit: m.unit, Series: series, Description: "fake " + m.name})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) variables(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("query"))
	if q == "interfaces" {
		writeJSON(w, http.StatusOK, Interfaces)
		return
	}
	open := strings.IndexByte(q, '(')
	if open < 0 || !strings.HasSuffix(q, ")") {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("unknown variable query %q", q)})
		return
	}
	fn, arg := q[:open], q[open+1:len(q)-1]
	known := false
	for _, i := range Interfaces {
		known = known || i == arg
	}
	if !known {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("unknown interface %q", arg)})
		return
	}
	var out []string
	switch fn {
	case "hosts":
		out = Hosts
	case "protocols":
		out = Protocols
	case "categories":
		// Answered as {text, value} objects, which the API may also do.
		objs := []map[string]string{}
		for _, c := range Categories {
			objs = append(objs, map[string]string{"text": c, "value": c})
		}
		writeJSON(w, http.StatusOK, objs)
		return
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("unknown variable query %q", fn)})
		return
	}
	sorted := append([]string(nil), out...)
	sort.Strings(sorted)
	writeJSON(w, http.StatusOK, sorted)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
