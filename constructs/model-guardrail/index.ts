export * from './model-guardrail';
