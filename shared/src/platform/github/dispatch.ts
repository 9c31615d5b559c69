/**
 * The `dispatch` input of drift-check: which retraining workflow to start, and with what. The two
 * events a GITHUB_TOKEN may start other workflows with are `repository_dispatch` (any workflow
 * listening for the event type, with a small JSON payload) and `workflow_dispatch` (one workflow
 * file at a ref).
 */
import { UserError } from '../../errors/index.js';
import type { GitHubHelper, WriteOutcome } from './helper.js';

export type DispatchTarget =
  | { kind: 'repository_dispatch'; eventType: string }
  | { kind: 'workflow_dispatch'; workflow: string; ref: string };

/** GitHub's limit on `event_type`. */
const EVENT_TYPE_MAX = 100;
/** Drifted column names sent in a payload, at most; the total count is sent as well. */
export const PAYLOAD_COLUMNS_MAX = 20;
/** Characters kept of each column name in a payload. */
const PAYLOAD_NAME_MAX = 100;

const FORMS =
  "expected 'repository_dispatch:<event-type>' or 'workflow_dispatch:<workflow-file>[@<ref>]' " +
  "(e.g. 'repository_dispatch:retrain' or 'workflow_dispatch:retrain.yml@main')";

/**
 * Parses the `dispatch` input; empty means "no dispatch". A workflow without `@ref` runs at
 * `defaultRef` (the action passes the repository's default branch or the current ref).
 */
export function parseDispatch(spec: string | undefined, defaultRef?: string): DispatchTarget | undefined {
  const text = spec?.trim() ?? '';
  if (text === '') return undefined;
  const fail = (why: string): never => {
    throw new UserError(`dispatch '${text}': ${why}; ${FORMS}.`, { input: 'dispatch' });
  };
  const colon = text.indexOf(':');
  if (colon < 0) return fail('no event kind');
  const kind = text.slice(0, colon).trim();
  const rest = text.slice(colon + 1).trim();
  if (kind === 'repository_dispatch') {
    if (rest === '') return fail('the event type is empty');
    if (rest.length > EVENT_TYPE_MAX)
      return fail(`the event type is longer than ${EVENT_TYPE_MAX} characters`);
    if (/[\s]/.test(rest)) return fail('the event type contains white space');
    return { kind, eventType: rest };
  }
  if (kind === 'workflow_dispatch') {
    const at = rest.indexOf('@');
    // Users copy the path from the repository; the API wants the file name (or the numeric id).
    const workflow = (at < 0 ? rest : rest.slice(0, at)).trim().replace(/^\.?\/?\.github\/workflows\//, '');
    const ref = at < 0 ? defaultRef?.trim() : rest.slice(at + 1).trim();
    if (workflow === '') return fail('the workflow file is empty');
    if (!/^\d+$/.test(workflow) && !/^[^/\\\s]+\.ya?ml$/.test(workflow)) {
      return fail(
        `'${workflow}' is not a workflow file name: give the file under .github/workflows, ending in .yml or .yaml`,
      );
    }
    if (!ref) return fail('no ref after @ and no default branch to run the workflow on');
    if (!isRefName(ref)) return fail(`'${ref}' is not a valid branch or tag name`);
    return { kind, workflow, ref };
  }
  return fail(`unknown event kind '${kind}'`);
}

/** git check-ref-format, the parts a user can get wrong in a workflow file. */
function isRefName(ref: string): boolean {
  return (
    !/[\s~^:?*[\\\u0000-\u001f\u007f]/.test(ref) &&
    !ref.includes('..') &&
    !ref.includes('@{') &&
    !ref.startsWith('/') &&
    !ref.endsWith('/') &&
    !ref.endsWith('.') &&
    !ref.endsWith('.lock') &&
    !ref.includes('//')
  );
}

export interface DriftDispatchPayload {
  model: string;
  drifted_columns: string[];
  /** How many columns drifted in all (the list above is cut at PAYLOAD_COLUMNS_MAX). */
  drifted_columns_total: number;
  share: number;
  report_url: string | null;
  run_url: string | null;
  issue_number: number | null;
}

/** The `client_payload` of a drift `repository_dispatch`: small and bounded whatever the data. */
export function driftDispatchPayload(input: {
  model: string;
  driftedColumns: readonly string[];
  share: number;
  reportUrl?: string;
  runUrl?: string;
  issueNumber?: number;
}): DriftDispatchPayload {
  return {
    model: input.model.slice(0, PAYLOAD_NAME_MAX),
    drifted_columns: input.driftedColumns
      .slice(0, PAYLOAD_COLUMNS_MAX)
      .map((name) => name.slice(0, PAYLOAD_NAME_MAX)),
    drifted_columns_total: input.driftedColumns.length,
    share: Number.isFinite(input.share) ? input.share : 0,
    report_url: input.reportUrl ?? null,
    run_url: input.runUrl ?? null,
    issue_number: input.issueNumber ?? null,
  };
}

/**
 * Sends the dispatch. `workflow_dispatch` carries no inputs: GitHub rejects inputs the target
 * workflow does not declare (422 "Unexpected inputs provided"), and we cannot know what it
 * declares; `repository_dispatch` is the event that carries the payload.
 */
export async function sendDispatch(
  helper: GitHubHelper,
  target: DispatchTarget,
  payload: DriftDispatchPayload,
): Promise<WriteOutcome<void>> {
  if (target.kind === 'repository_dispatch') {
    return helper.repositoryDispatch(target.eventType, { ...payload });
  }
  return helper.workflowDispatch(target.workflow, target.ref, {});
}

export function describeDispatch(target: DispatchTarget): string {
  return target.kind === 'repository_dispatch'
    ? `repository_dispatch ${target.eventType}`
    : `workflow_dispatch ${target.workflow}@${target.ref}`;
}
