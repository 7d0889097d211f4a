/**
 * The `secure-llm-manifest` command: see `manifest-cli.ts`. Bundled into `dist/cli/secure-llm-manifest.js` by
 * scripts/bundle-lambdas.mjs like secure-llm-keys.
 *
 * @module
 */
import { runManifestCli } from './manifest-cli';

process.exitCode = runManifestCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (line) => console.error(line),
});
