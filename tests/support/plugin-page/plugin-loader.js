/*
 * The part of Grafana's frontend that loads a plugin, shared by the page entries (harness.js,
 * config-harness.js): the built dist/module.js is loaded as Grafana loads it, as an AMD module
 * whose dependencies are the shared modules (here the real packages from node_modules, bundled
 * by build.ts), never bundled into it.
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

/** Loads a data source plugin's module.js and returns the DataSourcePlugin it exports as "plugin". */
export async function loadDataSourcePlugin(moduleUrl) {
  const exports = await loadAmdModule(moduleUrl);
  if (!(exports.plugin instanceof grafanaData.DataSourcePlugin)) {
    throw new Error(`${moduleUrl} does not export a DataSourcePlugin as "plugin"`);
  }
  return exports.plugin;
}
