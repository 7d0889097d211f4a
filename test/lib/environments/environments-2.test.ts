import { formatFindings } from '../../helpers/compliance';
import { environmentCases, withSynthesizedCase } from './cases';

const SHARD = 1;

/**
 * Every committed configuration synthesizes with every compliance check, environment-agnostic,
 * region-pinned and account+region-pinned, without AWS credentials: no finding, and no context
 * lookup left for the CDK CLI to make. The cases are split over two files so jest runs them in parallel.
 */
describe.each(environmentCases(SHARD, 2))('$source, $mode', (c) => {
  test('passes every check with no lookup and the configured environment', () => {
    withSynthesizedCase(c, (result) => {
      expect(formatFindings(result.findings)).toBe('');
      const assembly = result.assembly;
      expect(assembly.manifest.missing ?? []).toEqual([]);
      for (const stack of assembly.stacks) {
        expect(stack.environment.region).toBe(c.input.env?.region ?? 'unknown-region');
        expect(stack.environment.account).toBe(c.input.env?.account ?? 'unknown-account');
      }
      // Subnets name the configured zones, else the zones CloudFormation resolves at deploy time.
      const listed = c.input.env?.availabilityZones;
      const zones = assembly.stacks.flatMap((s) =>
        Object.values(s.template.Resources as Record<string, { Type: string; Properties: { AvailabilityZone?: unknown } }>)
          .filter((r) => r.Type === 'AWS::EC2::Subnet')
          .map((r) => r.Properties.AvailabilityZone),
      );
      expect(zones.length).toBeGreaterThanOrEqual(2);
      for (const zone of zones) {
        if (listed) {
          expect(listed).toContain(zone);
        } else {
          expect(zone).toEqual({ 'Fn::Select': [expect.any(Number), { 'Fn::GetAZs': '' }] });
        }
      }
    });
  });
});
