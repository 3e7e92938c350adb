import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { Classifier } from '../classify/classifier.js';
import { loadRuleList } from '../rules/rule-list.js';
import { RulesSignal } from '../rules/rules-signal.js';
import type { Signal } from '../signals/signal.js';

/**
 * Builds the classifier from configuration: the rule list, then each configured model. A model
 * named in the config that cannot load stops start-up with the reason (no silent fallback).
 */
export async function buildClassifier(config: Config, logger: Logger): Promise<Classifier> {
  const signals: Signal[] = [];
  const rules = await loadRuleList(path.resolve(config.RULES_FILE));
  signals.push(new RulesSignal(rules));
  const classifier = new Classifier(signals);
  logger.info({ model_version: classifier.modelVersion, signals: signals.map((s) => s.name) }, 'classifier ready');
  return classifier;
}
