// Removes the temporary directory test/global-setup.js created for the whole run, with everything in it.
const fs = require('node:fs');

module.exports = function globalTeardown() {
  const dir = globalThis.__SLB_TEST_TMPDIR__;
  if (globalThis.__SLB_PREVIOUS_TMPDIR__ === undefined) {
    delete process.env.TMPDIR;
  } else {
    process.env.TMPDIR = globalThis.__SLB_PREVIOUS_TMPDIR__;
  }
  if (dir) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
