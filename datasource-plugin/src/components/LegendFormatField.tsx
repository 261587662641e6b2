import React, { useState } from 'react';
import { InlineField, Input } from '@grafana/ui';

import { LEGEND_LABELS } from '../types/query';

interface Props {
  value?: string;
  onChange: (legendFormat: string) => void;
}

const EXAMPLE = LEGEND_LABELS.map((l) => `{{${l}}}`).join(', ');

/** Legend format with {{label}} placeholders. Commits on blur or Enter. */
export function LegendFormatField({ value, onChange }: Props) {
  // What is being typed; undefined when the field shows the saved value.
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const text = draft ?? value ?? '';
  const commit = () => {
    setDraft(undefined);
    if (text !== (value ?? '')) {
      onChange(text);
    }
  };

  return (
    <InlineField
      label="Legend"
      labelWidth={10}
      tooltip={`Series name; may use ${EXAMPLE}. Empty: the series' own name.`}
    >
      <Input
        id="packetflux-legend"
        aria-label="Legend"
        width={30}
        placeholder="{{proto}}"
        value={text}
        onChange={(e) => setDraft(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </InlineField>
  );
}
