import React from 'react';
import { Combobox, type ComboboxOption } from '@grafana/ui';

interface Props {
  id?: string;
  value?: string;
  loadOptions: (input: string) => Promise<Array<ComboboxOption<string>>>;
  onChange: (value: string) => void;
}

/** Metric name picker: autocomplete from the API, template variables, and free text. */
export function MetricSelect({ id, value, loadOptions, onChange }: Props) {
  return (
    <Combobox<string>
      id={id}
      data-testid="packetflux-metric"
      value={value ? { label: value, value } : null}
      options={loadOptions}
      createCustomValue
      customValueDescription="Use this metric name"
      placeholder="interface_eth0_traffic_bps"
      width="auto"
      minWidth={40}
      maxWidth={90}
      onChange={(option) => onChange(option.value)}
    />
  );
}
