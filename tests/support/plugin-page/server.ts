import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>PacketFlux plugin page</title>
    <script>
      // What Grafana's index.html sets before any plugin code runs.
      window.grafanaBootData = { settings: { appSubUrl: '', featureToggles: {} }, user: {}, navTree: [] };
      window.__grafana_public_path__ = '/public/';
    </script>
  </head>
  <body>
    <div id="root"></div>
    <script src="/harness.js"></script>
  </body>
</html>
`;

export interface ResourceCall {
  method: string;
  path: string;
}

export interface PluginPageConfig {
  /** The plugin's built folder (dist/), served as Grafana serves /public/plugins/<id>/. */
  pluginDir: string;
  pluginId: string;
  /** Folder holding the built harness.js. */
  harnessDir: string;
  /** @grafana/ui's icons, served where the icon component looks for them. */
  iconsDir: string;
  /** The real PacketFlux API. */
  apiUrl: string;
}

/**
 * The page's HTTP server on loopback: the test page, the harness bundle, the plugin's dist/
 * under /public/plugins/<id>/, and the data source's resource calls
 * (/api/datasources/uid/<uid>/resources/{search,metrics,variables}), answered from the real
 * PacketFlux API the way the plugin's Go backend answers them (handler_call_resource.go).
 */
export class PluginPageServer {
  readonly calls: ResourceCall[] = [];
  url = '';
  private server: Server | undefined;

  constructor(private readonly config: PluginPageConfig) {}

  get moduleUrl(): string {
    return `/public/plugins/${this.config.pluginId}/module.js`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(err), message: String(err) }));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://page');
    const path = decodeURIComponent(url.pathname);
    const resource = /^\/api\/datasources\/uid\/[^/]+\/resources\/(\w+)$/.exec(path);
    if (resource) {
      this.calls.push({ method: req.method ?? 'GET', path: `${resource[1]}${url.search}` });
      return this.resource(resource[1], req, url.searchParams, res);
    }
    if (path === '/') return send(res, 200, PAGE, TYPES['.html']);
    if (path === '/harness.js') return this.file(res, this.config.harnessDir, 'harness.js');
    const pluginPrefix = `/public/plugins/${this.config.pluginId}/`;
    if (path.startsWith(pluginPrefix))
      return this.file(res, this.config.pluginDir, path.slice(pluginPrefix.length));
    if (path.startsWith('/public/build/img/icons/')) {
      return this.file(res, this.config.iconsDir, path.slice('/public/build/img/icons/'.length));
    }
    send(res, 404, 'not found', 'text/plain');
  }

  private async file(res: ServerResponse, dir: string, relative: string): Promise<void> {
    const file = normalize(join(dir, relative));
    if (!file.startsWith(dir + sep)) return send(res, 403, 'outside the served folder', 'text/plain');
    try {
      send(res, 200, await readFile(file), TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {
      send(res, 404, 'not found', 'text/plain');
    }
  }

  /** search (GET ?target= or POST {target}) → POST /search; metrics → /api/metrics; variables → /api/variables. */
  private async resource(
    name: string,
    req: IncomingMessage,
    params: URLSearchParams,
    res: ServerResponse,
  ): Promise<void> {
    let upstream: Response;
    if (name === 'search') {
      let target = params.get('target') ?? '';
      const body = await readBody(req);
      if (req.method === 'POST' && body !== '')
        target = (JSON.parse(body) as { target?: string }).target ?? '';
      upstream = await fetch(`${this.config.apiUrl}/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target }),
      });
    } else if (name === 'metrics') {
      const query = new URLSearchParams({
        prefix: params.get('prefix') ?? '',
        limit: params.get('limit') ?? '100',
      });
      upstream = await fetch(`${this.config.apiUrl}/api/metrics?${query}`);
    } else if (name === 'variables') {
      const query = new URLSearchParams({ query: params.get('query') ?? '' });
      upstream = await fetch(`${this.config.apiUrl}/api/variables?${query}`);
    } else {
      const message = `no resource "${name}": use search, metrics or variables`;
      return send(res, 404, JSON.stringify({ error: message, message }), TYPES['.json']);
    }
    send(res, upstream.status, await upstream.text(), TYPES['.json']);
  }
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
