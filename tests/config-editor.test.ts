import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { PLUGIN_DIST, builtPluginId, openHarnessTab } from './support/plugin-page/browser';
import { buildHarness } from './support/plugin-page/build';
import { PluginPageServer } from './support/plugin-page/server';

const REPO = join(__dirname, '..');
const API_URL = 'http://packetflux:3001';
const TOKEN = 'pf-Sekr3t-9d41c2';

/** Data source settings as Grafana hands them to a ConfigEditor (DataSourceSettings). */
interface Settings {
  url: string;
  jsonData: Record<string, unknown>;
  secureJsonFields: Record<string, boolean>;
  secureJsonData?: Record<string, string>;
  [field: string]: unknown;
}

/** A new data source, as Grafana creates it: no secret stored, no secureJsonData yet. */
const newSettings = (pluginId: string): Settings => ({
  id: 7,
  uid: 'packetflux-config',
  orgId: 1,
  name: 'PacketFlux',
  type: pluginId,
  typeName: 'PacketFlux',
  typeLogoUrl: '',
  access: 'proxy',
  url: '',
  user: '',
  database: '',
  basicAuth: false,
  basicAuthUser: '',
  isDefault: false,
  withCredentials: false,
  readOnly: false,
  jsonData: { url: API_URL },
  secureJsonFields: {},
});

/**
 * The plugin's ConfigEditor from the built dist/module.js, in headless Chromium, hosted the way
 * Grafana's data source settings page hosts it (support/plugin-page/config-harness.js): the API
 * token typed into it must reach Grafana only as secureJsonData, and once saved it must never show.
 */
describe('config editor in a browser: the API token', () => {
  let page: PluginPageServer;
  let context: BrowserContext;
  let tab: Page;
  let tempDir = '';
  let pluginId = '';
  let pageErrors: string[] = [];
  /** Every request the page made: URL, headers and body. */
  const requests: string[] = [];

  beforeAll(async () => {
    pluginId = await builtPluginId();
    tempDir = await mkdtemp(join(tmpdir(), 'packetflux-config-page-'));
    const harnessDir = join(tempDir, 'page');
    await buildHarness('config-harness.js', harnessDir);

    page = new PluginPageServer({
      pluginDir: PLUGIN_DIST,
      pluginId,
      harnessDir,
      iconsDir: join(REPO, 'node_modules/@grafana/ui/dist/public/img/icons'),
      // The config editor calls nothing: every resource call is a failure below.
      apiUrl: API_URL,
    });
    await page.start();

    ({
      context,
      tab,
      errors: pageErrors,
    } = await openHarnessTab(join(tempDir, 'chromium-profile'), page.url, 'configPage', {
      onContext: (c) =>
        c.on('request', (request) => {
          void request
            .allHeaders()
            .then((headers) =>
              requests.push(`${request.url()} ${JSON.stringify(headers)} ${request.postData() ?? ''}`),
            );
        }),
    }));
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await page?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  const tokenInput = () => tab.locator('#packetflux-config-token');
  const resetButton = () => tab.getByRole('button', { name: 'Reset' });
  const handedToGrafana = () =>
    tab.evaluate(() => (globalThis as unknown as { __options: Settings[] }).__options);

  async function render(options: Settings): Promise<void> {
    await tab.evaluate((args) => (globalThis as unknown as ConfigPage).configPage.render(args), {
      moduleUrl: page.moduleUrl,
      themeMode: 'light' as const,
      options,
    });
    await tokenInput().waitFor();
  }

  /** Grafana after "Save": the saved settings, with secureJsonFields, without secureJsonData. */
  async function saved(options: Settings): Promise<Settings> {
    const { secureJsonData, ...rest } = options;
    const stored = Object.fromEntries(Object.keys(secureJsonData ?? {}).map((key) => [key, true]));
    const next = { ...rest, version: 2, secureJsonFields: { ...rest.secureJsonFields, ...stored } };
    await tab.evaluate(
      (settings) => (globalThis as unknown as ConfigPage).configPage.replaceOptions(settings),
      next,
    );
    return next;
  }

  /** Where the token could show: the page's markup and text, and every field's current value. */
  const pageText = () =>
    tab.evaluate(() => {
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      const values = [...doc.querySelectorAll('input, textarea, select')].map((field) => field.value);
      return [doc.documentElement.outerHTML, doc.body.innerText, ...values].join('\n');
    });

  it('hands the typed token to Grafana as secureJsonData only, hides it once saved, and resets it', async () => {
    await render(newSettings(pluginId));
    // A new data source: a password field, nothing stored, nothing to reset.
    await expect(tokenInput().getAttribute('type')).resolves.toBe('password');
    await expect(tokenInput().inputValue()).resolves.toBe('');
    await expect(resetButton().count()).resolves.toBe(0);

    await tokenInput().pressSequentially(TOKEN);
    const typed = await handedToGrafana();
    expect(typed).toHaveLength(TOKEN.length);
    for (const [i, options] of typed.entries()) {
      // Each keystroke: the token so far in secureJsonData.apiToken, and nowhere else.
      expect(options.secureJsonData).toEqual({ apiToken: TOKEN.slice(0, i + 1) });
      expect(options.jsonData).toEqual({ url: API_URL });
      expect(options.url).toBe('');
      expect(options.secureJsonFields).toEqual({});
      expect(JSON.stringify({ ...options, secureJsonData: undefined })).not.toContain(TOKEN.slice(0, 4));
    }
    // Shown as dots while typed, never as text.
    await expect(tokenInput().getAttribute('type')).resolves.toBe('password');
    await expect(tab.locator('body').innerText()).resolves.not.toContain(TOKEN);

    // Saved: the field says "configured" with a Reset button, and the token is nowhere in the page.
    const afterSave = await saved(typed[typed.length - 1]);
    expect(afterSave.secureJsonFields).toEqual({ apiToken: true });
    expect(afterSave).not.toHaveProperty('secureJsonData');
    await expect(tokenInput().inputValue()).resolves.toBe('configured');
    await expect(tokenInput().isDisabled()).resolves.toBe(true);
    await expect(resetButton().isVisible()).resolves.toBe(true);
    await expect(tab.locator('#packetflux-config-url').inputValue()).resolves.toBe(API_URL);
    const shown = await pageText();
    expect(shown).toContain('configured');
    expect(shown).not.toContain(TOKEN.slice(0, 4));

    // Reset: Grafana is told to delete the stored token, and the field is empty again.
    await resetButton().click();
    const reset = (await handedToGrafana()).at(-1);
    expect(reset?.secureJsonFields).toEqual({ apiToken: false });
    expect(reset?.secureJsonData).toEqual({ apiToken: '' });
    expect(reset?.jsonData).toEqual({ url: API_URL });
    await expect(tokenInput().inputValue()).resolves.toBe('');
    await expect(tokenInput().getAttribute('type')).resolves.toBe('password');
    await expect(resetButton().count()).resolves.toBe(0);

    // A new token after the reset replaces it.
    await tokenInput().pressSequentially('n3w');
    const replaced = (await handedToGrafana()).at(-1);
    expect(replaced?.secureJsonData).toEqual({ apiToken: 'n3w' });
    expect(replaced?.secureJsonFields).toEqual({ apiToken: false });

    // Only the plugin's Go backend sends the token: the page called no API and sent it nowhere.
    expect(page.calls).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.includes(TOKEN.slice(0, 4)))).toEqual([]);
  });
});

interface ConfigPage {
  configPage: {
    render(args: { moduleUrl: string; themeMode: 'light' | 'dark'; options: Settings }): Promise<void>;
    replaceOptions(options: Settings): void;
  };
}

interface PageDocument {
  querySelectorAll(selector: string): Iterable<{ value: string }>;
  documentElement: { outerHTML: string };
  body: { innerText: string };
}
