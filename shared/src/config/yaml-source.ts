import { readFileSync, statSync } from 'node:fs';
import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { UserError } from '../errors/index.js';

/** Committed YAML is small; a bigger file or an alias bomb is refused before it is expanded. */
export const YAML_MAX_BYTES = 1024 * 1024;
export const YAML_MAX_ALIASES = 100;

export interface YamlSource {
  file: string;
  value: unknown;
  /** 1-based line of the node at a key path (or of its nearest parent that exists). */
  lineOf(path: readonly PropertyKey[]): number | undefined;
  /** 1-based line of the *key* at a path, for "unknown key" messages. */
  keyLineOf(path: readonly PropertyKey[]): number | undefined;
}

export function readYamlFile(file: string): YamlSource {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UserError(`Cannot read '${file}': the file does not exist.`, { file });
  }
  if (size > YAML_MAX_BYTES) {
    throw new UserError(
      `'${file}' is ${size} bytes; YAML files here are limited to ${YAML_MAX_BYTES} bytes.`,
      { file },
    );
  }
  return parseYamlText(readFileSync(file, 'utf8'), file);
}

export function parseYamlText(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new UserError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${first.message.split('\n')[0]}`, {
      file,
      line: pos.line,
      column: pos.col,
    });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: YAML_MAX_ALIASES });
  } catch (error) {
    throw new UserError(`${file}: ${error instanceof Error ? error.message : String(error)}`, { file });
  }
  const line = (node: Node | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  return {
    file,
    value,
    lineOf: (path) => line(nodeAt(doc, path).node),
    keyLineOf: (path) => {
      const { node, key } = nodeAt(doc, path);
      return line(key ?? node);
    },
  };
}

function nodeAt(doc: Document, path: readonly PropertyKey[]): { node: Node | null | undefined; key?: Node } {
  let node: Node | null | undefined = doc.contents as Node | null;
  let key: Node | undefined;
  for (const part of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
    if (!pair) break;
    key = pair.key as Node;
    node = pair.value as Node | null;
  }
  return { node, key };
}
