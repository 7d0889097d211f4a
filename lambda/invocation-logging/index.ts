/**
 * Custom-resource handler for `Custom::BedrockModelInvocationLogging`.
 *
 * Create/Update call `PutModelInvocationLoggingConfiguration`, Delete calls
 * `DeleteModelInvocationLoggingConfiguration` (a per-account, per-region singleton). There is no
 * provider framework in front of this function, so it answers CloudFormation itself by PUTting
 * to the pre-signed `ResponseURL` — always, including on errors and when its own time runs out,
 * so a stack never waits for a response that will not come.
 *
 * The `ResponseURL` is a bearer capability and is never logged.
 */
import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { buildResponse, DEFAULT_SEND_OPTIONS, type Outcome, sendResponse, type SendOptions } from './cfn-response';
import {
  failedCreatePhysicalResourceId,
  isNotFoundError,
  isPermissionPropagationError,
  parseLoggingProperties,
  physicalResourceId,
  regionOfStack,
  toPutRequest,
} from './logging-config';

const logger = new Logger({ serviceName: 'bedrock-invocation-logging' });

/** Bounded per call: the function runs in isolated subnets, where a missing endpoint means a silent connect timeout. */
const bedrock = new BedrockClient({
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
});

/** Everything the handler needs from outside; injectable so tests can shorten the waits. */
export interface HandlerDependencies {
  readonly bedrock: BedrockClient;
  /** Pauses between Put retries while IAM propagates a freshly created delivery role. */
  readonly putRetryDelaysMs: readonly number[];
  /** Time kept back from the Lambda deadline for delivering the response. */
  readonly responseReserveMs: number;
  /** Bounds on delivering the response. */
  readonly send: SendOptions;
}

/** The Lambda entry point's type. */
export type CustomResourceHandler = (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis' | 'logStreamName'>) => Promise<void>;

class DeadlineError extends Error {
  public override readonly name = 'DeadlineError';
}

/** Builds a handler around the given dependencies. */
export function createHandler(deps: HandlerDependencies): CustomResourceHandler {
  return async (event, context) => {
    const region = regionOfStack(event.StackId) ?? process.env.AWS_REGION ?? 'unknown-region';
    const budgetMs = Math.max(1_000, context.getRemainingTimeInMillis() - deps.responseReserveMs);
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DeadlineError(`no answer from Amazon Bedrock within ${Math.round(budgetMs / 1000)} s`)),
      budgetMs,
    );

    let outcome: Outcome;
    try {
      outcome = await apply(event, region, deps, controller.signal);
    } catch (err) {
      outcome = {
        status: 'FAILED',
        physicalResourceId:
          event.RequestType === 'Create' ? failedCreatePhysicalResourceId(region) : event.PhysicalResourceId,
        reason: describeFailure(err, controller.signal, context.logStreamName),
      };
    } finally {
      clearTimeout(timer);
    }

    logger.info('decision', {
      requestType: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      requestId: event.RequestId,
      status: outcome.status,
      physicalResourceId: outcome.physicalResourceId,
      reason: outcome.reason,
    });

    try {
      await sendResponse(event.ResponseURL, buildResponse(event, outcome), deps.send);
    } catch (err) {
      // Rethrow: the asynchronous invocation is retried and, failing that, lands in the dead-letter queue.
      logger.error('could not deliver the CloudFormation response', {
        requestType: event.RequestType,
        logicalResourceId: event.LogicalResourceId,
        requestId: event.RequestId,
        error: err instanceof Error ? err.message : String(err),
      });
      throw err;
    }
  };
}

async function apply(
  event: CloudFormationCustomResourceEvent,
  region: string,
  deps: HandlerDependencies,
  signal: AbortSignal,
): Promise<Outcome> {
  const ownId = physicalResourceId(region);
  switch (event.RequestType) {
    case 'Create':
    case 'Update': {
      const input = toPutRequest(parseLoggingProperties(event.ResourceProperties));
      for (let attempt = 0; ; attempt++) {
        try {
          await deps.bedrock.send(new PutModelInvocationLoggingConfigurationCommand(input), { abortSignal: signal });
          break;
        } catch (err) {
          const delay = deps.putRetryDelaysMs[attempt];
          if (delay === undefined || !isPermissionPropagationError(err) || signal.aborted) {
            throw err;
          }
          logger.info('delivery role not usable yet; retrying', { attempt: attempt + 1, delayMs: delay });
          await sleep(delay, signal);
        }
      }
      return { status: 'SUCCESS', physicalResourceId: ownId, reason: `${event.RequestType}: logging configuration set` };
    }
    case 'Delete': {
      if (event.PhysicalResourceId !== ownId) {
        // A failed Create being rolled back: this stack never configured logging, so leave it alone.
        return { status: 'SUCCESS', physicalResourceId: event.PhysicalResourceId, reason: 'Delete: nothing to delete' };
      }
      const ownLogGroup = (event.ResourceProperties as Record<string, unknown> | undefined)?.LogGroupName;
      const current = await deps.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}), { abortSignal: signal });
      const currentLogGroup = current.loggingConfig?.cloudWatchConfig?.logGroupName;
      if (current.loggingConfig === undefined) {
        return { status: 'SUCCESS', physicalResourceId: ownId, reason: 'Delete: no configuration in place' };
      }
      if (typeof ownLogGroup === 'string' && currentLogGroup !== ownLogGroup) {
        // Someone replaced our configuration since; deleting it would switch off their logging.
        return {
          status: 'SUCCESS',
          physicalResourceId: ownId,
          reason: 'Delete: the configuration in place belongs to another owner and was left unchanged',
        };
      }
      try {
        await deps.bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({}), { abortSignal: signal });
      } catch (err) {
        if (!isNotFoundError(err)) {
          throw err;
        }
      }
      return { status: 'SUCCESS', physicalResourceId: ownId, reason: 'Delete: logging configuration removed' };
    }
  }
}

function describeFailure(err: unknown, signal: AbortSignal, logStreamName: string): string {
  const cause = signal.aborted && signal.reason instanceof DeadlineError ? signal.reason : err;
  const hint =
    cause instanceof DeadlineError
      ? ' — check that the VPC has a bedrock interface endpoint reachable on tcp/443 from the handler'
      : '';
  const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return `${message}${hint} (log stream ${logStreamName})`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The Lambda entry point. */
export const handler: CustomResourceHandler = createHandler({
  bedrock,
  putRetryDelaysMs: [2_000, 4_000, 8_000, 16_000],
  responseReserveMs: 20_000,
  send: DEFAULT_SEND_OPTIONS,
});
