import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import type { TestReference } from '../../lib/compliance/owasp';

/** The project root (where `package.json` is); test references are relative to it. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The full names (describe titles and test title, space-joined) of the tests in a file, as Jest prints them.
 * Only literal titles are seen: a test whose title is computed (`test.each`, template with substitutions) is not listed.
 */
export function testNamesIn(file: string): Set<string> {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const names = new Set<string>();
  const title = (node: ts.Node | undefined): string | undefined =>
    node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
  const visit = (node: ts.Node, prefix: string): void => {
    if (ts.isCallExpression(node)) {
      const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.expression : node.expression;
      const fn = ts.isIdentifier(callee) ? callee.text : '';
      const t = title(node.arguments[0]);
      if (['describe', 'test', 'it'].includes(fn) && t !== undefined) {
        const full = prefix ? `${prefix} ${t}` : t;
        if (fn === 'describe') {
          node.arguments.slice(1).forEach((arg) => visit(arg, full));
        } else {
          names.add(full);
        }
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, prefix));
  };
  visit(source, '');
  return names;
}

/** The references whose file is missing or holds no test of that full name, as `file › name`. */
export function missingTests(refs: readonly TestReference[]): string[] {
  const cache = new Map<string, Set<string>>();
  return refs
    .filter((ref) => {
      const file = path.join(PROJECT_ROOT, ref.file);
      if (!fs.existsSync(file)) {
        return true;
      }
      if (!cache.has(file)) {
        cache.set(file, testNamesIn(file));
      }
      return !cache.get(file)!.has(ref.name);
    })
    .map((ref) => `${ref.file} › ${ref.name}`);
}
