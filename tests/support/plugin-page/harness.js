/*
 * Browser side of the plugin render test: a stand-in for the part of Grafana's frontend that
 * shows a data source plugin's editors. Bundled by build.ts together with the real shared
 * modules from node_modules; plugin-loader.js loads the built dist/module.js as Grafana does,
 * editor-host.js draws what Grafana draws around the editors.
 *
 * Plain JavaScript on purpose: the tests' tsconfig has no DOM types, and this file runs only in
 * the browser.
 */
import * as grafanaRuntime from '@grafana/runtime';
import * as React from 'react';
import * as rxjs from 'rxjs';
import { ConfigEditorHost, showEditor } from './editor-host.js';
import { loadDataSourcePlugin } from './plugin-loader.js';

/**
 * getBackendSrv(): Grafana's HTTP client. Requests go to the page's own server, which answers
 * the data source's resource calls as Grafana's server and the plugin's Go backend would.
 */
function createBackendSrv() {
  const request = async (options) => {
    const url = new URL(options.url, window.location.origin);
    for (const [key, value] of Object.entries(options.params ?? {})) {
      if (value !== undefined) {
        url.searchParams.set(key, String(value));
      }
    }
    const method = options.method ?? 'GET';
    const res = await window.fetch(url, {
      method,
      headers: { 'content-type': 'application/json', ...(options.headers ?? {}) },
      body: method === 'GET' || options.data === undefined ? undefined : JSON.stringify(options.data),
    });
    const text = await res.text();
    const data = text === '' ? undefined : JSON.parse(text);
    const response = {
      data,
      status: res.status,
      statusText: res.statusText,
      ok: res.ok,
      headers: res.headers,
      redirected: res.redirected,
      type: res.type,
      url: res.url,
      config: options,
    };
    if (!res.ok) {
      throw response;
    }
    return response;
  };
  return {
    fetch: (options) => rxjs.from(request(options)),
    request: async (options) => (await request(options)).data,
    datasourceRequest: (options) => request(options),
    get: async (url, params, requestId, options) =>
      (await request({ ...options, url, params, method: 'GET' })).data,
    post: async (url, data, options) => (await request({ ...options, url, data, method: 'POST' })).data,
    put: async (url, data, options) => (await request({ ...options, url, data, method: 'PUT' })).data,
    patch: async (url, data, options) => (await request({ ...options, url, data, method: 'PATCH' })).data,
    delete: async (url, data, options) => (await request({ ...options, url, data, method: 'DELETE' })).data,
    resolveCancelerIfExists: () => {},
  };
}

/** getTemplateSrv(): a dashboard without variables. */
const templateSrv = {
  getVariables: () => [],
  replace: (target) => target ?? '',
  containsTemplate: (target) => /\$\w+|\[\[\w+\]\]|\$\{\w+/.test(target ?? ''),
  updateTimeRange: () => {},
};

const h = React.createElement;

function QueryEditorHost({ QueryEditor, datasource, initialQuery }) {
  const [query, setQuery] = React.useState(initialQuery);
  return h(QueryEditor, {
    datasource,
    query,
    onChange: (next) => {
      window.__queries.push(next);
      setQuery(next);
    },
    onRunQuery: () => {
      window.__runs += 1;
    },
  });
}

/** A panel-like box, as Grafana draws around an editor. */
const panelBox = (theme) => ({
  display: 'inline-block',
  padding: theme.spacing(2),
  background: theme.colors.background.primary,
  border: `1px solid ${theme.colors.border.weak}`,
  borderRadius: theme.shape.radius.default,
});

/** Shows an editor in the panel-like box, 24px from the page's edge. */
function show(editor, themeMode) {
  document.getElementById('root').style.padding = '24px';
  showEditor(editor, { themeMode, boxStyle: panelBox });
}

let loaded;

/** Loads module.js once and sets Grafana's runtime services. */
async function loadPlugin(moduleUrl) {
  if (!loaded) {
    grafanaRuntime.setBackendSrv(createBackendSrv());
    grafanaRuntime.setTemplateSrv(templateSrv);
    loaded = (async () => {
      const plugin = await loadDataSourcePlugin(moduleUrl);
      const meta = await (await window.fetch(moduleUrl.replace(/module\.js$/, 'plugin.json'))).json();
      return { plugin, meta };
    })();
  }
  return loaded;
}

window.pluginPage = {
  /** Renders the plugin's QueryEditor with a real DataSource built from its class. */
  async renderQueryEditor({ moduleUrl, themeMode, settings, query }) {
    const { plugin, meta } = await loadPlugin(moduleUrl);
    const instanceSettings = {
      id: 1,
      uid: settings.uid,
      type: meta.id,
      name: settings.name,
      meta: { ...meta, info: meta.info ?? {} },
      access: 'proxy',
      readOnly: false,
      jsonData: settings.jsonData,
    };
    const datasource = new plugin.DataSourceClass(instanceSettings);
    window.__queries = [];
    window.__runs = 0;
    show(
      h(QueryEditorHost, { QueryEditor: plugin.components.QueryEditor, datasource, initialQuery: query }),
      themeMode,
    );
  },

  /** Renders the plugin's ConfigEditor for a saved data source with a stored token. */
  async renderConfigEditor({ moduleUrl, themeMode, settings }) {
    const { plugin, meta } = await loadPlugin(moduleUrl);
    window.__options = [];
    const initialOptions = {
      id: 1,
      uid: settings.uid,
      orgId: 1,
      name: settings.name,
      type: meta.id,
      typeName: meta.name,
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
      jsonData: settings.jsonData,
      secureJsonFields: { apiToken: true },
      secureJsonData: {},
    };
    show(h(ConfigEditorHost, { ConfigEditor: plugin.components.ConfigEditor, initialOptions }), themeMode);
  },
};
