import type { DataSourceJsonData } from '@grafana/data';

/** jsonData of a PacketFlux data source: visible to the browser. */
export interface PacketFluxOptions extends DataSourceJsonData {
  /** Address of the PacketFlux API, e.g. http://localhost:3001. */
  url?: string;
  /** Collector instance (`probe` tag) to read; empty reads every probe. */
  defaultProbe?: string;
}

/** secureJsonData: written by the config editor, decrypted for the Go backend only. */
export interface PacketFluxSecureJsonData {
  /** Sent by the backend as `Authorization: Bearer <apiToken>`. */
  apiToken?: string;
}
