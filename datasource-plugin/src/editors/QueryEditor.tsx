import React, { useMemo } from 'react';
import { InlineField, InlineFieldRow } from '@grafana/ui';

import { LegendFormatField } from '../components/LegendFormatField';
import { MetricSelect } from '../components/MetricSelect';
import { TopNField } from '../components/TopNField';
import { isMultiSeriesMetric } from '../metric-names';
import { createMetricOptionLoader } from '../metric-options';
import type { PacketFluxQueryEditorProps } from '../types/datasource';
import type { PacketFluxQuery } from '../types/query';

export function QueryEditor({ query, datasource, onChange, onRunQuery }: PacketFluxQueryEditorProps) {
  const loadOptions = useMemo(() => createMetricOptionLoader(datasource), [datasource]);
  const target = query.target ?? '';

  const update = (patch: Partial<PacketFluxQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };

  return (
    <InlineFieldRow>
      <InlineField
        label="Metric"
        labelWidth={10}
        tooltip="An ntopng-style metric name such as interface_eth0_traffic_bps; type to search, $ for template variables"
      >
        <MetricSelect
          id={`packetflux-metric-${query.refId}`}
          value={target}
          loadOptions={loadOptions}
          onChange={(value) => update({ target: value })}
        />
      </InlineField>
      {isMultiSeriesMetric(target) && <TopNField value={query.top} onChange={(top) => update({ top })} />}
      <LegendFormatField value={query.legendFormat} onChange={(legendFormat) => update({ legendFormat })} />
    </InlineFieldRow>
  );
}
