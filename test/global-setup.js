// Builds the pre-built Lambda bundles once before any test, with the same script `npm run build` uses,
// so the tests synthesize and check exactly the bytes the package ships.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = function globalSetup() {
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'bundle-lambdas.mjs')], { stdio: 'inherit' });
};
