export * from './access-logs-bucket';
