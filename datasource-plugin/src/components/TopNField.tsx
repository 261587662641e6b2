import React, { useState } from 'react';
import { InlineField, Input } from '@grafana/ui';

import { DEFAULT_TOP, MAX_TOP } from '../types/query';

interface Props {
  value?: number;
  onChange: (top: number | undefined) => void;
}

/** Top N for multi-series metrics; empty means the API's default. Commits on blur or Enter. */
export function TopNField({ value, onChange }: Props) {
  // What is being typed; undefined when the field shows the saved value.
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const text = draft ?? (value === undefined ? '' : String(value));

  const parsed = text.trim() === '' ? undefined : Number(text);
  const invalid = parsed !== undefined && (!Number.isInteger(parsed) || parsed < 1 || parsed > MAX_TOP);
  const commit = () => {
    if (invalid) {
      return;
    }
    setDraft(undefined);
    if (parsed !== value) {
      onChange(parsed);
    }
  };

  return (
    <InlineField
      label="Top N"
      labelWidth={10}
      invalid={invalid}
      error={`A whole number from 1 to ${MAX_TOP}`}
      tooltip={`Series shown one by one; the rest is summed into "Other". Empty: ${DEFAULT_TOP}.`}
    >
      <Input
        id="packetflux-top"
        aria-label="Top N"
        type="number"
        min={1}
        max={MAX_TOP}
        width={10}
        placeholder={String(DEFAULT_TOP)}
        value={text}
        onChange={(e) => setDraft(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </InlineField>
  );
}
