export * from './knowledge-base-sync';
