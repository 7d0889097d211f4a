import * as fs from 'node:fs';
import * as path from 'node:path';
import { StackTemplate, synthesizeBlueprint } from '../diagram';
import { inventory } from './inventory';
import { PricedConfiguration, renderCostSection } from './render';

export * from './estimate';
export * from './inventory';
export * from './render';

const ROOT = path.join(__dirname, '..', '..');

/** A configuration the README prices: the `cdk.json` default, or one file in `config/`. */
export interface CostConfiguration {
  /** The column title, e.g. `default (cdk.json)` or `config/org-managed.json`. */
  readonly name: string;
  /** Context to synthesize it with (`{ config: 'config/x.json' }`, or nothing for the default). */
  readonly context: Record<string, unknown>;
}

/** The default configuration, then every JSON file in `config/`, by name. */
export function costConfigurations(root: string = ROOT): CostConfiguration[] {
  const dir = path.join(root, 'config');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  return [{ name: 'default (cdk.json)', context: {} }, ...files.map((f) => ({ name: `config/${f}`, context: { config: `config/${f}` } }))];
}

/** Synthesizes one configuration exactly as `cdk synth` builds it, without the compliance checks. */
export function synthesizeConfiguration(config: CostConfiguration): StackTemplate[] {
  return synthesizeBlueprint(config.context);
}

/** Prices each configuration's templates. */
export function priceConfigurations(synthesized: readonly { config: CostConfiguration; stacks: readonly StackTemplate[] }[]): PricedConfiguration[] {
  return synthesized.map(({ config, stacks }) => ({ name: config.name, inventory: inventory(stacks) }));
}

/** The README's cost section from a fresh synthesis of every configuration. `npm run cost` writes it. */
export function costSection(): string {
  return renderCostSection(priceConfigurations(costConfigurations().map((config) => ({ config, stacks: synthesizeConfiguration(config) }))));
}
