export * from './threat-detection';
