import type * as Ort from 'onnxruntime-node';
import { loadEngine } from './index.js';

export type OnnxRuntimeModule = typeof Ort;

export function loadOnnxRuntime(): Promise<OnnxRuntimeModule> {
  return loadEngine<OnnxRuntimeModule>('onnxruntime');
}
