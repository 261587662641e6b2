import React, { useMemo, useState } from 'react';
import { Alert, Combobox, InlineField, InlineFieldRow } from '@grafana/ui';

import { createInterfaceOptionLoader } from '../metric-options';
import type { PacketFluxVariableEditorProps } from '../types/datasource';
import type { VariableQueryKind } from '../types/variables';
import { formatVariableQuery, normalizeVariableQuery } from '../variable-query';

const KIND_OPTIONS: Array<{ label: string; value: VariableQueryKind; description: string }> = [
  { label: 'Interfaces', value: 'interfaces', description: 'interfaces the collector reports' },
  { label: 'Hosts', value: 'hosts', description: 'local hosts seen on an interface' },
  { label: 'Protocols', value: 'protocols', description: 'application protocols seen on an interface' },
  { label: 'Categories', value: 'categories', description: 'nDPI categories seen on an interface' },
];

export function VariableQueryEditor({ query, datasource, onChange }: PacketFluxVariableEditorProps) {
  const parsed = normalizeVariableQuery(query);
  const [kind, setKind] = useState<VariableQueryKind>(parsed.ok ? parsed.query.kind : 'interfaces');
  const [ifname, setIfname] = useState<string>(parsed.ok ? (parsed.query.ifname ?? '') : '');
  const loadInterfaces = useMemo(() => createInterfaceOptionLoader(datasource), [datasource]);

  const commit = (nextKind: VariableQueryKind, nextIfname: string) => {
    setKind(nextKind);
    setIfname(nextIfname);
    if (nextKind !== 'interfaces' && nextIfname.trim() === '') {
      return; // incomplete: wait for the interface
    }
    onChange({
      refId: query?.refId ?? 'PacketFluxVariableQuery',
      kind: nextKind,
      ifname: nextKind === 'interfaces' ? undefined : nextIfname.trim(),
    });
  };

  const savedProblem = !parsed.ok && wasSaved(query) ? parsed.reason : undefined;
  return (
    <>
      <InlineFieldRow>
        <InlineField label="List" labelWidth={14}>
          <Combobox<VariableQueryKind>
            id="packetflux-variable-kind"
            width={30}
            options={KIND_OPTIONS}
            value={kind}
            onChange={(option) => commit(option.value, ifname)}
          />
        </InlineField>
        {kind !== 'interfaces' && (
          <InlineField label="of interface" labelWidth={14} tooltip="An interface name or a variable such as $if">
            <Combobox<string>
              id="packetflux-variable-interface"
              width={30}
              options={loadInterfaces}
              createCustomValue
              placeholder="eth0 or $if"
              value={ifname ? { label: ifname, value: ifname } : null}
              onChange={(option) => commit(kind, option.value)}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <div data-testid="packetflux-variable-preview">
        Query: <code>{formatVariableQuery({ kind, ifname: ifname || '<if>' })}</code>
      </div>
      {savedProblem && (
        <Alert severity="warning" title="Saved query not understood">
          {savedProblem}
        </Alert>
      )}
    </>
  );
}

/** A new variable arrives empty; only a query that says something deserves a warning. */
function wasSaved(query: unknown): boolean {
  if (typeof query === 'string') {
    return query.trim() !== '';
  }
  const obj = (query ?? {}) as { kind?: unknown; query?: unknown };
  return Boolean(obj.kind) || (typeof obj.query === 'string' && obj.query.trim() !== '');
}
