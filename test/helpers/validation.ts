/**
 * Leaves aws-cdk-lib's CloudFormation validator out of every synthesis of the calling test file (`CDK_VALIDATION=false`;
 * jest gives each test file its own `process.env`). For construct test files whose template-only stacks are built in an
 * App of aws-cdk-lib's defaults (`new Stack()`, `new App()`: the construct without this project's feature flags), which
 * would otherwise load the validator's engine (about six seconds of CPU per test file) for stacks that no compliance run
 * checks. Their compliance runs use `newConstructTestApp` (test/helpers/compliance.ts), which leaves the validator out
 * too; it checks the default app (test/lib/app-compliance.test.ts) and every committed configuration
 * (test/lib/environments). Call it at the top of the file, after the imports.
 */
export function withoutCloudFormationValidator(): void {
  process.env.CDK_VALIDATION = 'false';
}
