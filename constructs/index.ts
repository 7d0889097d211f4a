export * from './secure-key';
export * from './secure-log-group';
export * from './private-network';
export * from './audit-trail';
export * from './alert-topic';
export * from './threat-detection';
export * from './invocation-logging';
export * from './access-logs-bucket';
