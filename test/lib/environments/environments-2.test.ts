import { describeEnvironmentCases } from './cases';

// Part 2 of 2 of the environment cases (test/lib/environments/cases.ts); the other file runs the rest in parallel.
describeEnvironmentCases(1, 2);
