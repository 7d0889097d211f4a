// Type-checks secure-llm-blueprint's published declarations under this app's strict options
// (exactOptionalPropertyTypes included). `skipLibCheck: false` also reports aws-cdk-lib's own declarations,
// which do not pass exactOptionalPropertyTypes and are not ours to fix: only errors in the blueprint's count.
import { spawnSync } from 'node:child_process';

const result = spawnSync('npx', ['tsc', '--noEmit', '--skipLibCheck', 'false'], { encoding: 'utf8' });
const ours = result.stdout.split('\n').filter((line) => line.startsWith('node_modules/secure-llm-blueprint/'));
if (ours.length > 0) {
  console.error(`secure-llm-blueprint declarations fail the strict type check:\n${ours.join('\n')}`);
  process.exit(1);
}
if (result.status !== 0 && !result.stdout.includes('error TS')) {
  console.error(result.stdout, result.stderr);
  process.exit(1);
}
console.log('secure-llm-blueprint declarations: no errors under the strict options');
