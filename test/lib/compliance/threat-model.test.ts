import * as fs from 'node:fs';
import * as path from 'node:path';
import { OWASP_LLM_TOP_10_2025 } from '../../../lib/compliance/owasp';
import {
  THREAT_MODEL,
  THREAT_MODEL_DOCUMENT,
  Threat,
  ThreatCategory,
  controlFromOwasp,
  renderThreatModel,
} from '../../../lib/compliance/threat-model';
import { missingTests } from '../../helpers/test-names';

const PROJECT_ROOT = path.join(__dirname, '..', '..', '..');

/**
 * The seed list of the threat-model issue: each category, and words or OWASP ids its threats must
 * mention (titles, descriptions, controls and residual risk together), so a category cannot stay
 * present in name only.
 */
const SEED_CATEGORIES: Readonly<Record<string, { readonly terms: readonly string[]; readonly owasp: readonly string[] }>> = {
  'prompt-injection': { terms: ['Direct prompt injection', 'Indirect prompt injection'], owasp: ['LLM01:2025'] },
  jailbreaks: { terms: ['jailbreak'], owasp: ['LLM01:2025'] },
  'data-leakage': { terms: ['PII', 'canary'], owasp: ['LLM02:2025', 'LLM07:2025'] },
  'poisoning-and-backdoors': { terms: ['poison', 'backdoor'], owasp: ['LLM04:2025'] },
  'supply-chain': { terms: ['SBOM', 'allow-list'], owasp: ['LLM03:2025'] },
  'tool-integrations': { terms: ['tool', 'schema'], owasp: ['LLM06:2025'] },
  'retrieval-and-vector-stores': { terms: ['retriev', 'vector store'], owasp: ['LLM08:2025'] },
  'runtime-infrastructure': { terms: ['network', 'key', 'IAM'], owasp: [] },
  'multi-user-access-control': { terms: ['Cognito', 'group'], owasp: [] },
  'unbounded-consumption': { terms: ['quota', 'denial of wallet'], owasp: ['LLM10:2025'] },
  'monitoring-and-audit': { terms: ['trail', 'alarm', 'audit record'], owasp: [] },
  'data-governance-and-privacy': { terms: ['personal data', 'retention', 'mask'], owasp: [] },
  regulation: { terms: ['GDPR', 'region', 'logRetentionDays', 'data protection', 'HIPAA', 'PCI DSS', 'NIST 800-53'], owasp: [] },
};

/** Everything written about a category, for the term check. */
function textOf(category: ThreatCategory): string {
  return [
    category.title,
    ...category.threats.flatMap((t) => [t.title, t.description, ...t.residualRisk, ...t.controls.flatMap((c) => [c.label, c.control])]),
  ].join('\n');
}

/** The seed categories missing from `model`, or present without what they must cover, as readable problems. */
function seedProblems(model: readonly ThreatCategory[]): string[] {
  const problems: string[] = [];
  for (const [key, seed] of Object.entries(SEED_CATEGORIES)) {
    const category = model.find((c) => c.key === key);
    if (!category) {
      problems.push(`${key}: missing`);
      continue;
    }
    const text = textOf(category).toLowerCase();
    for (const term of seed.terms.filter((t) => !text.includes(t.toLowerCase()))) {
      problems.push(`${key}: never mentions "${term}"`);
    }
    const owasp = new Set(category.threats.flatMap((t) => t.owasp));
    for (const id of seed.owasp.filter((o) => !owasp.has(o))) {
      problems.push(`${key}: relates to no threat of ${id}`);
    }
  }
  return problems;
}

const threats = (): Threat[] => THREAT_MODEL.flatMap((c) => [...c.threats]);

describe('threat model', () => {
  describe('the committed document', () => {
    test('docs/threat-model.md is exactly the rendering of lib/compliance/threat-model.ts', () => {
      // GIVEN
      const file = path.join(PROJECT_ROOT, THREAT_MODEL_DOCUMENT);
      const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      // WHEN
      const rendered = renderThreatModel();
      // THEN
      if (committed !== rendered) {
        const a = committed.split('\n');
        const b = rendered.split('\n');
        const line = a.findIndex((l, i) => l !== b[i]);
        throw new Error(
          `${THREAT_MODEL_DOCUMENT} is out of date (first difference at line ${(line === -1 ? a.length : line) + 1}): ` +
            'run `npm run threat-model` and commit the result',
        );
      }
    });

    test('rendering is deterministic', () => {
      expect(renderThreatModel()).toBe(renderThreatModel());
    });
  });

  describe('coverage', () => {
    test('has every category of the seed list, each covering what the seed names', () => {
      expect(seedProblems(THREAT_MODEL)).toEqual([]);
    });

    test('category keys and threat titles are unique, so every section has its own anchor', () => {
      const keys = THREAT_MODEL.map((c) => c.key);
      const titles = threats().map((t) => t.title);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
      expect(titles.filter((t, i) => titles.indexOf(t) !== i)).toEqual([]);
    });

    test('every OWASP id it names is a 2025 risk, and every 2025 risk relates to at least one threat', () => {
      const known = OWASP_LLM_TOP_10_2025.map((r) => r.id);
      const named = new Set(threats().flatMap((t) => t.owasp));
      expect([...named].filter((id) => !known.includes(id))).toEqual([]);
      expect(known.filter((id) => !named.has(id))).toEqual([]);
    });

    test('every threat that is covered or partial has controls, each implemented and proved by a test; every threat states residual risk', () => {
      for (const threat of threats()) {
        expect({ threat: threat.title, description: threat.description.length > 0, residualRisk: threat.residualRisk.length > 0 }).toEqual({
          threat: threat.title,
          description: true,
          residualRisk: true,
        });
        expect({ threat: threat.title, controls: threat.coverage === 'not built' || threat.controls.length > 0 }).toEqual({ threat: threat.title, controls: true });
        for (const c of threat.controls) {
          expect({ control: c.label, tests: c.provedBy.length > 0, files: c.implementedIn.length > 0 }).toEqual({ control: c.label, tests: true, files: true });
        }
      }
    });

    test('every implementation file it names exists', () => {
      const files = new Set(threats().flatMap((t) => t.controls.flatMap((c) => c.implementedIn)));
      expect([...files].filter((f) => !fs.existsSync(path.join(PROJECT_ROOT, f)))).toEqual([]);
    });

    test('every test it names exists in the file it names', () => {
      const refs = threats().flatMap((t) => t.controls.flatMap((c) => c.provedBy));
      expect(refs.length).toBeGreaterThan(100);
      expect(missingTests(refs)).toEqual([]);
    });

    test('reuses the OWASP mapping\'s control entries instead of restating them', () => {
      const owaspControls = new Set(OWASP_LLM_TOP_10_2025.flatMap((r) => r.controls.map((c) => c.control)));
      const reused = threats().flatMap((t) => t.controls.filter((c) => owaspControls.has(c.control)));
      expect(reused.length).toBeGreaterThan(20);
      for (const c of reused) {
        const original = OWASP_LLM_TOP_10_2025.flatMap((r) => r.controls).find((o) => o.control === c.control)!;
        expect({ implementedIn: c.implementedIn, provedBy: c.provedBy }).toEqual({ implementedIn: original.implementedIn, provedBy: original.provedBy });
      }
    });
  });

  describe('rendering', () => {
    test('the summary has one row per threat, each linking to a section heading of the document', () => {
      // GIVEN
      const markdown = renderThreatModel();
      // WHEN
      const rows = markdown.split('\n').filter((l) => /^\| \d+\.\d+ \|/.test(l));
      const anchors = new Set(
        markdown
          .split('\n')
          .filter((l) => l.startsWith('### '))
          .map((l) => l.slice(4).toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')),
      );
      // THEN
      expect(rows).toHaveLength(threats().length);
      const links = rows.map((r) => /\]\(#([^)]+)\)/.exec(r)![1]!);
      expect(links.filter((l) => !anchors.has(l))).toEqual([]);
    });

    test('names every test by file and full name, and every residual risk', () => {
      const markdown = renderThreatModel();
      for (const threat of threats()) {
        for (const ref of threat.controls.flatMap((c) => c.provedBy)) {
          expect(markdown).toContain(`\`${ref.file}\` › \`${ref.name}\``);
        }
      }
      expect(markdown).toContain('## How to read it');
      expect(markdown).toContain('## Summary');
    });

    test('escapes Markdown in prose but not in code spans, and pipes in table cells', () => {
      // GIVEN
      const model: ThreatCategory[] = [
        {
          key: 'k',
          title: 'A | B',
          threats: [
            {
              title: 'Grants on * and `bedrock:*`',
              description: 'Uses <script> and snake_case, keeps `a_b*`.',
              owasp: [],
              coverage: 'not built',
              controls: [{ label: 'x | y', control: 'c', implementedIn: ['f.ts'], provedBy: [{ file: 'test/a.test.ts', name: 'has `ticks`' }] }],
              residualRisk: ['r'],
            },
          ],
        },
      ];
      // WHEN
      const markdown = renderThreatModel(model);
      // THEN
      expect(markdown).toContain('Uses \\<script> and snake\\_case, keeps `a_b*`.');
      expect(markdown).toContain('| 1.1 | [Grants on \\* and `bedrock:*`](#11-grants-on--and-bedrock) | — | not built | x \\| y | 1 in `a` |');
      expect(markdown).toContain('`test/a.test.ts` › `` has `ticks` ``');
    });
  });

  describe('validation', () => {
    test('fails if a seed category is missing or does not cover what the seed names', () => {
      // GIVEN a model without regulation and with a data-leakage category that forgets system prompts (the threat, and
      // the streamed-output control that names the canary among what it screens)
      const model = THREAT_MODEL.filter((c) => c.key !== 'regulation').map((c) =>
        c.key === 'data-leakage'
          ? {
            ...c,
            threats: c.threats
              .filter((t) => !t.owasp.includes('LLM07:2025'))
              .map((t) => ({ ...t, controls: t.controls.filter((control) => control.label !== 'Streamed output screened before release') })),
          }
          : c,
      );
      // THEN
      expect(seedProblems(model)).toEqual([
        'data-leakage: never mentions "canary"',
        'data-leakage: relates to no threat of LLM07:2025',
        'regulation: missing',
      ]);
    });

    test('fails if a reused OWASP control is missing or ambiguous, naming the risk and the text', () => {
      expect(() => controlFromOwasp('x', 'LLM01:2025', 'No control starts like this')).toThrow(
        /expected one control of LLM01:2025 starting with "No control starts like this" .*found 0/,
      );
      expect(() => controlFromOwasp('x', 'LLM01:2025', '')).toThrow(`found ${OWASP_LLM_TOP_10_2025[0]!.controls.length};`);
      expect(() => controlFromOwasp('x', 'LLM99:2025', 'A')).toThrow(/LLM99:2025.*found 0/);
    });
  });
});
