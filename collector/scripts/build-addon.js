#!/usr/bin/env node
// Builds the nDPI addon (build/Release/packetflux_ndpi.node) with node-gyp, offline, against the
// system libndpi found by pkg-config. Run by `npm install` (install script) and `npm run build:addon`.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const packageRoot = path.resolve(__dirname, '..');

function libndpiPresent() {
  const r = spawnSync('pkg-config', ['--exists', 'libndpi'], { stdio: 'ignore' });
  return r.status === 0;
}

// node-gyp: the one npm bundles (found from npm's own install), else one in node_modules.
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_execpath) {
    // npm_execpath = .../npm/bin/npm-cli.js
    candidates.push(
      path.join(
        path.dirname(process.env.npm_execpath),
        '..',
        'node_modules',
        'node-gyp',
        'bin',
        'node-gyp.js',
      ),
    );
  }
  candidates.push(
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  );
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js', { paths: [packageRoot] }));
  } catch {
    // not installed locally
  }
  return candidates.find((p) => fs.existsSync(p));
}

if (!libndpiPresent()) {
  console.error(
    "packetflux: libndpi not found: install it with 'apt-get install libndpi-dev' (Debian/Ubuntu)",
  );
  process.exit(1);
}

// Build offline against the headers of the running node when they are installed beside it
// (/usr/include/node for Debian's nodejs), unless npm already passes a nodedir.
const gypArgs = ['rebuild'];
const nodePrefix = path.resolve(path.dirname(process.execPath), '..');
if (
  !process.env.npm_config_nodedir &&
  fs.existsSync(path.join(nodePrefix, 'include', 'node', 'node_api.h'))
) {
  gypArgs.push(`--nodedir=${nodePrefix}`);
}

const nodeGyp = findNodeGyp();
const r = nodeGyp
  ? spawnSync(process.execPath, [nodeGyp, ...gypArgs], { cwd: packageRoot, stdio: 'inherit' })
  : spawnSync('npx', ['--no-install', 'node-gyp', ...gypArgs], { cwd: packageRoot, stdio: 'inherit' });
if (r.error) {
  console.error(`packetflux: could not run node-gyp: ${r.error.message}`);
  process.exit(1);
}
process.exit(r.status === null ? 1 : r.status);
