/**
 * The part of the untrusted-document screen (`lambda/shared/screening/document`) retrieval uses. Loaded only through
 * `documentScreen()` (deferred-sdk.ts), from a file of its own beside the gateway's `index.js` in the deployed bundle.
 */
export { screenDocument } from '../shared/screening/document';
