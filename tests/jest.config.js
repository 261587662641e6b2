/** @type {import('jest').Config} Tests that cross the parts: pcap → collector → InfluxDB → API → plugin. */
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 120000,
};
