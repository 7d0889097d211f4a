export * from './knowledge-base';
