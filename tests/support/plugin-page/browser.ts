import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The built plugin, as Grafana would load it. */
export const PLUGIN_DIST = join(__dirname, '..', '..', '..', 'datasource-plugin', 'dist');
const CHROMIUM = process.env.PACKETFLUX_CHROMIUM ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium tries Google's hosts, which this network refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The plugin's id; fails with what to do when the built plugin or Chromium is missing. */
export async function builtPluginId(): Promise<string> {
  if (!existsSync(join(PLUGIN_DIST, 'module.js')))
    throw new Error(
      `${join(PLUGIN_DIST, 'module.js')} is missing: build the plugin first (npm run build -w datasource-plugin)`,
    );
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/setup.sh installs it)`);
  return (JSON.parse(await readFile(join(PLUGIN_DIST, 'plugin.json'), 'utf8')) as { id: string }).id;
}

export interface HarnessTab {
  context: BrowserContext;
  tab: Page;
  /** Uncaught exceptions and console errors (React's included): a test fails on any. */
  errors: string[];
}

/** Headless Chromium on a harness page, once the page has set `readyGlobal`. */
export async function openHarnessTab(
  profileDir: string,
  url: string,
  readyGlobal: string,
  options: { deviceScaleFactor?: number; onContext?: (context: BrowserContext) => void } = {},
): Promise<HarnessTab> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1100, height: 700 },
    deviceScaleFactor: options.deviceScaleFactor,
  });
  options.onContext?.(context);
  const errors: string[] = [];
  const tab = context.pages()[0] ?? (await context.newPage());
  tab.on('pageerror', (err) => errors.push(err.message));
  tab.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location().url;
    // Grafana serves its Inter font and spinner icon itself; @grafana/ui does not ship them.
    if (/\/(favicon\.ico|public\/fonts\/.*|public\/build\/img\/icons\/unicons\/spinner\.svg)$/.test(where))
      return;
    errors.push(`console: ${message.text()} ${where}`);
  });
  await tab.goto(url);
  await tab.waitForFunction((name) => name in globalThis, readyGlobal);
  return { context, tab, errors };
}
