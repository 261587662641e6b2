/*
 * Browser side of the config editor test: the part of Grafana's data source settings page that
 * hosts a plugin's ConfigEditor. Bundled by build.ts like harness.js; plugin-loader.js loads the
 * built dist/module.js as Grafana does, editor-host.js draws what Grafana draws around it.
 *
 * What it adds: the host keeps the settings the editor hands to onOptionsChange, as Grafana's
 * page does, and lets the test replace them in the mounted editor, as Grafana does once it has
 * saved them (the saved settings come back with secureJsonFields and without secureJsonData).
 *
 * Plain JavaScript on purpose: the tests' tsconfig has no DOM types, and this file runs only in
 * the browser.
 */
import * as grafanaRuntime from '@grafana/runtime';
import * as React from 'react';
import { ConfigEditorHost, showEditor } from './editor-host.js';
import { loadDataSourcePlugin } from './plugin-loader.js';

let plugin;

window.configPage = {
  /** Mounts the plugin's ConfigEditor with these data source settings. */
  async render({ moduleUrl, themeMode, options }) {
    if (!plugin) {
      grafanaRuntime.setBackendSrv({});
      plugin = await loadDataSourcePlugin(moduleUrl);
    }
    window.__options = [];
    showEditor(
      React.createElement(ConfigEditorHost, {
        ConfigEditor: plugin.components.ConfigEditor,
        initialOptions: options,
        onMount: (replaceOptions) => {
          window.configPage.replaceOptions = replaceOptions;
        },
      }),
      { themeMode, boxStyle: (theme) => ({ padding: theme.spacing(2) }), sync: true },
    );
  },

  /** Set once the editor is mounted: hands it new settings, as Grafana does after saving. */
  replaceOptions: undefined,
};
