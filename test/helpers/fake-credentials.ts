/**
 * Credentials in real provider formats for tests that need the detector to find one, generated from a fixed seed
 * (no realistic secret is written in the repository). AWS's documented examples (`AKIAIOSFODNN7EXAMPLE`) are
 * placeholders that the detector deliberately leaves alone, so they cannot serve here.
 */
import { GENERATORS, seeded } from '../fixtures/secrets-eval/generate';

const rng = seeded(0x5ec12e7);

/** An AWS access key id: `AKIA` and 16 base32 characters. */
export const FAKE_AWS_ACCESS_KEY_ID = GENERATORS['aws-access-key-id']!(rng);
/** An AWS secret access key: 40 characters of the base64 alphabet, mixed case and digits. */
export const FAKE_AWS_SECRET_ACCESS_KEY = GENERATORS['aws-secret-access-key']!(rng);
