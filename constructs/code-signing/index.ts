export * from './lambda-code-signing';
