export * from './security-monitoring';
