// Runs once before any test, in jest's parent process:
// 1. builds the pre-built Lambda bundles with the script `npm run build` uses, so the tests synthesize and check
//    exactly the bytes the package ships;
// 2. points TMPDIR at one fresh directory that the workers inherit, so everything the tests write to the temporary
//    directory (cloud assemblies of apps without an outdir, copied bundles, configuration files) is removed by
//    test/global-teardown.js. (Setting TMPDIR inside a test file would not do: jest gives each file its own copy of
//    process.env, which Node's os.tmpdir() never reads.)
// 3. turns off the AWS SDK's notice that its releases after January 2027 need Node.js 22 (the workers and the
//    processes the tests start inherit it): every worker printed it once, among the test results; the notice is about
//    the machine's Node.js, not about any test.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = function globalSetup() {
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'bundle-lambdas.mjs')], { stdio: 'inherit' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-jest-'));
  globalThis.__SLB_PREVIOUS_TMPDIR__ = process.env.TMPDIR;
  globalThis.__SLB_TEST_TMPDIR__ = dir;
  process.env.TMPDIR = dir;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
};
