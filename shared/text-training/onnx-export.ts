import { OnnxGraphBuilder, attr } from '../onnx/onnx-builder.js';
import { LOGIT_CAP } from './fasttext-trainer.js';

/** Tensor names of the text model's graph; the runner and the manifest use these. */
export const TEXT_MODEL_INPUTS = ['ids', 'weights'] as const;
export const TEXT_MODEL_OUTPUTS = ['scores'] as const;

export interface LinearTextModelWeights {
  /** [buckets, labels]: see FastTextModel.foldedTable. */
  table: Float32Array;
  /** [labels] */
  bias: Float32Array;
  buckets: number;
  labels: readonly string[];
}

/**
 * The serving graph, opset 17 (onnxruntime-node 1.30 runs it on the CPU provider):
 *
 *   ids int32 [N, L], weights float [N, L]            (weights: 1/count per feature, 0 = padding)
 *   Gather(table [B, K], ids)            → [N, L, K]
 *   Unsqueeze(weights, axes=[1])          → [N, 1, L]
 *   MatMul                                → [N, 1, K]  (the weighted mean, one batched GEMV)
 *   Squeeze(axes=[1]) + bias              → logits [N, K]
 *   Clip(−15, 15) → Sigmoid               → scores float [N, K]  (see LOGIT_CAP)
 *
 * Axes are int64 initializer inputs, as Unsqueeze/Squeeze take them since opset 13. MatMul
 * avoids materialising weights × gathered rows before summing (Mul + ReduceSum does).
 */
export function buildTextModelOnnx(model: LinearTextModelWeights, metadata: Record<string, string>): Uint8Array {
  const K = model.labels.length;
  if (model.table.length !== model.buckets * K) throw new Error(`table has ${model.table.length} values, expected ${model.buckets}×${K}`);
  const g = new OnnxGraphBuilder('modpipe-text');
  const ids = g.input('ids', 'int32', ['batch', 'width']);
  const weights = g.input('weights', 'float', ['batch', 'width']);
  g.output('scores', 'float', ['batch', K]);
  const table = g.initializer('table', { dims: [model.buckets, K], data: model.table });
  const bias = g.initializer('bias', { dims: [K], data: model.bias });
  const axis1 = g.initializer('axis1', { dims: [1], data: new BigInt64Array([1n]) });
  const gathered = g.op('Gather', [table, ids], { axis: attr.int(0) });
  const w3 = g.op('Unsqueeze', [weights, axis1]);
  const mean3 = g.op('MatMul', [w3, gathered]);
  const mean = g.op('Squeeze', [mean3, axis1]);
  const logits = g.op('Add', [mean, bias]);
  const lo = g.initializer('logit_min', { dims: [], data: new Float32Array([-LOGIT_CAP]) });
  const hi = g.initializer('logit_max', { dims: [], data: new Float32Array([LOGIT_CAP]) });
  const clipped = g.op('Clip', [logits, lo, hi]);
  g.op('Sigmoid', [clipped], undefined, 'scores');
  return g.toBytes({ producer: 'modpipe-train', opset: 17, docString: 'fastText-style hashed n-gram text classifier', metadata });
}
