import { join } from 'node:path';
import webpack from 'webpack';

/** The page entries in this folder: the plugin render test's page and the config editor test's. */
export type HarnessEntry = 'harness.js' | 'config-harness.js';

/**
 * Bundles one of this folder's page entries with the real shared modules Grafana gives plugins
 * (@grafana/data, ui, runtime, schema, react, react-dom, rxjs, @emotion/*) from node_modules
 * into `<outDir>/harness.js`, the name server.ts serves. Built at test time into a temporary
 * folder; never committed.
 */
export async function buildHarness(entry: HarnessEntry, outDir: string): Promise<string> {
  const compiler = webpack({
    // No optimisation passes (they cost most of the build) but React's production build.
    mode: 'none',
    target: 'web',
    context: __dirname,
    entry: { harness: join(__dirname, entry) },
    output: { path: outDir, filename: '[name].js', publicPath: '/' },
    devtool: false,
    optimization: { nodeEnv: 'production', minimize: false, splitChunks: false },
    performance: { hints: false },
    cache: false,
    module: {
      rules: [
        // Some dependencies' ES modules import paths without extensions.
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.(svg|png|woff2?|ttf)$/, type: 'asset/resource' },
      ],
    },
    resolve: {
      extensions: ['.mjs', '.js', '.json'],
      fallback: { fs: false, path: false, os: false, crypto: false, stream: false },
    },
    plugins: [new webpack.ProvidePlugin({ Buffer: ['buffer', 'Buffer'] })],
    stats: 'errors-only',
  });
  const stats = await new Promise<webpack.Stats>((resolve, reject) =>
    compiler.run((err, result) =>
      err || !result ? reject(err ?? new Error('webpack gave no stats')) : resolve(result),
    ),
  );
  await new Promise<void>((resolve, reject) => compiler.close((err) => (err ? reject(err) : resolve())));
  if (stats.hasErrors()) {
    throw new Error(`building the page ${entry} failed:\n${stats.toString('errors-only')}`);
  }
  return join(outDir, 'harness.js');
}
