import { type BackendSrv, type BackendSrvRequest, type FetchResponse, setBackendSrv } from '@grafana/runtime';
import { of, throwError } from 'rxjs';

export interface Answer {
  status?: number;
  data: unknown;
}

/**
 * Installs a BackendSrv whose fetch answers from `route` and records every request, through
 * @grafana/runtime's own setter. Stands in for Grafana's HTTP layer (and so for the Go
 * backend behind it) in unit tests.
 */
export function installFakeBackendSrv(route: (req: BackendSrvRequest) => Answer) {
  const requests: BackendSrvRequest[] = [];
  const fetch = (req: BackendSrvRequest) => {
    requests.push(req);
    const answer = route(req);
    const status = answer.status ?? 200;
    const response = {
      data: answer.data,
      status,
      ok: status < 300,
      statusText: String(status),
      headers: new Headers(),
      redirected: false,
      type: 'basic',
      url: req.url,
      config: req,
    } as FetchResponse;
    return status < 300 ? of(response) : throwError(() => response);
  };
  setBackendSrv({ fetch } as unknown as BackendSrv);
  return { requests };
}
