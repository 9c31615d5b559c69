export * from './load.js';
export * from './onnx.js';
export * from './preprocessing.js';
export * from './tfjs.js';
export * from './tfjs-files.js';
export * from './types.js';
