// Package harness holds tests only: they run the built plugin executable the way Grafana runs
// it and talk to it over Grafana's plugin protocol, so that what is proven is the shipped binary
// behind gRPC, not the handlers called in-process.
//
// What the tests do, one file per concern:
//
//   - plugin_process_test.go starts dist/gpx_packetflux_<os>_<arch> with hashicorp/go-plugin and
//     the SDK's handshake, gRPC only, with an environment set explicitly.
//   - grafana_client_test.go sends QueryData, CheckHealth and CallResource as protobuf messages,
//     converted with the SDK's backend.ToProto/FromProto, with the PluginContext Grafana builds
//     from the provisioned data source.
//   - provisioning_test.go reads the provisioned data source, dashboards and rendered alert rules
//     and turns dashboard targets and rule queries into the requests Grafana would send;
//     templating_test.go fills dashboard variables as the plugin's frontend does.
//   - dataplane_test.go checks responses against Grafana's data plane contract for
//     timeseries-multi; expressions_test.go implements the two server-side expressions the
//     provisioned rules use (reduce, threshold). Their *_cases_test.go files test them.
//   - grafana_*_test.go are the tests against a live PacketFlux API, configured by the
//     environment (env_test.go).
//
// The live tests are skipped unless the environment describes a running API (see env_test.go);
// tests/grafana-protocol.test.ts starts one (influxd, `packetflux replay`, `packetflux serve`)
// and runs them. The validator and expression tests always run.
//
// Grafana's own server code is AGPL and is not used here: everything is written against the
// Apache-2.0 grafana-plugin-sdk-go and the MPL-2.0 hashicorp/go-plugin, from their documented
// behaviour and the data plane contract (https://grafana.com/developers/dataplane).
package harness
