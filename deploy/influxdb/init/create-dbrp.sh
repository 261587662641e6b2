#!/bin/bash
# Runs once, when the influxdb:2 image sets up a new data volume (/docker-entrypoint-initdb.d).
# The PacketFlux API and Grafana's InfluxDB datasource read with InfluxQL on /query?db=<bucket>,
# which InfluxDB 2 answers through a DBRP mapping: map database <bucket>, policy autogen, to the
# bucket created by DOCKER_INFLUXDB_INIT_BUCKET. The entrypoint exports the bucket's id and has
# the influx CLI configured with the admin token.
set -euo pipefail

influx v1 dbrp create \
  --org "${DOCKER_INFLUXDB_INIT_ORG}" \
  --bucket-id "${DOCKER_INFLUXDB_INIT_BUCKET_ID}" \
  --db "${DOCKER_INFLUXDB_INIT_BUCKET}" \
  --rp autogen \
  --default
