export * from './private-network';
export * from './network-guard';
