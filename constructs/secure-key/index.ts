export * from './secure-key';
