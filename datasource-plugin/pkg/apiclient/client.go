// Package apiclient calls the PacketFlux HTTP API (see "HTTP API" in DESIGN.md): /api/query,
// /api/health, /search, /api/metrics and /api/variables. It knows nothing about Grafana.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// DefaultTimeout bounds one call to the API, connection included.
	DefaultTimeout = 30 * time.Second
	// maxBodyBytes bounds what is read from one answer.
	maxBodyBytes = 64 << 20
	userAgent    = "packetflux-grafana-datasource"
)

// Options configure a Client.
type Options struct {
	// BaseURL of the API, e.g. http://localhost:3001. Required.
	BaseURL string
	// Token is sent as "Authorization: Bearer <token>" when not empty.
	Token string
	// Timeout of one call; DefaultTimeout when zero.
	Timeout time.Duration
	// HTTPClient replaces the default client (its Timeout is then left as it is).
	HTTPClient *http.Client
}

// Client calls one PacketFlux API. It is safe for concurrent use.
type Client struct {
	baseURL *url.URL
	token   string
	http    *http.Client
	timeout time.Duration
}

// New validates opts and returns a client; it does no I/O.
func New(opts Options) (*Client, error) {
	base, err := ParseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	httpClient := opts.HTTPClient
	if httpClient == nil {
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = 8
		transport.ResponseHeaderTimeout = timeout
		httpClient = &http.Client{Timeout: timeout, Transport: transport}
	}
	return &Client{baseURL: base, token: opts.Token, http: httpClient, timeout: timeout}, nil
}

// ParseBaseURL checks that raw is an absolute http(s) URL and drops a trailing slash.
func ParseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("the PacketFlux API URL is not set: enter it in the data source settings (e.g. http://localhost:3001)")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the PacketFlux API URL %q is not an http:// or https:// URL", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery = ""
	u.Fragment = ""
	return u, nil
}

// BaseURL is the API's address as configured, for messages.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// CloseIdleConnections releases pooled connections; call it when the client is dropped.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// QueryRequest is the body of POST /api/query.
type QueryRequest struct {
	Range         Range    `json:"range"`
	IntervalMs    int64    `json:"intervalMs"`
	MaxDataPoints int64    `json:"maxDataPoints"`
	Targets       []Target `json:"targets"`
	// Probe limits the query to one collector instance; omitted when empty.
	Probe string `json:"probe,omitempty"`
}

// Range is the queried time range, as RFC 3339 timestamps in UTC with milliseconds (the form
// JavaScript's Date.toISOString writes and SimpleJSON datasources send).
type Range struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// NewRange formats a time range for a QueryRequest.
func NewRange(from, to time.Time) Range {
	const layout = "2006-01-02T15:04:05.000Z07:00"
	return Range{From: from.UTC().Format(layout), To: to.UTC().Format(layout)}
}

// Target is one metric name to read.
type Target struct {
	RefID        string `json:"refId"`
	Target       string `json:"target"`
	Top          int    `json:"top,omitempty"`
	LegendFormat string `json:"legendFormat,omitempty"`
}

// Frame is one series of the answer of POST /api/query. Values may hold nulls.
type Frame struct {
	RefID  string            `json:"refId"`
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
	Unit   string            `json:"unit"`
	Times  []float64         `json:"times"`
	Values []*float64        `json:"values"`
}

// Query runs POST /api/query.
func (c *Client) Query(ctx context.Context, req QueryRequest) ([]Frame, error) {
	body, err := c.do(ctx, http.MethodPost, "/api/query", nil, req)
	if err != nil {
		return nil, err
	}
	var frames []Frame
	if err := json.Unmarshal(body, &frames); err != nil {
		return nil, badResponse("/api/query", "an array of frames", err)
	}
	for i, f := range frames {
		if len(f.Times) != len(f.Values) {
			return nil, &Error{
				Kind:    KindBadResponse,
				Message: fmt.Sprintf("PacketFlux API answered frame %d (%q) with %d times but %d values", i, f.Name, len(f.Times), len(f.Values)),
			}
		}
	}
	return frames, nil
}

// Search runs POST /search and returns the matching metric names, best first.
func (c *Client) Search(ctx context.Context, target string) ([]string, error) {
	body, err := c.do(ctx, http.MethodPost, "/search", nil, map[string]string{"target": target})
	if err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal(body, &names); err != nil {
		return nil, badResponse("/search", "an array of metric names", err)
	}
	return names, nil
}

// Metric describes one metric name of the catalog.
type Metric struct {
	Name        string `json:"name"`
	Unit        string `json:"unit,omitempty"`
	Series      string `json:"series,omitempty"` // "single" or "multi"
	Description string `json:"description,omitempty"`
}

// Metrics runs GET /api/metrics?prefix=&limit=. A limit <= 0 is left out.
func (c *Client) Metrics(ctx context.Context, prefix string, limit int, probe string) ([]Metric, error) {
	q := url.Values{}
	q.Set("prefix", prefix)
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if probe != "" {
		q.Set("probe", probe)
	}
	body, err := c.do(ctx, http.MethodGet, "/api/metrics", q, nil)
	if err != nil {
		return nil, err
	}
	var metrics []Metric
	if err := json.Unmarshal(body, &metrics); err != nil {
		return nil, badResponse("/api/metrics", "an array of metrics", err)
	}
	return metrics, nil
}

// VariableValue is one value of a template variable.
type VariableValue struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// Variables runs GET /api/variables?query= and accepts an array of strings or of
// {text, value} objects.
func (c *Client) Variables(ctx context.Context, query, probe string) ([]VariableValue, error) {
	q := url.Values{}
	q.Set("query", query)
	if probe != "" {
		q.Set("probe", probe)
	}
	body, err := c.do(ctx, http.MethodGet, "/api/variables", q, nil)
	if err != nil {
		return nil, err
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, badResponse("/api/variables", "an array of values", err)
	}
	values := make([]VariableValue, 0, len(raw))
	for _, item := range raw {
		var s string
		if json.Unmarshal(item, &s) == nil {
			values = append(values, VariableValue{Text: s, Value: s})
			continue
		}
		var obj struct {
			Text  *string `json:"text"`
			Value *string `json:"value"`
		}
		if err := json.Unmarshal(item, &obj); err != nil || (obj.Text == nil && obj.Value == nil) {
			return nil, badResponse("/api/variables", "strings or {text, value} objects", err)
		}
		v := VariableValue{}
		if obj.Value != nil {
			v.Value = *obj.Value
			v.Text = *obj.Value
		}
		if obj.Text != nil {
			v.Text = *obj.Text
			if obj.Value == nil {
				v.Value = *obj.Text
			}
		}
		values = append(values, v)
	}
	return values, nil
}

// Health runs GET /api/health; see ParseHealth for what it understands. A 503 answer that
// carries a health report (InfluxDB down) is a report, not an error.
func (c *Client) Health(ctx context.Context) (Health, error) {
	status, body, err := c.exchange(ctx, http.MethodGet, "/api/health", nil, nil)
	if err != nil {
		return Health{}, err
	}
	if status < 200 || status > 299 {
		if h, perr := ParseHealth(body, time.Now()); status == http.StatusServiceUnavailable && perr == nil && h.InfluxKnown {
			return h, nil
		}
		return Health{}, statusError(status, apiErrorMessage(body), "/api/health")
	}
	h, err := ParseHealth(body, time.Now())
	if err != nil {
		return Health{}, badResponse("/api/health", "a JSON object", err)
	}
	return h, nil
}

// do runs one call and turns a non-2xx answer into an *Error.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, payload any) ([]byte, error) {
	status, body, err := c.exchange(ctx, method, path, query, payload)
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, statusError(status, apiErrorMessage(body), path)
	}
	return body, nil
}

// exchange runs one call and returns the answer's status and body, bounded in size.
func (c *Client) exchange(ctx context.Context, method, path string, query url.Values, payload any) (int, []byte, error) {
	u := *c.baseURL
	u.Path = c.baseURL.Path + path
	if query != nil {
		u.RawQuery = query.Encode()
	}
	var reqBody io.Reader
	if payload != nil {
		buf, err := json.Marshal(payload)
		if err != nil {
			return 0, nil, fmt.Errorf("encoding the request to %s: %w", path, err)
		}
		reqBody = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reqBody)
	if err != nil {
		return 0, nil, fmt.Errorf("building the request to %s: %w", path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, c.transportError(ctx, path, err)
	}
	defer func() { _ = resp.Body.Close() }()

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return 0, nil, c.transportError(ctx, path, err)
	}
	if len(body) > maxBodyBytes {
		return 0, nil, &Error{Kind: KindBadResponse, Status: resp.StatusCode,
			Message: fmt.Sprintf("PacketFlux API answer on %s is larger than %d MiB: narrow the query", path, maxBodyBytes>>20)}
	}
	return resp.StatusCode, body, nil
}

func (c *Client) transportError(ctx context.Context, path string, err error) *Error {
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &Error{Kind: KindTimeout, Message: "the request to the PacketFlux API was cancelled", Err: err}
		}
		return &Error{Kind: KindTimeout, Err: err,
			Message: fmt.Sprintf("PacketFlux API at %s did not answer %s within %s", c.baseURL, path, c.timeout)}
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Kind: KindTimeout, Message: "the request to the PacketFlux API was cancelled", Err: err}
	}
	return &Error{Kind: KindUnreachable, Err: err,
		Message: fmt.Sprintf("cannot reach the PacketFlux API at %s: %s", c.baseURL, rootCause(err))}
}

// rootCause strips the URL wrapper net/http adds, so that messages name the cause once.
func rootCause(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	return err.Error()
}

// apiErrorMessage reads {"error": "..."} (or {"message": "..."}) from an error answer, else a
// short plain-text body.
func apiErrorMessage(body []byte) string {
	var obj struct {
		Error   any    `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &obj) == nil {
		switch e := obj.Error.(type) {
		case string:
			if e != "" {
				return e
			}
		case map[string]any:
			if m, ok := e["message"].(string); ok && m != "" {
				return m
			}
		}
		if obj.Message != "" {
			return obj.Message
		}
	}
	text := strings.TrimSpace(string(body))
	if text == "" || strings.HasPrefix(text, "<") || strings.HasPrefix(text, "{") {
		return ""
	}
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	return text
}

func badResponse(path, want string, err error) *Error {
	msg := fmt.Sprintf("PacketFlux API answered %s with something other than %s", path, want)
	if err != nil {
		msg += ": " + err.Error()
	}
	return &Error{Kind: KindBadResponse, Message: msg, Err: err}
}
