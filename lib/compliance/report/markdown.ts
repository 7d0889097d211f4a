import type { CheckReport, ComplianceReport, ResourceCoverage, RuleSummary } from './build';

function cell(text: string | number | undefined): string {
  return String(text ?? '')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return text === '' ? '' : `\`${text.replace(/`/g, "'")}\``;
}

function anchor(heading: string): string {
  // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

function ruleTable(check: CheckReport): string[] {
  const rules = check.rules.rules;
  if (rules.length === 0) {
    return [];
  }
  switch (check.kind) {
    case 'cdk-nag': {
      const applicable = rules.filter((r) => r.applicable);
      const other = rules.filter((r) => !r.applicable);
      return [
        '',
        ...table(
          ['Rule', 'Level', 'Resources it applies to', 'Compliant', 'Non-compliant (before acknowledgments)'],
          applicable.map((r) => [code(r.id), r.level, (r.compliant ?? 0) + (r.nonCompliant ?? 0), r.compliant, r.nonCompliant]),
        ),
        ...(other.length === 0
          ? []
          : ['', `<details><summary>${other.length} rules not applicable to any resource</summary>`, '', other.map((r) => code(r.id)).join(', '), '', '</details>']),
      ];
    }
    case 'cfn-guard': {
      const applicable = rules.filter((r) => r.applicable);
      return [
        '',
        ...table(
          ['Rule id', 'Control', 'Guard rule', 'Resource types'],
          applicable.map((r: RuleSummary) => [code(r.id), r.control, code(r.guardRule ?? ''), (r.resourceTypes ?? []).join(', ')]),
        ),
      ];
    }
    case 'cloudformation-validate':
      return [
        '',
        `<details><summary>${rules.length} rules</summary>`,
        '',
        ...table(['Rule', 'Severity', 'Origin', 'Checks'], rules.map((r) => [code(r.id), r.severity, r.origin, r.description])),
        '',
        '</details>',
      ];
    default:
      return ['', rules.map((r) => code(r.id)).join(', ')];
  }
}

function checkSection(check: CheckReport): string[] {
  const lines = [
    `### ${check.name}${check.version ? ` ${check.version}` : ''}`,
    '',
    `Conclusion: **${check.conclusion}**${check.durationMs !== undefined ? ` (${check.durationMs} ms)` : ''}.`,
    '',
    ...check.notes.flatMap((note) => [`> **Note:** ${note}`, '']),
    '#### Rules evaluated',
    '',
    check.rules.description,
    ...ruleTable(check),
    '',
    `#### Unacknowledged findings (${check.counts.findings})`,
    '',
  ];
  if (check.findings.length === 0) {
    lines.push('None.');
  } else {
    lines.push(
      ...table(
        ['Severity', 'Rule', 'Resource', 'Finding', 'Fix'],
        check.findings.map((f) => [f.severity, code(f.rule), code(f.path), f.description, f.fix]),
      ),
    );
  }
  lines.push('', `#### Acknowledgments (${check.counts.acknowledgments})`, '');
  if (check.acknowledgments.length === 0) {
    lines.push('None.');
  } else {
    lines.push(
      ...table(
        ['Resource', 'Acknowledged', 'Reason', 'Findings covered', 'Made by'],
        check.acknowledgments.map((a) => [
          code(a.path || '(app)'),
          code(a.rule),
          a.reason,
          a.findingsCovered,
          a.source === 'aws-cdk-lib' ? `aws-cdk-lib${a.location ? ` (via ${a.location})` : ''}` : a.location ?? a.source,
        ]),
      ),
    );
  }
  lines.push('');
  return lines;
}

/** The heading of the per-resource coverage section (linked from the summary). */
const COVERAGE_HEADING = 'Functions, roles and log groups';

function coverageSummary(coverage: ResourceCoverage): string {
  const n = coverage.resources.length;
  return coverage.notEvaluatedByCdkNag === 0
    ? `Every one of the ${n} Lambda functions, IAM roles and log groups in the templates was evaluated by the cdk-nag packs ([${COVERAGE_HEADING}](#${anchor(COVERAGE_HEADING)})).`
    : `**${coverage.notEvaluatedByCdkNag} of the ${n} Lambda functions, IAM roles and log groups in the templates were not evaluated by the cdk-nag packs** ` +
        `(marked NOT EVALUATED under [${COVERAGE_HEADING}](#${anchor(COVERAGE_HEADING)})).`;
}

function coverageSection(coverage: ResourceCoverage): string[] {
  return [
    `## ${COVERAGE_HEADING}`,
    '',
    coverage.description,
    '',
    ...(coverage.resources.length === 0
      ? ['None in these templates.']
      : table(
          ['Stack', 'Resource', 'Type', 'cdk-nag packs that evaluated it', 'cfn-guard rules', 'Notes'],
          coverage.resources.map((r) => [
            r.stack,
            r.path === undefined ? code(r.logicalId) : `${code(r.path)} (${code(r.logicalId)}, ${r.constructClass ?? 'no construct'})`,
            r.type,
            r.evaluatedByCdkNag
              ? r.cdkNagPacks.join(', ')
              : `**NOT EVALUATED**${r.missingCdkNagPacks.length > 0 ? ` by ${r.missingCdkNagPacks.join(', ')}` : ''}` +
                (r.cdkNagPacks.length > 0 ? ` (only ${r.cdkNagPacks.join(', ')})` : ''),
            r.cfnGuardRules.length === 0 ? 'none' : r.cfnGuardRules.map(code).join(', '),
            r.notes.join(' '),
          ]),
        )),
    '',
  ];
}

function outcomeReason(report: ComplianceReport): string {
  const failed = report.checks.filter((c) => c.conclusion === 'failed');
  const parts: string[] = [];
  if (failed.length > 0) {
    parts.push(`${report.totals.errors} unacknowledged error finding(s) in ${failed.map((c) => c.name).join(', ')}.`);
  }
  if (report.failure) {
    parts.push(`Synthesis failed: ${report.failure}`);
  }
  return parts.length > 0 ? parts.join(' ') : 'no check reported an unacknowledged error.';
}

/** Renders the compliance report as Markdown for auditors (`compliance-report.md`). */
export function renderComplianceMarkdown(report: ComplianceReport): string {
  const t = report.totals;
  const lines = [
    `# ${report.title}`,
    '',
    `Generated by \`cdk synth\` on ${report.generatedAt}. Outcome: **${report.outcome.toUpperCase()}** — ${outcomeReason(report)}`,
    '',
    `Stacks: ${report.stacks.map((s) => `${code(s.path)} (${s.stackName})`).join(', ') || 'none'}.`,
    '',
    `Tools: ${Object.entries(report.tools)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
    'Unacknowledged findings come from the `validation-report.json` CDK wrote next to this file; acknowledgments come from the construct tree ' +
      '(metadata `aws:cdk:acknowledged-rules`, also in each `<Stack>.metadata.json`). "Findings covered" counts the findings of this synthesis an ' +
      'acknowledgment suppressed; 0 means it matched nothing this time. The acknowledgments are held to the reviewed baseline ' +
      '`test/compliance/acknowledgments.json` by the test suite.',
    '',
    '## Summary',
    '',
    coverageSummary(report.coverage),
    '',
    ...table(
      ['Check', 'Conclusion', 'Rules evaluated', 'Rules applicable', 'Unacknowledged findings (errors)', 'Acknowledgments (by aws-cdk-lib)', 'Findings acknowledged'],
      [
        ...report.checks.map((c) => [
          c.name,
          c.conclusion,
          c.rules.evaluated || (c.kind === 'cloudformation-validate' && c.ran ? 'schema validation' : 0),
          c.rules.applicable ?? '—',
          `${c.counts.findings} (${c.counts.errors})`,
          `${c.counts.acknowledgments} (${c.counts.acknowledgmentsByAwsCdkLib})`,
          c.counts.acknowledgedFindings,
        ]),
        ['**Total**', report.outcome, '', '', `${t.findings} (${t.errors})`, `${t.acknowledgments} (${t.acknowledgmentsByAwsCdkLib})`, t.acknowledgedFindings],
      ],
    ),
    '',
    ...coverageSection(report.coverage),
    '## OWASP Top 10 for LLM Applications (2025)',
    '',
    'Each control is proved by the tests named next to it (test file › full test name). `test/lib/compliance/report.test.ts` fails if a named file or test no longer exists, so this table cannot drift from the test suite.',
    '',
    ...table(
      ['Risk', 'Coverage', 'Controls', 'Tests'],
      report.owasp.map((risk) => [
        `[${risk.id} ${risk.title}](#${anchor(`${risk.id} ${risk.title}`)})`,
        risk.coverage,
        risk.controls.length,
        risk.controls.reduce((n, c) => n + c.provedBy.length, 0),
      ]),
    ),
    '',
    ...report.owasp.flatMap((risk) => [
      `### ${risk.id} ${risk.title}`,
      '',
      `Coverage: **${risk.coverage}**.${risk.note ? ` ${risk.note}` : ''}`,
      '',
      ...(risk.controls.length === 0
        ? ['No control in this deployment.']
        : table(
            ['Control in this deployment', 'Implemented in', 'Proved by'],
            risk.controls.map((c) => [
              c.control,
              c.implementedIn.map(code).join('<br>'),
              c.provedBy.map((p) => `${code(p.file)} › ${p.name}`).join('<br>'),
            ]),
          )),
      '',
    ]),
    '## Checks',
    '',
    ...report.checks.flatMap(checkSection),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
