/**
 * The streaming entry point ({@link createStreamingHandler}) writes its audit record once the response has ended, so
 * the log and metrics serialization is off the response's path; the buffered one ({@link createHandler}) before it
 * returns. Requests here never reach Bedrock (models route, unknown route), so the client points nowhere.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { AuditRecord, Auditor, newLogger, newMetrics } from '../../../lambda/gateway/audit';
import { createHandler, createStreamingHandler } from '../../../lambda/gateway/index';
import { fakeContext, toProxyEvent, userContext } from '../../helpers/lambda-http-adapter';
import { RecordingSink, StdoutCapture, TEST_CONFIG } from './gateway-fixtures';

/** No usage table: these routes never reserve anything. */
const CONFIG = { ...TEST_CONFIG, quotasEnabled: false };

/** An auditor that notes, for each record, whether the response had already ended when it was emitted. */
class OrderAuditor extends Auditor {
  readonly seen: Array<{ record: AuditRecord; responseEnded: boolean }> = [];
  responseEnded = (): boolean => false;

  emit(record: AuditRecord): void {
    this.seen.push({ record, responseEnded: this.responseEnded() });
    super.emit(record);
  }
}

describe('gateway handler audit timing', () => {
  const stdout = new StdoutCapture();
  const bedrock = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'AKIDTESTTESTTESTTEST', secretAccessKey: 'x' } });
  const claims = userContext('audit-order-user', 'users');

  beforeAll(() => stdout.start());
  afterAll(() => {
    stdout.stop();
    bedrock.destroy();
  });

  describe('defaults', () => {
    test.each([
      ['/v1/models', 200],
      ['/v1/nowhere', 404],
    ])('the streaming handler emits the audit record of GET %s after the response ended', async (path, status) => {
      // GIVEN the streaming handler and a response stream that notes when it finished
      const auditor = new OrderAuditor(newLogger(), newMetrics());
      const handler = createStreamingHandler({ config: CONFIG, bedrock, auditor });
      const sink = new RecordingSink();
      auditor.responseEnded = () => sink.finished;

      // WHEN a request is served
      await handler(toProxyEvent('GET', path, {}, Buffer.alloc(0), claims), sink.stream, fakeContext());

      // THEN one record, with the status, written after the response ended
      expect(sink.body).toContain(`"statusCode":${status}`);
      expect(auditor.seen).toHaveLength(1);
      expect(auditor.seen[0]).toMatchObject({ record: { status }, responseEnded: true });
    });

    test('the buffered handler emits the audit record before it returns the response', async () => {
      // GIVEN the buffered handler
      const auditor = new OrderAuditor(newLogger(), newMetrics());
      const handler = createHandler({ config: CONFIG, bedrock, auditor });
      let returned = false;
      auditor.responseEnded = () => returned;

      // WHEN a request is served
      const response = await handler(toProxyEvent('GET', '/v1/models', {}, Buffer.alloc(0), claims), fakeContext());
      returned = true;

      // THEN its record was written before the response left
      expect(response.statusCode).toBe(200);
      expect(auditor.seen).toEqual([expect.objectContaining({ record: expect.objectContaining({ status: 200 }), responseEnded: false })]);
    });
  });
});
