/*
 * Browser side of the plugin render test: a stand-in for the part of Grafana's frontend that
 * loads a plugin. Bundled by build.ts together with the real shared modules from node_modules;
 * the built dist/module.js is then loaded as Grafana loads it, as an AMD module whose
 * dependencies are those shared modules, never bundled into it.
 *
 * Plain JavaScript on purpose: the tests' tsconfig has no DOM types, and this file runs only in
 * the browser.
 */
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaSchema from '@grafana/schema';
import * as grafanaUi from '@grafana/ui';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';

/** Module ids the way Grafana's SystemJS registry names them (see .config/bundler/externals.ts). */
const sharedModules = new Map([
  ['@grafana/data', grafanaData],
  ['@grafana/runtime', grafanaRuntime],
  ['@grafana/ui', grafanaUi],
  ['@grafana/schema', grafanaSchema],
  ['react', React],
  ['react-dom', ReactDOM],
  ['react/jsx-runtime', jsxRuntime],
  ['rxjs', rxjs],
  ['rxjs/operators', rxjsOperators],
  ['@emotion/css', emotionCss],
  ['@emotion/react', emotionReact],
]);

/**
 * Loads an AMD module by URL, like SystemJS with its AMD extra: the script's anonymous
 * `define(deps, factory)` is answered from the shared modules, plus `module` ({ uri }), which
 * the bundle uses to find its public path.
 */
function loadAmdModule(url) {
  return new Promise((resolve, reject) => {
    const define = (deps, factory) => {
      if (typeof deps === 'function') {
        factory = deps;
        deps = [];
      }
      try {
        const args = deps.map((id) => {
          if (id === 'module') {
            return { id: url, uri: url };
          }
          if (!sharedModules.has(id)) {
            throw new Error(`${url} imports ${id}, which the page does not provide as a shared module`);
          }
          return sharedModules.get(id);
        });
        resolve(factory(...args));
      } catch (err) {
        reject(err);
      }
    };
    define.amd = {};
    window.define = define;
    const script = document.createElement('script');
    script.src = url;
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(script);
  });
}

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

/** What Grafana draws around an editor: the theme, its global styles, a panel-like box. */
function Frame({ theme, children }) {
  return h(
    grafanaUi.ThemeContext.Provider,
    { value: theme },
    h(grafanaUi.GlobalStyles),
    h(
      'div',
      {
        id: 'editor',
        style: {
          display: 'inline-block',
          padding: theme.spacing(2),
          background: theme.colors.background.primary,
          border: `1px solid ${theme.colors.border.weak}`,
          borderRadius: theme.shape.radius.default,
        },
      },
      children,
    ),
  );
}

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

function ConfigEditorHost({ ConfigEditor, initialOptions }) {
  const [options, setOptions] = React.useState(initialOptions);
  return h(ConfigEditor, {
    options,
    onOptionsChange: (next) => {
      window.__options.push(next);
      setOptions(next);
    },
  });
}

let root;
let loaded;

/** Loads module.js once and sets Grafana's runtime services. */
async function loadPlugin(moduleUrl) {
  if (!loaded) {
    grafanaRuntime.setBackendSrv(createBackendSrv());
    grafanaRuntime.setTemplateSrv(templateSrv);
    loaded = (async () => {
      const exports = await loadAmdModule(moduleUrl);
      if (!(exports.plugin instanceof grafanaData.DataSourcePlugin)) {
        throw new Error(`${moduleUrl} does not export a DataSourcePlugin as "plugin"`);
      }
      const meta = await (await window.fetch(moduleUrl.replace(/module\.js$/, 'plugin.json'))).json();
      return { plugin: exports.plugin, meta };
    })();
  }
  return loaded;
}

function render(element) {
  if (root) {
    root.unmount();
  }
  const container = document.getElementById('root');
  container.style.padding = '24px';
  root = ReactDOMClient.createRoot(container);
  root.render(element);
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
    const theme = grafanaData.createTheme({ colors: { mode: themeMode } });
    window.__queries = [];
    window.__runs = 0;
    render(
      h(
        Frame,
        { theme },
        h(QueryEditorHost, { QueryEditor: plugin.components.QueryEditor, datasource, initialQuery: query }),
      ),
    );
  },

  /** Renders the plugin's ConfigEditor for a saved data source with a stored token. */
  async renderConfigEditor({ moduleUrl, themeMode, settings }) {
    const { plugin, meta } = await loadPlugin(moduleUrl);
    const theme = grafanaData.createTheme({ colors: { mode: themeMode } });
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
    render(
      h(
        Frame,
        { theme },
        h(ConfigEditorHost, { ConfigEditor: plugin.components.ConfigEditor, initialOptions }),
      ),
    );
  },
};
