import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PLUGIN_DIST, builtPluginId, openHarnessTab } from './support/plugin-page/browser';
import { buildHarness } from './support/plugin-page/build';
import { PluginPageServer } from './support/plugin-page/server';
import { Stack } from './support/stack';

const REPO = join(__dirname, '..');
const ARTIFACTS = join(__dirname, 'artifacts');
const SETTINGS_UID = 'packetflux';

type ThemeMode = 'light' | 'dark';
interface Query {
  refId: string;
  target?: string;
}

/**
 * The built plugin (dist/module.js) loaded in headless Chromium the way Grafana loads it: an
 * AMD module whose @grafana/*, react and rxjs imports are Grafana's shared modules (here the
 * real packages from node_modules, bundled by support/plugin-page/build.ts). Its editors talk
 * to the real PacketFlux API over a real stack; the page's server answers the resource calls
 * as Grafana's server and the Go backend would.
 */
describe('datasource plugin in a browser', () => {
  const stack = new Stack();
  let page: PluginPageServer;
  let context: BrowserContext;
  let tab: Page;
  let tempDir = '';
  let pageErrors: string[] = [];

  beforeAll(async () => {
    const pluginId = await builtPluginId();
    tempDir = await mkdtemp(join(tmpdir(), 'packetflux-plugin-page-'));
    const harnessDir = join(tempDir, 'page');

    const startStack = async () => {
      await stack.start();
      await stack.replay(join(REPO, 'collector/testdata/crafted/vlan.pcap'));
      await stack.replay(join(REPO, 'collector/testdata/l7/tls.pcap'), ['--interface-name', 'lo_tls']);
      await stack.serveApi();
    };
    await Promise.all([startStack(), buildHarness('harness.js', harnessDir)]);

    page = new PluginPageServer({
      pluginDir: PLUGIN_DIST,
      pluginId,
      harnessDir,
      iconsDir: join(REPO, 'node_modules/@grafana/ui/dist/public/img/icons'),
      apiUrl: stack.apiUrl,
    });
    await page.start();
    await mkdir(ARTIFACTS, { recursive: true });

    ({
      context,
      tab,
      errors: pageErrors,
    } = await openHarnessTab(join(tempDir, 'chromium-profile'), page.url, 'pluginPage', {
      deviceScaleFactor: 1,
    }));
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await page?.stop();
    await stack.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  afterEach(() => {
    // Uncaught exceptions and console errors (React's included) fail the test that caused them.
    expect(pageErrors.splice(0)).toEqual([]);
  });

  const settings = () => ({ uid: SETTINGS_UID, name: 'PacketFlux', jsonData: { url: stack.apiUrl } });

  async function renderQueryEditor(themeMode: ThemeMode): Promise<void> {
    await tab.evaluate((args) => (globalThis as unknown as PageApi).pluginPage.renderQueryEditor(args), {
      moduleUrl: page.moduleUrl,
      themeMode,
      settings: settings(),
      query: { refId: 'A' },
    });
    await tab.locator('#editor input').first().waitFor();
  }

  async function renderConfigEditor(themeMode: ThemeMode): Promise<void> {
    await tab.evaluate((args) => (globalThis as unknown as PageApi).pluginPage.renderConfigEditor(args), {
      moduleUrl: page.moduleUrl,
      themeMode,
      settings: settings(),
    });
    await tab.locator('#packetflux-config-url').waitFor();
  }

  /** The editor and whatever it has open (the option list), with a margin. */
  async function screenshot(name: string): Promise<void> {
    const boxes = [];
    for (const selector of ['#editor', '[role=listbox]']) {
      const locator = tab.locator(selector).first();
      if (await locator.isVisible()) boxes.push(await locator.boundingBox());
    }
    const present = boxes.filter((b) => b !== null);
    const x = Math.max(0, Math.min(...present.map((b) => b.x)) - 12);
    const y = Math.max(0, Math.min(...present.map((b) => b.y)) - 12);
    const right = Math.max(...present.map((b) => b.x + b.width)) + 12;
    const bottom = Math.max(...present.map((b) => b.y + b.height)) + 12;
    await tab.screenshot({
      path: join(ARTIFACTS, name),
      clip: { x, y, width: right - x, height: bottom - y },
    });
  }

  const optionLabel = async (option: Locator) => (await option.innerText()).split('\n')[0].trim();

  describe.each<ThemeMode>(['light', 'dark'])('%s theme', (themeMode) => {
    const suffix = themeMode === 'light' ? '' : '-dark';

    it('offers the real interface metrics in the query editor and sets the picked one as target', async () => {
      const expected = await stack.post<string[]>('/search', { target: 'interface_' });
      expect(expected.status).toBe(200);
      expect(expected.body).toEqual(
        expect.arrayContaining(['interface_vlan_traffic_bps', 'interface_lo_tls_traffic_bps']),
      );

      await renderQueryEditor(themeMode);
      const metric = tab.locator('#packetflux-metric-A');
      await metric.click();
      await metric.pressSequentially('interface_');
      // The list settles on the answer to what was typed last (the Combobox searches as you type):
      // the typed text itself, then the API's names in its order.
      const isSettled = (shown: string[]) =>
        shown[0] === 'interface_' &&
        shown.length > 4 &&
        shown.slice(1).every((name, i) => name === expected.body[i]);
      let shown: string[] = [];
      for (const deadline = Date.now() + 10_000; !isSettled(shown) && Date.now() < deadline;) {
        await tab.waitForTimeout(100);
        shown = await Promise.all((await tab.getByRole('option').all()).map(optionLabel));
      }
      expect(shown[0]).toBe('interface_');
      const metrics = shown.slice(1);
      expect(metrics.length).toBeGreaterThan(3);
      expect(metrics).toEqual(expected.body.slice(0, metrics.length));
      expect(metrics).toContain('interface_lo_tls_traffic_bps');
      expect(page.calls).toContainEqual({ method: 'GET', path: 'search?target=interface_' });
      await screenshot(`query-editor${suffix}.png`);

      // Walk down the (virtualised) list with the keyboard to the other interface and pick it.
      const offered = new Set(metrics);
      let highlighted = '';
      for (let i = 0; i <= expected.body.length && highlighted !== 'interface_vlan_traffic_bps'; i++) {
        await tab.keyboard.press('ArrowDown');
        highlighted = await optionLabel(tab.locator('[role=option][aria-selected=true]'));
        offered.add(highlighted);
      }
      expect(offered).toContain('interface_vlan_traffic_bps');
      await tab.keyboard.press('Enter');

      const queries = await tab.evaluate(() => (globalThis as unknown as PageState).__queries);
      expect(queries.at(-1)).toMatchObject({ refId: 'A', target: 'interface_vlan_traffic_bps' });
      await expect(metric.inputValue()).resolves.toBe('interface_vlan_traffic_bps');
      await screenshot(`query-editor-picked${suffix}.png`);
    });

    it('renders the config editor with the saved settings', async () => {
      await renderConfigEditor(themeMode);
      await expect(tab.locator('#packetflux-config-url').inputValue()).resolves.toBe(stack.apiUrl);
      // A stored token shows as configured, with a reset button, never its value.
      await expect(tab.locator('#packetflux-config-token').inputValue()).resolves.toBe('configured');
      await tab.getByRole('button', { name: 'Reset' }).waitFor();

      await tab.locator('#packetflux-config-probe').pressSequentially('e2e');
      const options = await tab.evaluate(() => (globalThis as unknown as PageState).__options);
      expect(options.at(-1)?.jsonData).toEqual({ url: stack.apiUrl, defaultProbe: 'e2e' });
      await screenshot(`config-editor${suffix}.png`);
    });
  });
});

interface PageApi {
  pluginPage: {
    renderQueryEditor(args: {
      moduleUrl: string;
      themeMode: ThemeMode;
      settings: unknown;
      query: Query;
    }): Promise<void>;
    renderConfigEditor(args: { moduleUrl: string; themeMode: ThemeMode; settings: unknown }): Promise<void>;
  };
}

interface PageState {
  __queries: Query[];
  __options: Array<{ jsonData: Record<string, unknown> }>;
}
