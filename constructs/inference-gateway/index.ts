export * from './inference-gateway';
export * from './model-access';
export * from './model-catalog';
export { WEB_ACL_RULE_NAMES, bodyInspectionLimitFor } from './waf';
export type { GatewayOidcProvider, GatewaySamlProvider } from './federation';
