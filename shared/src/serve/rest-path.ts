/**
 * TF Serving's REST paths, matched as TF Serving matches them. Checked against
 * tensorflow/serving `tensorflow_serving/model_servers/http_rest_api_util.cc` (kPredictionApiGegex,
 * kModelStatusApiRegex, ParseModelInfo) and `http_rest_api_handler.cc` (ProcessRequest,
 * ProcessModelStatusRequest):
 *
 * - both patterns are `(?i)`: `/V1/MODELS/x` is served; the model name and label keep their case.
 * - POST matches `/v1/models/<m>[/versions/<n> | /labels/<l>]:(classify|regress|predict)`; GET
 *   matches `/v1/models[/<m>][/versions/<n> | /labels/<l>][/metadata]`. Any other method or path
 *   under `/v1/` (a GET on `:predict`, a POST on a status path) is INVALID_ARGUMENT, 400
 *   "Malformed request: <METHOD> <path>", not 405.
 * - the verb is compared with "predict", "classify", "regress" after the case-insensitive match,
 *   so `:PREDICT` stays malformed (400) there too. TF Serving also compares the `metadata`
 *   subresource case-sensitively and answers `/METADATA` with the model's status instead; this
 *   server answers 400 rather than silently answering a different question.
 * - GET `/v1/models` has no model name: 400 "Missing model name in request.".
 * - a version is `\d+` (so `/versions/0` is a version, one that does not exist: 404); one that
 *   does not convert to an integer is 400 "Failed to convert version: <v> to numeric.".
 * - the model name and the label are percent-decoded.
 */

export type RestMethod = 'predict' | 'classify' | 'regress' | 'metadata' | 'status';

/** Which version a request asks for: the served one, a number, or a label (an alias). */
export type VersionSelector =
  | { kind: 'latest' }
  | { kind: 'version'; version: number }
  | { kind: 'label'; label: string };

export interface RestRequest {
  model: string;
  selector: VersionSelector;
  method: RestMethod;
}

/** A request TF Serving answers with an error before looking at any model. */
export class RestPathError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'RestPathError';
  }
}

const PREDICTION_PATH =
  /^\/v1\/models\/([^/:]+)(?:(?:\/versions\/(\d+))|(?:\/labels\/([^/:]+)))?:(classify|regress|predict)$/i;
const STATUS_PATH =
  /^\/v1\/models(?:\/([^/:]+))?(?:(?:\/versions\/(\d+))|(?:\/labels\/([^/:]+)))?(?:\/(metadata))?$/i;

/** True for the paths TF Serving's REST handler owns (`(?i)/v1/.*`); others are not found. */
export function isRestApiPath(path: string): boolean {
  return /^\/v1\//i.test(path);
}

function decode(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RestPathError(400, `Failed to decode ${what}:${segment.slice(0, 100)}`);
  }
}

function selector(versionText: string | undefined, labelText: string | undefined): VersionSelector {
  if (versionText !== undefined) {
    const version = Number(versionText);
    if (!Number.isSafeInteger(version))
      throw new RestPathError(400, `Failed to convert version: ${versionText.slice(0, 40)} to numeric.`);
    return { kind: 'version', version };
  }
  if (labelText !== undefined) return { kind: 'label', label: decode(labelText, 'model version label') };
  return { kind: 'latest' };
}

/** Parses a path under `/v1/` (see isRestApiPath); throws RestPathError as TF Serving answers. */
export function parseRestPath(httpMethod: string, path: string): RestRequest {
  const malformed = () => new RestPathError(400, `Malformed request: ${httpMethod} ${path.slice(0, 200)}`);
  if (httpMethod === 'POST') {
    const match = PREDICTION_PATH.exec(path);
    if (!match) throw malformed();
    const verb = match[4]!;
    if (verb !== 'predict' && verb !== 'classify' && verb !== 'regress') throw malformed();
    return { model: decode(match[1]!, 'model name'), selector: selector(match[2], match[3]), method: verb };
  }
  if (httpMethod === 'GET') {
    const match = STATUS_PATH.exec(path);
    if (!match) throw malformed();
    if (match[4] !== undefined && match[4] !== 'metadata') throw malformed();
    if (match[1] === undefined) throw new RestPathError(400, 'Missing model name in request.');
    return {
      model: decode(match[1], 'model name'),
      selector: selector(match[2], match[3]),
      method: match[4] === undefined ? 'status' : 'metadata',
    };
  }
  throw malformed();
}
