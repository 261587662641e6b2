/*
 * Extends the scaffolded .config/webpack/webpack.config.ts (see .config/README.md) so that it
 * loads on Node 20: Node >= 22.6 strips TypeScript types itself, Node 20 needs a loader, and
 * ts-node reading our tsconfig (moduleResolution "bundler") refuses to emit CommonJS. So ts-node
 * is registered here, transpile-only, with options that suit a CommonJS config file.
 */
require('ts-node').register({
  transpileOnly: true,
  compilerOptions: {
    module: 'commonjs',
    moduleResolution: 'node10',
    importHelpers: false,
    noEmitHelpers: false,
  },
});

const { merge } = require('webpack-merge');
const grafanaConfig = require('./.config/webpack/webpack.config.ts').default;

module.exports = async (env) => {
  const baseConfig = await grafanaConfig(env);
  return merge(baseConfig, {
    // The Go backend's build writes into dist/ as well; keep webpack's report about the
    // frontend only.
    stats: 'errors-warnings',
  });
};
