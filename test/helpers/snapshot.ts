export { scrubAssetHashes } from '../../lib/testing';
