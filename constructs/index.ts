export * from './secure-key';
export * from './secure-log-group';
