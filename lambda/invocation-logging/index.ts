/**
 * Custom-resource handler for `Custom::BedrockModelInvocationLogging`.
 *
 * The setting is a per-account, per-region singleton, so every request first reads what is in
 * place (`GetModelInvocationLoggingConfiguration`) and recognises this stack's configuration by
 * its log group (see `./takeover`):
 * - Create puts the configuration when none is set or it is already ours (idempotent). Someone
 *   else's configuration fails the Create, naming `baseline.invocationLogging.takeOverExisting`,
 *   unless `TakeOverExisting` is true: then it is kept in the physical ID and put back on Delete.
 * - Update puts the new configuration, but leaves (and reports) one another owner put since,
 *   unless `TakeOverExisting` is true.
 * - Delete restores the configuration taken over, or else deletes ours; another owner's
 *   configuration is left alone.
 *
 * There is no
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
  type LoggingConfig,
  PutModelInvocationLoggingConfigurationCommand,
  type PutModelInvocationLoggingConfigurationCommandInput,
} from '@aws-sdk/client-bedrock';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { DEFAULT_SEND_OPTIONS, type Outcome, reportOutcome, type SendOptions } from '../shared/cfn-response';
import {
  failedCreatePhysicalResourceId,
  isNotFoundError,
  isPermissionPropagationError,
  parseLoggingProperties,
  physicalResourceId,
  regionOfStack,
  toPutRequest,
} from './logging-config';
import {
  describeConfiguration,
  foreignConfigurationMessage,
  isConfigured,
  isOwnConfiguration,
  parsePhysicalResourceId,
  TAKE_OVER_CONFIG_KEY,
  takeOverPhysicalResourceId,
} from './takeover';

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

    await reportOutcome(event, outcome, logger, deps.send);
  };
}

async function apply(
  event: CloudFormationCustomResourceEvent,
  region: string,
  deps: HandlerDependencies,
  signal: AbortSignal,
): Promise<Outcome> {
  switch (event.RequestType) {
    case 'Create': {
      const props = parseLoggingProperties(event.ResourceProperties);
      const current = await currentConfiguration(deps, signal);
      let id = physicalResourceId(region);
      let note = 'logging configuration set';
      if (isConfigured(current) && !isOwnConfiguration(current, [props.LogGroupName])) {
        if (props.TakeOverExisting !== true) {
          throw new ForeignConfigurationError(foreignConfigurationMessage(region, current));
        }
        // Encoded before the Put, so a configuration that cannot be kept is never overwritten.
        id = takeOverPhysicalResourceId(region, current);
        note = `logging configuration set; took over ${describeConfiguration(current)}, to be restored on delete`;
        // The whole previous configuration (names, ARNs and flags; no payloads) also goes to the log: if this
        // response is lost and Lambda retries the Create, the retry finds our configuration and cannot know it.
        logger.warn('taking over the logging configuration in place', { previous: describeConfiguration(current), previousConfiguration: current });
      }
      await put(toPutRequest(props), deps, signal);
      return { status: 'SUCCESS', physicalResourceId: id, reason: `Create: ${note}` };
    }
    case 'Update': {
      // The physical ID never changes on Update (a new one would make CloudFormation delete the old).
      const id = event.PhysicalResourceId;
      const props = parseLoggingProperties(event.ResourceProperties);
      const oldLogGroup = (event.OldResourceProperties as Record<string, unknown> | undefined)?.LogGroupName;
      const current = await currentConfiguration(deps, signal);
      if (isConfigured(current) && !isOwnConfiguration(current, [props.LogGroupName, typeof oldLogGroup === 'string' ? oldLogGroup : undefined])) {
        if (props.TakeOverExisting !== true) {
          // Not FAILED: the rollback would send the same Update back and fail again (UPDATE_ROLLBACK_FAILED).
          // The other owner's Put has already raised the posture alert (ThreatDetection); this says why nothing changed.
          logger.warn('left a configuration that another owner put in place since', { current: describeConfiguration(current) });
          return {
            status: 'SUCCESS',
            physicalResourceId: id,
            reason:
              `Update: left unchanged — the configuration in place (${describeConfiguration(current)}) was put by another owner ` +
              `since this stack set its own; set ${TAKE_OVER_CONFIG_KEY}: true to overwrite it`,
          };
        }
        logger.warn('overwriting a configuration that another owner put in place since', { current: describeConfiguration(current) });
        await put(toPutRequest(props), deps, signal);
        return {
          status: 'SUCCESS',
          physicalResourceId: id,
          reason: `Update: logging configuration set, overwriting ${describeConfiguration(current)} (not restored on delete)`,
        };
      }
      await put(toPutRequest(props), deps, signal);
      return {
        status: 'SUCCESS',
        physicalResourceId: id,
        reason: isConfigured(current) ? 'Update: logging configuration set' : 'Update: logging configuration set again (it had been removed)',
      };
    }
    case 'Delete': {
      const id = event.PhysicalResourceId;
      const parsed = parsePhysicalResourceId(region, id);
      if (!parsed.owned) {
        // A failed Create being rolled back: this stack never configured logging, so leave it alone.
        return { status: 'SUCCESS', physicalResourceId: id, reason: 'Delete: nothing to delete' };
      }
      const ownLogGroup = (event.ResourceProperties as Record<string, unknown> | undefined)?.LogGroupName;
      const current = await currentConfiguration(deps, signal);
      if (isConfigured(current) && typeof ownLogGroup === 'string' && !isOwnConfiguration(current, [ownLogGroup])) {
        // Someone replaced our configuration since; deleting or restoring would switch off their logging.
        return {
          status: 'SUCCESS',
          physicalResourceId: id,
          reason: 'Delete: the configuration in place belongs to another owner and was left unchanged',
        };
      }
      if (parsed.previous !== undefined) {
        // Ours, or removed by hand: give the account back the configuration this stack took over.
        try {
          await deps.bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: parsed.previous }), {
            abortSignal: signal,
          });
        } catch (err) {
          throw new RestoreError(
            `could not restore the configuration this stack took over (${describeConfiguration(parsed.previous)}): ` +
              `${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}; restore it by hand, or retry the delete ` +
              'retaining this resource',
            { cause: err },
          );
        }
        return { status: 'SUCCESS', physicalResourceId: id, reason: `Delete: restored ${describeConfiguration(parsed.previous)}` };
      }
      if (!isConfigured(current)) {
        return { status: 'SUCCESS', physicalResourceId: id, reason: 'Delete: no configuration in place' };
      }
      try {
        await deps.bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({}), { abortSignal: signal });
      } catch (err) {
        if (!isNotFoundError(err)) {
          throw err;
        }
      }
      return { status: 'SUCCESS', physicalResourceId: id, reason: 'Delete: logging configuration removed' };
    }
  }
}

/** A Create found someone else's configuration and was not told to take it over. */
class ForeignConfigurationError extends Error {
  public override readonly name = 'ForeignConfigurationError';
}

/** The configuration taken over on Create could not be put back. */
class RestoreError extends Error {
  public override readonly name = 'RestoreError';
}

/** The account's configuration in this region, or undefined when none is set. */
async function currentConfiguration(deps: HandlerDependencies, signal: AbortSignal): Promise<LoggingConfig | undefined> {
  try {
    const answer = await deps.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}), { abortSignal: signal });
    return answer.loggingConfig;
  } catch (err) {
    if (isNotFoundError(err)) {
      return undefined;
    }
    throw err;
  }
}

/** Puts this stack's configuration, retrying while IAM propagates a freshly created delivery role. */
async function put(input: PutModelInvocationLoggingConfigurationCommandInput, deps: HandlerDependencies, signal: AbortSignal): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.bedrock.send(new PutModelInvocationLoggingConfigurationCommand(input), { abortSignal: signal });
      return;
    } catch (err) {
      const delay = deps.putRetryDelaysMs[attempt];
      if (delay === undefined || !isPermissionPropagationError(err) || signal.aborted) {
        throw err;
      }
      logger.info('delivery role not usable yet; retrying', { attempt: attempt + 1, delayMs: delay });
      await sleep(delay, signal);
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
