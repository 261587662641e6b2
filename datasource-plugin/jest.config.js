// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const baseConfig = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

const swcTransform = baseConfig.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...baseConfig,
  transform: {
    ...baseConfig.transform,
    // d3-color and friends, pulled in by @grafana/data 13, resolve to .mjs files, which the
    // scaffolded transform does not match; Jest on Node 20 cannot require them untransformed.
    '^.+\\.mjs$': swcTransform,
  },
  // ES-module-only packages that @grafana/* 13 pulls in beyond the scaffold's list; with npm
  // workspaces they are hoisted to the repository's node_modules.
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, 'd3-.*', 'internmap', '@openfeature'])],
};
