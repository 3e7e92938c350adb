import { z } from 'zod';

/**
 * The Keras model description inside a tfjs layers-model JSON (`modelTopology`), reduced to what a
 * converter needs: layers in definition order, each with its class, config and the layers it reads.
 * Functional models (`Model` / `Functional`) and `Sequential` ones are understood. Layers shared
 * between several call sites (more than one inbound node) are refused: MobileNet-style
 * classifiers never use them and they would need per-call naming.
 */

export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers whose (single) output this layer reads, in order. */
  inbound: string[];
}

export interface KerasModel {
  name: string;
  kerasVersion?: string;
  layers: KerasLayer[];
  inputs: string[];
  outputs: string[];
  /** How many layers read each layer's output. */
  consumers: Map<string, number>;
}

export class KerasTopologyError extends Error {
  override readonly name = 'KerasTopologyError';
}

const layerSchema = z.object({
  name: z.string().optional(),
  class_name: z.string(),
  config: z.record(z.string(), z.unknown()),
  inbound_nodes: z.array(z.unknown()).optional(),
});

const functionalSchema = z.object({
  class_name: z.enum(['Model', 'Functional']),
  config: z.object({
    name: z.string().default('model'),
    layers: z.array(layerSchema),
    input_layers: z.array(z.tuple([z.string(), z.number(), z.number()])),
    output_layers: z.array(z.tuple([z.string(), z.number(), z.number()])),
  }),
});

const sequentialSchema = z.object({
  class_name: z.literal('Sequential'),
  config: z.union([z.array(layerSchema), z.object({ name: z.string().default('sequential'), layers: z.array(layerSchema) })]),
});

const topologySchema = z.object({
  keras_version: z.string().optional(),
  backend: z.string().optional(),
  model_config: z.union([functionalSchema, sequentialSchema]),
});

/** Keras 2 inbound node: [[layerName, nodeIndex, tensorIndex, kwargs], ...]. */
const inboundNodeSchema = z.array(z.tuple([z.string(), z.number(), z.number()]).rest(z.unknown()));

function layerName(l: z.infer<typeof layerSchema>): string {
  const name = l.name ?? (typeof l.config.name === 'string' ? l.config.name : undefined);
  if (!name) throw new KerasTopologyError(`a ${l.class_name} layer has no name`);
  return name;
}

function inboundOf(l: z.infer<typeof layerSchema>, name: string): string[] {
  const nodes = l.inbound_nodes ?? [];
  if (nodes.length === 0) return [];
  if (nodes.length > 1) throw new KerasTopologyError(`layer ${name} is shared (${nodes.length} call sites); not supported`);
  const parsed = inboundNodeSchema.safeParse(nodes[0]);
  if (!parsed.success) throw new KerasTopologyError(`layer ${name}: unrecognised inbound node format`);
  return parsed.data.map(([from, nodeIndex, tensorIndex]) => {
    if (nodeIndex !== 0 || tensorIndex !== 0) throw new KerasTopologyError(`layer ${name} reads ${from}[${nodeIndex}][${tensorIndex}]; only single-output layers are supported`);
    return from;
  });
}

export function parseKerasTopology(modelTopology: unknown): KerasModel {
  // Keras-converted models wrap the model config in `model_config`; models saved by tfjs itself
  // put it at the top level (tfjs's own loader accepts both).
  const wrapped =
    modelTopology && typeof modelTopology === 'object' && !('model_config' in modelTopology) && 'class_name' in modelTopology
      ? { keras_version: (modelTopology as { keras_version?: unknown }).keras_version, model_config: modelTopology }
      : modelTopology;
  const parsed = topologySchema.safeParse(wrapped);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new KerasTopologyError(`not a Keras layers-model topology (graph models are not supported): ${issues}`);
  }
  const mc = parsed.data.model_config;
  let model: Omit<KerasModel, 'consumers'>;
  if (mc.class_name === 'Sequential') {
    const layers = Array.isArray(mc.config) ? mc.config : mc.config.layers;
    const name = Array.isArray(mc.config) ? 'sequential' : mc.config.name;
    const out: KerasLayer[] = [];
    let previous: string | undefined;
    for (const l of layers) {
      const n = layerName(l);
      out.push({ name: n, className: l.class_name, config: l.config, inbound: previous ? [previous] : [] });
      previous = n;
    }
    const first = out[0];
    if (!first || !previous) throw new KerasTopologyError('empty Sequential model');
    // A Sequential model's first layer carries the input shape; an InputLayer is implied.
    if (first.className !== 'InputLayer') {
      const shape = first.config.batch_input_shape;
      out.unshift({ name: `${name}_input`, className: 'InputLayer', config: { batch_input_shape: shape }, inbound: [] });
      first.inbound = [`${name}_input`];
    }
    model = { name, kerasVersion: parsed.data.keras_version, layers: out, inputs: [out[0]?.name as string], outputs: [previous] };
  } else {
    model = {
      name: mc.config.name,
      kerasVersion: parsed.data.keras_version,
      layers: mc.config.layers.map((l) => {
        const n = layerName(l);
        return { name: n, className: l.class_name, config: l.config, inbound: inboundOf(l, n) };
      }),
      inputs: mc.config.input_layers.map(([n]) => n),
      outputs: mc.config.output_layers.map(([n]) => n),
    };
  }

  const names = new Set<string>();
  const consumers = new Map<string, number>();
  for (const l of model.layers) {
    for (const from of l.inbound) {
      if (!names.has(from)) throw new KerasTopologyError(`layer ${l.name} reads ${from}, which is not defined before it`);
      consumers.set(from, (consumers.get(from) ?? 0) + 1);
    }
    if (names.has(l.name)) throw new KerasTopologyError(`two layers are named ${l.name}`);
    names.add(l.name);
  }
  for (const n of [...model.inputs, ...model.outputs]) {
    if (!names.has(n)) throw new KerasTopologyError(`model input/output ${n} is not a layer`);
  }
  return { ...model, consumers };
}
