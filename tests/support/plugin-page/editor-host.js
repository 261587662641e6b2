/*
 * What Grafana draws around a plugin's editor, shared by the page entries (harness.js,
 * config-harness.js): the theme and its global styles, a #editor box, the page's React root,
 * and the host that keeps a ConfigEditor's settings as Grafana's data source settings page does.
 *
 * Plain JavaScript on purpose: the tests' tsconfig has no DOM types, and this file runs only in
 * the browser.
 */
import * as grafanaData from '@grafana/data';
import * as grafanaUi from '@grafana/ui';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';

const h = React.createElement;

let root;

/**
 * Shows editor in #root, in place of what was there: in Grafana's theme of themeMode with its
 * global styles, inside a div#editor styled by boxStyle(theme). With sync, it is mounted by the
 * time this returns.
 */
export function showEditor(editor, { themeMode, boxStyle, sync = false }) {
  const theme = grafanaData.createTheme({ colors: { mode: themeMode } });
  const element = h(
    grafanaUi.ThemeContext.Provider,
    { value: theme },
    h(grafanaUi.GlobalStyles),
    h('div', { id: 'editor', style: boxStyle(theme) }, editor),
  );
  if (root) {
    root.unmount();
  }
  root = ReactDOMClient.createRoot(document.getElementById('root'));
  if (sync) {
    ReactDOM.flushSync(() => root.render(element));
  } else {
    root.render(element);
  }
}

/**
 * Holds the settings like Grafana's settings page: what the editor hands to onOptionsChange is
 * recorded in window.__options and is what it gets next. onMount, if given, receives once the
 * editor is mounted a function that replaces its settings, as Grafana does after saving.
 */
export function ConfigEditorHost({ ConfigEditor, initialOptions, onMount }) {
  const [options, setOptions] = React.useState(initialOptions);
  React.useLayoutEffect(() => {
    onMount?.((next) => ReactDOM.flushSync(() => setOptions(next)));
  }, []);
  return h(ConfigEditor, {
    options,
    onOptionsChange: (next) => {
      window.__options.push(next);
      setOptions(next);
    },
  });
}
