import { renderDot } from './dot';
import { deriveDiagram } from './graph';
import { synthesizeBlueprint } from './synth';

export * from './dot';
export * from './graph';
export * from './synth';

/** The title drawn above the diagram. */
export const DIAGRAM_TITLE = 'secure-llm-blueprint: generated from the synthesized app (npm run diagram)';

/**
 * The DOT source of the README's architecture diagram, from a fresh synthesis of the blueprint
 * with the `cdk.json` context. `npm run diagram` writes it to docs/architecture.dot.
 */
export function architectureDot(): string {
  return renderDot(deriveDiagram(synthesizeBlueprint()), DIAGRAM_TITLE);
}
