import { App, CloudFormationValidatePlugin } from 'aws-cdk-lib';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import * as cdkNag from 'cdk-nag';
import { NagPack, NagRuleCompliance } from 'cdk-nag';
import type { IApplyRule, NagRuleResult } from 'cdk-nag';

/** What one cdk-nag rule did over every resource it was applied to. */
export interface NagRuleObservation {
  /** The rule id (`AwsSolutions-IAM5`). */
  readonly id: string;
  /** The level the pack gives the rule (`Error`, `Warning`, `Info`). */
  readonly level: string;
  /** Resources the rule was applied to. */
  resources: number;
  /** Resources it found compliant. */
  compliant: number;
  /** Resources it does not apply to. */
  notApplicable: number;
  /** Resources it found non-compliant, with the finding ids raised on each (before acknowledgments). */
  readonly nonCompliant: Array<{ readonly path: string; readonly findingIds: readonly string[] }>;
}

/** What one cdk-nag pack did with one resource. */
export interface NagResourceObservation {
  /** Rules of the pack applied to the resource. */
  applied: number;
  /** Of those, rules that evaluated it: compliant, non-compliant, or failed with an error. */
  evaluated: number;
}

/** What the CloudFormation validator's engine lists as its rules. */
export interface EngineRule {
  /** The rule id (`E3002`, `W3010`). */
  readonly id: string;
  /** `FATAL`, `ERROR`, `WARN` or `INFO`. */
  readonly severity: string;
  /** The engine's category for it. */
  readonly category?: string;
  /** What the rule checks. */
  readonly description: string;
  /** Where it comes from: `SCHEMA`, `CFN_LINT`, `ENGINE`, `CUSTOM` or `GUARD`. */
  readonly origin: string;
}

/** What one validation plugin did during a synthesis. */
export interface PluginObservation {
  /** The plugin name, as in the validation report. */
  readonly name: string;
  /** The plugin version, when it reports one. */
  readonly version?: string;
  /** `cdk-nag` for cdk-nag packs (our own included), `cloudformation-validate` for the CDK built-in, else `plugin`. */
  readonly kind: 'cdk-nag' | 'cloudformation-validate' | 'plugin';
  /** The rule ids the plugin declares, when it declares them. */
  readonly declaredRuleIds?: readonly string[];
  /** For cdk-nag packs: the rule-id prefix (`packName`). */
  readonly packName?: string;
  /** For cdk-nag packs: whether the pack is one cdk-nag ships (AwsSolutions, NIST, …), not one of ours. */
  readonly shippedByCdkNag?: boolean;
  /** Whether its `validate` ran in this synthesis. */
  ran: boolean;
  /** Time spent in `validate`. */
  durationMs: number;
  /** The templates it was given. */
  templatePaths: string[];
  /** For cdk-nag packs: every rule applied, by rule id. */
  readonly nagRules: Map<string, NagRuleObservation>;
  /**
   * For cdk-nag packs: per resource (construct path of the `CfnResource`), how many rules were
   * applied to it and how many of those evaluated it (answered anything but "not applicable").
   * cdk-nag rules recognise resources by their L1 class (`instanceof CfnFunction`), so a raw
   * `CfnResource` of the same type has rules applied but none evaluated.
   */
  readonly nagResources: Map<string, NagResourceObservation>;
  /** For the CloudFormation validator: the rules its engine lists, when the engine can be reached. */
  engineRules?: EngineRule[];
}

type ValidateFn = (context: IPolicyValidationContext) => PolicyValidationPluginReport;
type ApplyRuleFn = (params: IApplyRule) => void;

function registeredPlugins(app: App): IPolicyValidationPlugin[] {
  // aws-cdk-lib keeps the registered plugins on the stage; its public accessor
  // (policyValidationBeta1) is deprecated and returns wrappers, not the plugins.
  const plugins = (app as unknown as { _validationPlugins?: unknown })._validationPlugins;
  if (!Array.isArray(plugins)) {
    throw new Error(
      'The compliance report cannot find the registered validation plugins (Stage._validationPlugins) in this aws-cdk-lib version; update lib/compliance/report/observer.ts.',
    );
  }
  return plugins as IPolicyValidationPlugin[];
}

function outcomeOf(result: NagRuleResult): 'compliant' | 'notApplicable' | 'nonCompliant' {
  if (Array.isArray(result)) {
    return result.length > 0 ? 'nonCompliant' : 'compliant';
  }
  if (result === NagRuleCompliance.NON_COMPLIANT) {
    return 'nonCompliant';
  }
  return result === NagRuleCompliance.NOT_APPLICABLE ? 'notApplicable' : 'compliant';
}

/**
 * Watches the validation plugins of one app during one synthesis, without changing what they
 * report: how long each ran, which templates it saw and, for cdk-nag packs, every rule applied to
 * every resource and its outcome. Attach right before `app.synth()`, detach right after.
 */
export class CheckObserver {
  /** Starts watching the plugins registered on `app` and the CDK's built-in CloudFormation validator. */
  public static attach(app: App): CheckObserver {
    return new CheckObserver(app);
  }

  private readonly observations: PluginObservation[] = [];
  private readonly restore: Array<() => void> = [];

  private constructor(app: App) {
    for (const plugin of registeredPlugins(app)) {
      this.watchPlugin(plugin);
    }
    this.watchCloudFormationValidator();
  }

  /** The observations, one per plugin, in registration order (the built-in validator last). */
  public get plugins(): readonly PluginObservation[] {
    return this.observations;
  }

  /** Puts every watched method back. */
  public detach(): void {
    for (const undo of this.restore.splice(0).reverse()) {
      undo();
    }
  }

  private watchPlugin(plugin: IPolicyValidationPlugin): void {
    const isNag = plugin instanceof NagPack;
    const observation: PluginObservation = {
      name: plugin.name,
      version: plugin.version,
      kind: isNag ? 'cdk-nag' : 'plugin',
      declaredRuleIds: plugin.ruleIds,
      packName: isNag ? plugin.readPackName : undefined,
      shippedByCdkNag: isNag ? (Object.values(cdkNag) as unknown[]).includes(plugin.constructor) : undefined,
      ran: false,
      durationMs: 0,
      templatePaths: [],
      nagRules: new Map(),
      nagResources: new Map(),
    };
    this.observations.push(observation);
    this.wrapValidate(plugin, observation);
    if (isNag) {
      this.wrapApplyRule(plugin, observation);
    }
  }

  private wrapValidate(plugin: IPolicyValidationPlugin, observation: PluginObservation): void {
    const target = plugin as unknown as { validate: ValidateFn };
    const hadOwn = Object.prototype.hasOwnProperty.call(target, 'validate');
    const original = target.validate;
    target.validate = function observedValidate(this: unknown, context: IPolicyValidationContext) {
      const started = performance.now();
      observation.ran = true;
      observation.templatePaths = [...context.templatePaths];
      try {
        return original.call(this, context);
      } finally {
        observation.durationMs += performance.now() - started;
      }
    };
    this.restore.push(() => {
      if (hadOwn) {
        target.validate = original;
      } else {
        delete (target as { validate?: ValidateFn }).validate;
      }
    });
  }

  private wrapApplyRule(pack: NagPack, observation: PluginObservation): void {
    // applyRule is the one place every cdk-nag rule goes through (protected, so reached by cast).
    const target = pack as unknown as { applyRule: ApplyRuleFn };
    const hadOwn = Object.prototype.hasOwnProperty.call(target, 'applyRule');
    const original = target.applyRule;
    const packName = pack.readPackName;
    target.applyRule = function observedApplyRule(this: unknown, params: IApplyRule) {
      const id = `${packName}-${params.ruleSuffixOverride ? params.ruleSuffixOverride : params.rule.name}`;
      let rule = observation.nagRules.get(id);
      if (!rule) {
        rule = { id, level: params.level, resources: 0, compliant: 0, notApplicable: 0, nonCompliant: [] };
        observation.nagRules.set(id, rule);
      }
      const seen = rule;
      const path = params.node.node.path;
      const check = params.rule;
      const observed = function (this: unknown, node: Parameters<IApplyRule['rule']>[0]): NagRuleResult {
        seen.resources++;
        let resource = observation.nagResources.get(path);
        if (!resource) {
          resource = { applied: 0, evaluated: 0 };
          observation.nagResources.set(path, resource);
        }
        resource.applied++;
        let result: NagRuleResult;
        try {
          result = check.call(this, node);
        } catch (e) {
          // cdk-nag reports a rule that throws as a finding under the bare rule id.
          seen.nonCompliant.push({ path, findingIds: [id] });
          resource.evaluated++;
          throw e;
        }
        const outcome = outcomeOf(result);
        if (outcome !== 'notApplicable') {
          resource.evaluated++;
        }
        if (outcome === 'nonCompliant') {
          seen.nonCompliant.push({ path, findingIds: Array.isArray(result) ? result.map((f) => `${id}[${f}]`) : [id] });
        } else {
          seen[outcome]++;
        }
        return result;
      };
      // cdk-nag derives the rule id from the function name when there is no suffix override.
      Object.defineProperty(observed, 'name', { value: check.name });
      return original.call(this, { ...params, rule: observed });
    };
    this.restore.push(() => {
      if (hadOwn) {
        target.applyRule = original;
      } else {
        delete (target as { applyRule?: ApplyRuleFn }).applyRule;
      }
    });
  }

  private watchCloudFormationValidator(): void {
    // The built-in validator is not a registered plugin: aws-cdk-lib adds one shared instance
    // during synthesis. Its prototype is watched for the duration of this synthesis only.
    const observation: PluginObservation = {
      name: CloudFormationValidatePlugin.PLUGIN_NAME,
      kind: 'cloudformation-validate',
      ran: false,
      durationMs: 0,
      templatePaths: [],
      nagRules: new Map(),
      nagResources: new Map(),
    };
    this.observations.push(observation);
    const proto = CloudFormationValidatePlugin.prototype as unknown as { validate: ValidateFn };
    const original = proto.validate;
    proto.validate = function observedValidate(this: CloudFormationValidatePlugin, context: IPolicyValidationContext) {
      const started = performance.now();
      observation.ran = true;
      observation.templatePaths = [...context.templatePaths];
      try {
        return original.call(this, context);
      } finally {
        observation.durationMs += performance.now() - started;
        (observation as { version?: string }).version = this.version;
        // The engine is private; its rule list is read when it is there, else the report says so.
        const engine = (this as unknown as { engine?: { listRules?: () => EngineRule[] } }).engine;
        if (typeof engine?.listRules === 'function') {
          observation.engineRules = engine.listRules();
        }
      }
    };
    this.restore.push(() => {
      proto.validate = original;
    });
  }
}
