package harness

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// templateVars are a dashboard's variables with one value each, as the browser holds them once
// the variables are resolved.
type templateVars map[string]string

// variableRef matches Grafana's variable syntaxes: $name (greedy over \w), ${name},
// ${name:format} and [[name]].
var variableRef = regexp.MustCompile(`\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)\]\]|\$(\w+)`)

// interpolate replaces the known variables in text. For metric names (metricName true) it first
// does what the plugin's frontend does (braceVariables in src/template-expansion.ts): `$if_x`,
// where `if` is a variable and `if_x` is not, means `${if}_x`, since metric names join parts with
// `_`. A single value reads the same in every format but regex, which the plugin never asks for.
// Unknown variables stay as they are: the plugin must then refuse the name, which the tests see.
func (v templateVars) interpolate(text string, metricName bool) (string, error) {
	var bad error
	out := variableRef.ReplaceAllStringFunc(text, func(ref string) string {
		m := variableRef.FindStringSubmatch(ref)
		name, format, rest := m[1], m[2], ""
		switch {
		case m[3] != "":
			name = m[3]
		case m[4] != "":
			name = m[4]
			if _, known := v[name]; !known && metricName {
				name, rest = v.longestPrefix(name)
			}
		}
		value, known := v[name]
		if !known {
			return ref
		}
		switch format {
		case "", "raw", "text", "csv", "pipe", "glob":
		case "singlequote":
			value = "'" + value + "'"
		case "doublequote":
			value = `"` + value + `"`
		default:
			bad = fmt.Errorf("%s: format %q is not modelled by the harness", ref, format)
		}
		return value + rest
	})
	return out, bad
}

// longestPrefix splits `if_traffic_bps` into the longest known variable `if` and `_traffic_bps`;
// it returns the name unchanged when no variable is a prefix of it.
func (v templateVars) longestPrefix(name string) (string, string) {
	best := ""
	for known := range v {
		if len(known) > len(best) && strings.HasPrefix(name, known+"_") {
			best = known
		}
	}
	if best == "" {
		return name, ""
	}
	return best, name[len(best):]
}

// variableQuery is a PacketFlux template variable's query: its editor saves an object
// {kind, ifname}, older dashboards a text like `hosts($interface)`.
type variableQuery struct {
	Kind   string `json:"kind"`
	IfName string `json:"ifname"`
}

var variableQueryText = regexp.MustCompile(`^\s*(interfaces|hosts|protocols|categories)\s*(?:\(\s*([^)]*?)\s*\))?\s*$`)

func parseVariableQuery(raw json.RawMessage) (variableQuery, error) {
	var q variableQuery
	var text string
	if err := json.Unmarshal(raw, &text); err == nil {
		m := variableQueryText.FindStringSubmatch(text)
		if m == nil {
			return q, fmt.Errorf("variable query %q is not interfaces, hosts(<if>), protocols(<if>) or categories(<if>)", text)
		}
		return variableQuery{Kind: m[1], IfName: m[2]}, nil
	}
	if err := json.Unmarshal(raw, &q); err != nil {
		return q, err
	}
	if q.Kind == "" {
		return q, fmt.Errorf("variable query %s has no kind", raw)
	}
	return q, nil
}

// text is the query as the API's /api/variables and the plugin's `variables` resource take it.
func (q variableQuery) text() string {
	if q.Kind == "interfaces" {
		return q.Kind
	}
	return q.Kind + "(" + q.IfName + ")"
}

func TestInterpolateLikeTheFrontend(t *testing.T) {
	vars := templateVars{"interface": "eth0", "if": "br_lan", "host": "10.0.0.5"}
	for _, tc := range []struct {
		text       string
		metricName bool
		want       string
	}{
		{"interface_${interface}_traffic_bps", true, "interface_eth0_traffic_bps"},
		{"host_$host_interface_$interface_traffic_bps", true, "host_10.0.0.5_interface_eth0_traffic_bps"},
		{"interface_$if_traffic_bps", true, "interface_br_lan_traffic_bps"},
		{"interface_[[interface]]_traffic_bps", true, "interface_eth0_traffic_bps"},
		{"interface_${interface:raw}_traffic_bps", true, "interface_eth0_traffic_bps"},
		// Legends are not metric names: $if_x is then the unknown variable if_x.
		{"$if_x on $interface", false, "$if_x on eth0"},
		{"{{proto}} on $interface", false, "{{proto}} on eth0"},
		{"interface_${probe}_traffic_bps", true, "interface_${probe}_traffic_bps"},
	} {
		got, err := vars.interpolate(tc.text, tc.metricName)
		if err != nil || got != tc.want {
			t.Errorf("interpolate(%q) = %q, %v; want %q", tc.text, got, err, tc.want)
		}
	}
	if _, err := vars.interpolate("${interface:regex}", true); err == nil {
		t.Error("a regex-formatted variable should be refused, the harness does not escape")
	}
}

func TestParseVariableQuery(t *testing.T) {
	for raw, want := range map[string]string{
		`{"refId":"PacketFluxVariableQuery","kind":"hosts","ifname":"$interface"}`: "hosts($interface)",
		`{"kind":"interfaces"}`: "interfaces",
		`"protocols( eth0 )"`:   "protocols(eth0)",
		`"interfaces"`:          "interfaces",
	} {
		q, err := parseVariableQuery(json.RawMessage(raw))
		if err != nil || q.text() != want {
			t.Errorf("parseVariableQuery(%s) = %q, %v; want %q", raw, q.text(), err, want)
		}
	}
	if _, err := parseVariableQuery(json.RawMessage(`"SHOW TAG VALUES"`)); err == nil {
		t.Error("an InfluxQL text is not a PacketFlux variable query")
	}
}
