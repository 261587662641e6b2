import React, { type ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, SecretInput } from '@grafana/ui';

import { apiUrlProblem } from '../api-url';
import type { PacketFluxOptions, PacketFluxSecureJsonData } from '../types/config';

type Props = DataSourcePluginOptionsEditorProps<PacketFluxOptions, PacketFluxSecureJsonData>;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;
  const urlProblem = apiUrlProblem(jsonData.url);

  const setJsonData = (patch: Partial<PacketFluxOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });

  const setToken = (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, apiToken: event.target.value } });

  const resetToken = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, apiToken: false },
      secureJsonData: { ...secureJsonData, apiToken: '' },
    });

  return (
    <>
      <FieldSet label="PacketFlux API">
        <Field
          label="URL"
          description="Address of the PacketFlux API as Grafana's server reaches it (packetflux capture|serve --api-port, 3001 by default)."
          invalid={urlProblem !== undefined}
          error={urlProblem}
          required
        >
          <Input
            id="packetflux-config-url"
            width={60}
            placeholder="http://localhost:3001"
            value={jsonData.url ?? ''}
            onChange={(e) => setJsonData({ url: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="API token"
          description="The API's --api-token. Grafana keeps it encrypted and only the plugin's backend sends it; leave empty when the API has no token."
        >
          <SecretInput
            id="packetflux-config-token"
            width={60}
            placeholder="API token"
            isConfigured={Boolean(secureJsonFields?.apiToken)}
            value={secureJsonData?.apiToken ?? ''}
            onChange={setToken}
            onReset={resetToken}
          />
        </Field>
      </FieldSet>
      <FieldSet label="Data">
        <Field
          label="Default probe"
          description="Collector instance (its --probe name) to read when several share one database; empty reads all."
        >
          <Input
            id="packetflux-config-probe"
            width={40}
            placeholder="all probes"
            value={jsonData.defaultProbe ?? ''}
            onChange={(e) => setJsonData({ defaultProbe: e.currentTarget.value })}
          />
        </Field>
      </FieldSet>
    </>
  );
}
