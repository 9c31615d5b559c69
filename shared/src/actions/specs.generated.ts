// Generated from actions/*/action.yml by shared/tools/action-specs.mjs (npm run build). Do not edit.
export interface InputSpec {
  readonly description: string;
  readonly required: boolean;
  readonly default?: string;
}

export interface ActionSpec {
  readonly description: string;
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly outputs: Readonly<Record<string, { readonly description: string }>>;
}

export const ACTION_NAMES = ["data-validate","train","evaluate","compare-baseline","register","deploy","drift-check"] as const;

export type ActionName = (typeof ACTION_NAMES)[number];

export const ACTION_SPECS: Readonly<Record<ActionName, ActionSpec>> = {
  "data-validate": {
    "description": "Profile a dataset with DuckDB, infer or check a schema, and report anomalies and skew before training.",
    "inputs": {
      "data": {
        "description": "Dataset to check: a CSV, TSV, Parquet, JSON/NDJSON or Arrow file, a .csv.gz, or a glob of shards. Not needed with merge-profiles.",
        "required": false,
        "default": ""
      },
      "schema": {
        "description": "Path to a schema.yaml to validate against. Without it (and without infer-schema) only the profile is written.",
        "required": false,
        "default": ""
      },
      "infer-schema": {
        "description": "Infer a schema from the data (type, presence, nulls, range, categories, uniqueness). Boolean.",
        "required": false,
        "default": "false"
      },
      "write-schema": {
        "description": "Where to write the inferred schema.yaml (with infer-schema: true).",
        "required": false,
        "default": ""
      },
      "reference": {
        "description": "A reference dataset or profile.json to check skew/drift against, or registry:<name>@<alias>.",
        "required": false,
        "default": ""
      },
      "registry": {
        "description": "Registry: its root folder (local backend), or owner/repo (github backend; the default means this repository).",
        "required": false,
        "default": ".mlops/registry"
      },
      "registry-backend": {
        "description": "Where registry: references are read: local (a folder, default) or github (the tags and releases register writes with backend: github; needs github-token with contents: read).",
        "required": false,
        "default": "local"
      },
      "fail-on": {
        "description": "Fail the step on anomalies of this severity or worse: error, warning or never.",
        "required": false,
        "default": "error"
      },
      "profile": {
        "description": "Where to write the profile (mlops-profile/v1 JSON).",
        "required": false,
        "default": "mlops-reports/profile.json"
      },
      "exact": {
        "description": "Exact statistics for every column of the profile (true). By default (false), on data over 100,000 rows, a numeric column with more than about 50,000 distinct values (DuckDB's approx_count_distinct) is profiled in one streamed pass: exact counts, extremes, moments and histogram, KLL quantiles (rank error within 1.33% of the rows) and a HyperLogLog distinct count (within 4.9%); a numeric column with fewer values keeps exact statistics. Every numeric column's sketches are stored in profile.json so shard profiles merge. Schema checks are exact either way. Boolean.",
        "required": false,
        "default": "false"
      },
      "memory-limit": {
        "description": "DuckDB's memory limit; larger work spills to RUNNER_TEMP. Reading CSV needs at least about 96MB.",
        "required": false,
        "default": "4GB"
      },
      "report": {
        "description": "Where to write the validation report (mlops-data-validation/v1 JSON).",
        "required": false,
        "default": "mlops-reports/data-validation.json"
      },
      "plan-shards": {
        "description": "List the files that data (a glob) matches as a job-matrix plan in output plan, one shard per file, and stop: nothing is read, validated or profiled. Boolean.",
        "required": false,
        "default": "false"
      },
      "merge-profiles": {
        "description": "Shard profiles (profile.json files or globs, one per line) to merge into profile, instead of reading data. Counts, extremes, histograms and complete value frequencies merge exactly.",
        "required": false,
        "default": ""
      },
      "merge-plan": {
        "description": "With merge-profiles: the plan output of the plan-shards step. Every shard it lists must have one profile; a missing one is named.",
        "required": false,
        "default": ""
      },
      "config": {
        "description": "Path to mlops.yml. Empty: use mlops.yml in the working directory if present.",
        "required": false,
        "default": ""
      },
      "github-token": {
        "description": "Token for the GitHub API. Needs no write permission for this step.",
        "required": false,
        "default": "${{ github.token }}"
      },
      "working-directory": {
        "description": "Folder that relative paths are resolved against.",
        "required": false,
        "default": "."
      }
    },
    "outputs": {
      "passed": {
        "description": "'true' when no anomaly at or above fail-on severity was found."
      },
      "anomalies": {
        "description": "Number of anomalies found."
      },
      "rows": {
        "description": "Rows in the dataset."
      },
      "report-path": {
        "description": "Path of the validation report."
      },
      "profile-path": {
        "description": "Path of the profile."
      },
      "plan": {
        "description": "With plan-shards: the shards as JSON, [{\"shard\": 1, \"of\": N, \"data\": \"...\"}, ...], for a job matrix (include: fromJSON of this output)."
      }
    }
  },
  "train": {
    "description": "Train a model on a self-hosted GPU runner: the built-in TensorFlow.js trainer or your own command, with caching, checkpoints and resume.",
    "inputs": {
      "command": {
        "description": "Your training program, e.g. \"python train.py --epochs 5\". Split into arguments without a shell. Empty: use the built-in trainer.",
        "required": false,
        "default": ""
      },
      "model": {
        "description": "Built-in trainer model: a preset (linear, logistic, mlp) or a Keras-style layers JSON spec file.",
        "required": false,
        "default": "mlp"
      },
      "data": {
        "description": "Training data (CSV, Parquet, JSON...). Required for the built-in trainer.",
        "required": false,
        "default": ""
      },
      "target": {
        "description": "Target column (built-in trainer).",
        "required": false,
        "default": ""
      },
      "task": {
        "description": "classification, regression or auto (from the target column).",
        "required": false,
        "default": "auto"
      },
      "epochs": {
        "description": "Maximum epochs (early stopping may end sooner).",
        "required": false,
        "default": "50"
      },
      "batch-size": {
        "description": "Mini-batch size.",
        "required": false,
        "default": "32"
      },
      "learning-rate": {
        "description": "Adam learning rate.",
        "required": false,
        "default": "0.01"
      },
      "seed": {
        "description": "Random seed for weights, shuffling and the validation split.",
        "required": false,
        "default": "42"
      },
      "validation-split": {
        "description": "Fraction of rows held out for validation and early stopping.",
        "required": false,
        "default": "0.2"
      },
      "output-dir": {
        "description": "Where the model, preprocessing.json and training-metrics.json are written.",
        "required": false,
        "default": "mlops-artifacts/model"
      },
      "resume": {
        "description": "Continue from the last checkpoint when one exists. Boolean.",
        "required": false,
        "default": "false"
      },
      "cache": {
        "description": "Restore and save checkpoints and preprocessed data with the Actions cache. Boolean.",
        "required": false,
        "default": "true"
      },
      "artifact-name": {
        "description": "Upload the model folder as a workflow artifact with this name. Empty: no upload.",
        "required": false,
        "default": ""
      },
      "gpu": {
        "description": "auto (use a GPU when present), require (fail without one) or off.",
        "required": false,
        "default": "auto"
      },
      "timeout-minutes": {
        "description": "Stop the training command after this many minutes (SIGTERM, then SIGKILL). With launcher: slurm, the job's time limit (--time, rounded up to whole minutes). 0: no limit (slurm: the partition default).",
        "required": false,
        "default": "0"
      },
      "runner-file-commands": {
        "description": "Give the command the runner's file commands (GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT, GITHUB_STATE), with which it can change the job's later steps. Off: it runs without them.",
        "required": false,
        "default": "false"
      },
      "launcher": {
        "description": "Where training runs: local (this runner) or slurm (submitted with sbatch and followed; the runner only submits and follows). See README, Scaling out.",
        "required": false,
        "default": "local"
      },
      "slurm-partition": {
        "description": "launcher: slurm. Partition to submit to (--partition). Empty: the cluster's default partition.",
        "required": false,
        "default": ""
      },
      "slurm-account": {
        "description": "launcher: slurm. Account to charge (--account). Empty: your default account.",
        "required": false,
        "default": ""
      },
      "slurm-gpus": {
        "description": "launcher: slurm. GPUs per node (--gres=gpu:N). 0: none.",
        "required": false,
        "default": "0"
      },
      "slurm-nodes": {
        "description": "launcher: slurm. Nodes (--nodes).",
        "required": false,
        "default": "1"
      },
      "slurm-tasks": {
        "description": "launcher: slurm. Tasks (--ntasks); with more than one task or node the command is started with srun.",
        "required": false,
        "default": "1"
      },
      "slurm-cpus-per-task": {
        "description": "launcher: slurm. CPUs per task (--cpus-per-task). Empty: the partition default.",
        "required": false,
        "default": ""
      },
      "slurm-memory": {
        "description": "launcher: slurm. Memory per node (--mem), e.g. 16G. Empty: the partition default.",
        "required": false,
        "default": ""
      },
      "slurm-options": {
        "description": "launcher: slurm. Further sbatch options, one --name=value per line (e.g. --qos=long), passed as arguments, never through a shell. The time limit is timeout-minutes.",
        "required": false,
        "default": ""
      },
      "slurm-script-template": {
        "description": "launcher: slurm. Your own batch-script template instead of the generated one; {{command}}, {{output_dir}}, {{checkpoint_dir}}, {{metrics_file}}, {{data}}, {{target}}, {{seed}}, {{epochs}}, {{resume}}, {{working_directory}} expand to quoted shell words.",
        "required": false,
        "default": ""
      },
      "slurm-mlops-command": {
        "description": "launcher: slurm with the built-in trainer. How a node starts the mlops CLI, e.g. \"node /shared/mlops/dist/cli.js\". Empty: this action's own bundle with this Node.js, which the nodes must then see.",
        "required": false,
        "default": ""
      },
      "slurm-job-name": {
        "description": "launcher: slurm. Job name (--job-name).",
        "required": false,
        "default": "mlops-train"
      },
      "slurm-poll-seconds": {
        "description": "launcher: slurm. Seconds between looks at the job's state and output file.",
        "required": false,
        "default": "5"
      },
      "search": {
        "description": "Hyperparameter search over mlops.yml's search: section (docs/train.md). off: one training run. run: every trial in this job, one after another (grid, random or halving). plan: only the plan output, a matrix for strategy.matrix. trial: the one trial search-trial names (a matrix job). select-best: rank the trial artifacts downloaded to search-trials. auto: run when mlops.yml has a search: section, else off (one workflow for projects with and without a search).",
        "required": false,
        "default": "off"
      },
      "search-trial": {
        "description": "search: trial. The trial number to train: the matrix entry's trial (matrix.trial).",
        "required": false,
        "default": ""
      },
      "search-trials": {
        "description": "search: select-best. The folder the trials' artifacts were downloaded to (each with its trial.json).",
        "required": false,
        "default": ""
      },
      "tracking": {
        "description": "Where each run's record (params, metrics, curves, data fingerprint, code SHA) is kept: local appends it to the folder tracking-store and writes run-record.json into the folder the run trained in (before the artifact upload, so it travels with the model); off keeps none. train takes no token (it runs your code), so the GitHub store is written by a step that holds one: evaluate's run-records input or mlops runs push (docs/train.md, Experiment tracking).",
        "required": false,
        "default": "local"
      },
      "tracking-store": {
        "description": "tracking: local. The tracking folder, beside the registry's.",
        "required": false,
        "default": ".mlops/runs"
      },
      "config": {
        "description": "Path to mlops.yml. Empty: use mlops.yml in the working directory if present.",
        "required": false,
        "default": ""
      },
      "working-directory": {
        "description": "Folder that relative paths are resolved against.",
        "required": false,
        "default": "."
      }
    },
    "outputs": {
      "model-path": {
        "description": "The trained model: model.json for the built-in trainer (preprocessing.json beside it), the output folder for a command."
      },
      "metrics-path": {
        "description": "Path of training-metrics.json (per-epoch loss and metrics)."
      },
      "backend": {
        "description": "Compute backend used: tensorflow-gpu, tensorflow, wasm, cpu, or command."
      },
      "gpu-count": {
        "description": "GPUs seen by nvidia-smi."
      },
      "duration-seconds": {
        "description": "Wall time of training in seconds."
      },
      "cache-hit": {
        "description": "'true' when the cache restored a checkpoint or preprocessed data."
      },
      "artifact-id": {
        "description": "ID of the uploaded model artifact, when artifact-name is set."
      },
      "artifact-url": {
        "description": "URL of the uploaded model artifact (the run's artifact page, as actions/upload-artifact gives), when artifact-name is set."
      },
      "slurm-job-id": {
        "description": "launcher: slurm. The Slurm job id (a failed job's id is in the error message)."
      },
      "plan": {
        "description": "search: plan, run or select-best. The trials as JSON, {\"trial\": [1, 2, ...]}, a matrix for strategy.matrix (through fromJSON)."
      },
      "best-trial": {
        "description": "search: run or select-best. The number of the best trial (its model is model-path)."
      },
      "best-params": {
        "description": "search: run or select-best. The best trial's parameters, as JSON."
      },
      "search-summary": {
        "description": "search: run or select-best. Path of search-summary.json (every trial, best first)."
      },
      "run-records": {
        "description": "The folder holding this step's run-record.json files (a search's trials; select-best: the downloaded trials'), for evaluate's run-records input or mlops runs push. Empty with tracking: off."
      },
      "trial-status": {
        "description": "search: trial. finished, stopped or failed (a failed trial is recorded, not an error, so select-best sees it)."
      }
    }
  },
  "evaluate": {
    "description": "Evaluate a TF.js or ONNX model, or a predictions file, with metrics that match scikit-learn, bootstrap confidence intervals and slices.",
    "inputs": {
      "model": {
        "description": "Model to evaluate: a TF.js model.json (or its folder), an .onnx file, or registry:<name>@<alias> (e.g. the production model, to compare on the same rows). Leave empty when predictions is given.",
        "required": false,
        "default": ""
      },
      "predictions": {
        "description": "A predictions file (CSV/Parquet with y_true, y_pred and/or y_score, y_score_<class>) from any framework, instead of a model.",
        "required": false,
        "default": ""
      },
      "data": {
        "description": "Evaluation data (features and target), when a model is given.",
        "required": false,
        "default": ""
      },
      "target": {
        "description": "Target column in data.",
        "required": false,
        "default": ""
      },
      "on-invalid": {
        "description": "What to do with a feature value the model's feature contract cannot read (an unseen category, an unparseable number or date, NaN/Inf, a missing feature column): error (stop, naming the column, row and value), warn (fill it, count it, print the counts) or impute (fill it and count it). Empty: features.on-invalid in mlops.yml, else error. Counts go to metrics.json either way.",
        "required": false,
        "default": ""
      },
      "task": {
        "description": "classification, regression or auto.",
        "required": false,
        "default": "auto"
      },
      "metrics": {
        "description": "Metrics to compute (commas or newlines, scikit-learn scorer names). Empty: all that apply to the task.",
        "required": false,
        "default": ""
      },
      "slices": {
        "description": "Columns to compute metrics per value of (commas or newlines).",
        "required": false,
        "default": ""
      },
      "sensitive-features": {
        "description": "Columns to measure group fairness over (commas or newlines), e.g. sex, island: per-group rates and Fairlearn's disparity metrics (demographic_parity_difference, equalized_odds_difference, ...), gateable like any metric. Empty: none.",
        "required": false,
        "default": ""
      },
      "fairness-intersection": {
        "description": "Also measure fairness over the intersection of all sensitive features (e.g. sex x island). Boolean.",
        "required": false,
        "default": "false"
      },
      "fairness-min-group-size": {
        "description": "Groups with fewer rows are reported but left out of the disparity metrics (and so never gated).",
        "required": false,
        "default": "30"
      },
      "importance": {
        "description": "Permutation importance of the model's input columns (scikit-learn's permutation_importance semantics): each column shuffled importance-repeats times, one inference pass each. Needs model. Boolean.",
        "required": false,
        "default": "false"
      },
      "importance-repeats": {
        "description": "Shuffles per column for the permutation importance.",
        "required": false,
        "default": "5"
      },
      "importance-scoring": {
        "description": "The metric whose drop measures importance. Empty: accuracy (classification) or r2 (regression), as scikit-learn's estimator score.",
        "required": false,
        "default": ""
      },
      "confidence": {
        "description": "Confidence level of the bootstrap intervals.",
        "required": false,
        "default": "0.95"
      },
      "bootstrap": {
        "description": "Bootstrap resamples for confidence intervals (0: none).",
        "required": false,
        "default": "1000"
      },
      "seed": {
        "description": "Seed of the bootstrap.",
        "required": false,
        "default": "42"
      },
      "latency": {
        "description": "Measure inference latency (p50/p95/p99 per batch size) and model size. Boolean.",
        "required": false,
        "default": "false"
      },
      "output": {
        "description": "Where to write metrics.json (mlops-metrics/v1).",
        "required": false,
        "default": "mlops-reports/metrics.json"
      },
      "registry": {
        "description": "Registry: its root folder (local backend), or owner/repo (github backend; the default means this repository).",
        "required": false,
        "default": ".mlops/registry"
      },
      "registry-backend": {
        "description": "Where registry: references are read: local (a folder, default) or github (the tags and releases register writes with backend: github; needs github-token with contents: read).",
        "required": false,
        "default": "local"
      },
      "report": {
        "description": "Where to write the evaluation report: one self-contained HTML page (metrics with intervals, confusion matrix, ROC, precision-recall and calibration charts, slices, fairness). Empty: evaluation.html beside output.",
        "required": false,
        "default": ""
      },
      "predictions-output": {
        "description": "Where to write the per-row predictions (Parquet, or CSV by extension), kept for paired comparisons. Its row_id is the row's 0-based position in data, so it joins back to the data (rows left out for a null target leave gaps). Empty: predictions.parquet beside output, where metrics.json can name it by a relative path.",
        "required": false,
        "default": ""
      },
      "tracking": {
        "description": "Where the run's record (params, metrics, data fingerprint, code SHA) is appended: local (the folder tracking-store), github (annotated tags mlops-run/<name>/<n> in this repository, created with github-token; needs contents: write) or off.",
        "required": false,
        "default": "local"
      },
      "tracking-store": {
        "description": "tracking: local. The tracking folder, beside the registry's.",
        "required": false,
        "default": ".mlops/runs"
      },
      "run-records": {
        "description": "train's run-records output (or a folder or run-record.json from its artifact): those train records are published to this step's tracking store too, once each (a record already there, by run id, is skipped). This is how train runs reach the github store, since train holds no token. Empty: none.",
        "required": false,
        "default": ""
      },
      "config": {
        "description": "Path to mlops.yml. Empty: use mlops.yml in the working directory if present.",
        "required": false,
        "default": ""
      },
      "github-token": {
        "description": "Token for the GitHub API. Needs no write permission for this step.",
        "required": false,
        "default": "${{ github.token }}"
      },
      "working-directory": {
        "description": "Folder that relative paths are resolved against.",
        "required": false,
        "default": "."
      }
    },
    "outputs": {
      "metrics-path": {
        "description": "Path of metrics.json."
      },
      "metrics": {
        "description": "Headline metrics as JSON: {\"name\": value}."
      },
      "report-path": {
        "description": "Path of the HTML evaluation report."
      },
      "predictions-path": {
        "description": "Path of the per-row predictions file."
      }
    }
  },
  "compare-baseline": {
    "description": "Diff metrics against the production baseline, post one sticky PR comment, and gate the merge with a check; noise-aware.",
    "inputs": {
      "current": {
        "description": "metrics.json of the candidate model. May be empty only with reported-metrics (a fork's model that could not be re-evaluated).",
        "required": false,
        "default": "mlops-reports/metrics.json"
      },
      "baseline": {
        "description": "Baseline: a metrics.json path, registry:<name>@<alias>, or branch:<name> (latest successful run of that branch). One that names nothing is an error listing what exists, unless allow-missing-baseline. Empty: value thresholds only.",
        "required": false,
        "default": ""
      },
      "allow-missing-baseline": {
        "description": "Treat a baseline that is not there as the first model (value thresholds only) instead of an error. Boolean.",
        "required": false,
        "default": "false"
      },
      "gate": {
        "description": "default: with no thresholds configured, the task's primary metric (accuracy, r2) may not worsen significantly. none: report only, nothing gates.",
        "required": false,
        "default": "default"
      },
      "reported-metrics": {
        "description": "metrics.json reported by an untrusted run (a fork's own pull_request run), read as data: shown beside current; with current empty, compared but marked unverified and the check is neutral, never success.",
        "required": false,
        "default": ""
      },
      "thresholds": {
        "description": "Per-metric thresholds as YAML/JSON or a file path: {metric: {direction, min, max, tolerance, tolerance-pct}}. Merged over mlops.yml metrics.",
        "required": false,
        "default": ""
      },
      "significance": {
        "description": "Count a worsening as a regression only when it is significant at this level (paired bootstrap or CIs). 0: any worsening past tolerance counts.",
        "required": false,
        "default": "0.05"
      },
      "name": {
        "description": "Model name: keys the sticky comment and the check, so several models can share a PR.",
        "required": false,
        "default": "model"
      },
      "comment": {
        "description": "Post or update one sticky PR comment. Boolean.",
        "required": false,
        "default": "true"
      },
      "check": {
        "description": "Report the gate as a check run (falls back to a commit status). Boolean.",
        "required": false,
        "default": "true"
      },
      "status-context": {
        "description": "Stable name of the check / commit status, for branch protection.",
        "required": false,
        "default": "mlops/compare-baseline"
      },
      "fail-on-regression": {
        "description": "Fail the step when a metric regressed. Boolean.",
        "required": false,
        "default": "true"
      },
      "override-label": {
        "description": "A PR label that turns a regression into a neutral, recorded pass.",
        "required": false,
        "default": "accept-metric-regression"
      },
      "registry": {
        "description": "Registry: its root folder (local backend), or owner/repo (github backend; the default means this repository).",
        "required": false,
        "default": ".mlops/registry"
      },
      "registry-backend": {
        "description": "Where registry: references are read: local (a folder, default) or github (the tags and releases register writes with backend: github; needs github-token with contents: read).",
        "required": false,
        "default": "local"
      },
      "report": {
        "description": "Where to write the comparison report (mlops-comparison/v1 JSON).",
        "required": false,
        "default": "mlops-reports/comparison.json"
      },
      "search-summary": {
        "description": "train's search-summary.json (its search-summary output): the comment then shows the search's best trial, its params and the top 5 trials. Empty: no search section.",
        "required": false,
        "default": ""
      },
      "config": {
        "description": "Path to mlops.yml. Empty: use mlops.yml in the working directory if present.",
        "required": false,
        "default": ""
      },
      "github-token": {
        "description": "Token for the GitHub API: pull-requests: write and checks: write to comment and gate; read-only tokens (fork PRs) write the job summary only.",
        "required": false,
        "default": "${{ github.token }}"
      },
      "working-directory": {
        "description": "Folder that relative paths are resolved against.",
        "required": false,
        "default": "."
      }
    },
    "outputs": {
      "passed": {
        "description": "'true' when no metric regressed (or the override label is set)."
      },
      "regressions": {
        "description": "Number of regressed metrics."
      },
      "diff": {
        "description": "The diff as JSON: [{metric, baseline, current, delta, verdict}]."
      },
      "report-path": {
        "description": "Path of the comparison report."
      },
      "comment-url": {
        "description": "URL of the PR comment, when one was posted."
      }
    }
  },
  "register": {
    "description": "Register a model version (immutable, integer-numbered) with its metrics, data profile and model card; move aliases safely.",
    "inputs": {
      "model": {
        "description": "Model folder or file to register.",
        "required": true
      },
      "name": {
        "description": "Registered model name (letters, digits, - and _; not starting or ending with - or _).",
        "required": true
      },
      "metrics": {
        "description": "metrics.json from evaluate, stored with the version.",
        "required": false,
        "default": ""
      },
      "profile": {
        "description": "profile.json from data-validate, stored so drift-check can run from the registry alone.",
        "required": false,
        "default": ""
      },
      "backend": {
        "description": "local (a folder, default) or github (tags and releases in this repository).",
        "required": false,
        "default": "local"
      },
      "registry": {
        "description": "Registry root folder for the local backend.",
        "required": false,
        "default": ".mlops/registry"
      },
      "alias": {
        "description": "Alias to point at the new version (e.g. staging). Not latest.",
        "required": false,
        "default": ""
      },
      "tags": {
        "description": "Tags for the version, key=value (commas or newlines).",
        "required": false,
        "default": ""
      },
      "require": {
        "description": "Value gates before registering, e.g. \"accuracy>=0.9, log_loss<=0.4\".",
        "required": false,
        "default": ""
      },
      "force": {
        "description": "Register even when a require gate fails (logged in the event log). Boolean.",
        "required": false,
        "default": "false"
      },
      "include-checkpoints": {
        "description": "Keep the model folder's checkpoints/ (train's resumable state: weights plus optimizer moments) in the version. Left out by default. Boolean.",
        "required": false,
        "default": "false"
      },
      "allow-digest-mismatch": {
        "description": "Register even when the model digest in metrics.json is not the registered model's (stale metrics); the version is tagged digest-mismatch=true. Boolean.",
        "required": false,
        "default": "false"
      },
      "config": {
        "description": "Path to mlops.yml. Empty: use mlops.yml in the working directory if present.",
        "required": false,
        "default": ""
      },
      "github-token": {
        "description": "Token for the GitHub API: contents: write for the github backend.",
        "required": false,
        "default": "${{ github.token }}"
      },
      "working-directory": {
        "description": "Folder that relative paths are resolved against.",
        "required": false,
        "default": "."
      }
    },
    "outputs": {
      "version": {
        "description": "The version number: the new one, or the existing one when already-registered is 'true'."
      },
      "uri": {
        "description": "Model URI, <name>/<version>: what deploy's and evaluate's model inputs take."
      },
      "already-registered": {
        "description": "'true' when identical content (model files, metrics, profile, tags, gates) was already registered: version names it and nothing new was stored."
      },
      "digest": {
        "description": "sha256 digest over the model files."
      },
      "release-url": {
        "description": "Release URL (github backend)."
      }
    }
  },
  "deploy": {
    "description": "Deploy a registered model to a TF Serving-compatible server, a TF Serving/Triton folder, a webhook or KServe; smoke-test, record a GitHub Deployment, roll back on failure.",
    "inputs": {
      "model": {
        "description": "Model to deploy: <name>@<alias>, <name>/<version> or <name>@latest.",
        "required": true
      },
      "target": {
        "description": "local-server, tfserving-dir, webhook or kserve (writes a KServe InferenceService; see the kserve-* inputs). What local-server puts in place (a new server, or a version swapped into a running one) is on probation until the deploy keeps it: if the job dies first, the server stops itself or swaps the previous version back within a minute.",
        "required": false,
        "default": "local-server"
      },
      "environment": {
        "description": "GitHub environment name of the deployment.",
        "required": false,
        "default": "staging"
      },
      "url": {
        "description": "Server URL (local-server) or webhook URL (webhook). local-server default: http://127.0.0.1 on the environment's port (see ports); port 0 picks a free one. A webhook URL is masked and only its origin is shown anywhere; one with user:password@ is refused.",
        "required": false,
        "default": ""
      },
      "ports": {
        "description": "local-server: the port of each environment, environment=port (commas or newlines), e.g. staging=8601. Unlisted environments keep a stable port: production 8501, staging 8502, others one from 8510-8999 fixed by the name.",
        "required": false,
        "default": ""
      },
      "path": {
        "description": "Base folder for tfserving-dir, or the local server state folder.",
        "required": false,
        "default": ""
      },
      "smoke-test": {
        "description": "A JSON file of requests and expected predictions to check. local-server with a running server: the new version is loaded beside the serving one and tested at its /versions/<n> before it takes any traffic (a hot swap or canary follows only if it passes); otherwise it is checked right after deploying.",
        "required": false,
        "default": ""
      },
      "rollback-on-failure": {
        "description": "Return to the previous version when the smoke test fails. Boolean. A version that fails its test before taking traffic never serves; with false it stays loaded beside the serving one (at /versions/<n>) for a look.",
        "required": false,
        "default": "true"
      },
      "promote-alias": {
        "description": "Registry alias to move to the deployed version on success.",
        "required": false,
        "default": ""
      },
      "canary-percent": {
        "description": "local-server: send this percentage of traffic to the new version first, and promote it or roll back by the criteria below. 0: switch at once.",
        "required": false,
        "default": "0"
      },
      "canary-min-requests": {
        "description": "Candidate requests needed before the canary is judged.",
        "required": false,
        "default": "100"
      },
      "canary-max-error-rate": {
        "description": "Highest share of failed (5xx) candidate requests that still promotes.",
        "required": false,
        "default": "0.01"
      },
      "canary-max-p99-ms": {
        "description": "Highest candidate p99 latency in milliseconds that still promotes. Empty: no bound.",
        "required": false,
        "default": ""
      },
      "canary-min-agreement": {
        "description": "Every request of the canary window is also run on the other version (mirrored) and the outputs compared row by row: a classification row agrees when both versions predict the same class, any other row when each output is within canary-max-relative-error of the stable version's. Lowest share of agreeing rows that still promotes; a canary is rolled back as soon as more rows disagree than this allows over canary-min-requests rows. 0: no comparison.",
        "required": false,
        "default": "0.9"
      },
      "canary-max-relative-error": {
        "description": "For models that are not classifiers: a row agrees when |candidate - stable| <= this x |stable| (+1e-6) for every output.",
        "required": false,
        "default": "0.1"
      },
      "canary-timeout-minutes": {
        "description": "Roll back when the canary has not seen canary-min-requests by then.",
        "required": false,
        "default": "30"
      },
      "kserve-storage-uri": {
        "description": "kserve: where the cluster finds the files, a prefix such as s3://bucket/models; <name>/<version> is appended (storageUri: s3://bucket/models/<name>/<version>). The action does not upload: that folder must already hold the version's files (an ONNX model as model.onnx, a SavedModel as saved_model.pb with its variables/).",
        "required": false,
        "default": ""
      },
      "kserve-namespace": {
        "description": "kserve: namespace of the InferenceService. Empty: the kubeconfig context's namespace.",
        "required": false,
        "default": ""
      },
      "kserve-cpu-request": {
        "description": "kserve: predictor CPU request (a Kubernetes quantity, e.g. 500m). Empty: none.",
        "required": false,
        "default": ""
      },
      "kserve-memory-request": {
        "description": "kserve: predictor memory request (e.g. 1Gi). Empty: none.",
        "required": false,
        "default": ""
      },
      "kserve-cpu-limit": {
        "description": "kserve: predictor CPU limit (e.g. 2). Empty: none.",
        "required": false,
        "default": ""
      },
      "kserve-memory-limit": {
        "description": "kserve: predictor memory limit (e.g. 2Gi). Empty: none.",
        "required": false,
        "default": ""
      },
      "kserve-gpus": {
        "description": "kserve: nvidia.com/gpu requested and limited for the predictor. 0: none.",
        "required": false,
        "default": "0"
      },
      "kserve-canary-percent": {
        "description": "kserve: canaryTrafficPercent, the share of traffic KServe sends to the new revision (the rest stays on the previous one until you raise it). 0: all at once.",
        "required": false,
        "default": "0"
      },
      "kserve-dry-run": {
        "description": "kserve: write and print the manifest, apply nothing. Boolean.",
        "required": false,
        "default": "false"
      },
      "kserve-kubeconfig": {
        "description": "kserve: a kubeconfig file; the manifest is applied with kubectl apply (kubectl must be on PATH). Needed unless kserve-dry-run.",
        "required": false,
        "default": ""
      },
      "kserve-manifest": {
        "description": "kserve: where the manifest is written. Empty: .mlops/kserve/<environment>/<name>.yaml.",
        "required": false,
        "default": ""
      },
      "registry": {
        "description": "Registry: its root folder (local backend), or owner/repo (github backend; the default means this repository).",
        "required": false,
        "default": ".mlops/registry"
      },
      "registry-backend": {
        "description": "Where registry: references are read: local (a folder, default) or github (the tags and releases register writes with backend: github; needs github-token with contents: read).",
        "required": false,
        "default": "local"
      },
      "webhook-secret": {
        "description": "HMAC-SHA256 secret that signs webhook deliveries.",
        "required": false,
        "default": ""
      },
      "config": {
        "description": "Path to mlops.yml. Empty: use mlops.yml in the working directory if present.",
        "required": false,
        "default": ""
      },
      "github-token": {
        "description": "Token for the GitHub API: deployments: write to record deployments; with registry-backend: github, contents: read (contents: write to move promote-alias).",
        "required": false,
        "default": "${{ github.token }}"
      },
      "working-directory": {
        "description": "Folder that relative paths are resolved against.",
        "required": false,
        "default": "."
      }
    },
    "outputs": {
      "deployment-id": {
        "description": "GitHub Deployment id, when one was recorded."
      },
      "url": {
        "description": "Where the model is served (for a webhook, the URL's origin only)."
      },
      "version": {
        "description": "Version now serving."
      },
      "status": {
        "description": "success, failure or rolled_back."
      },
      "manifest-path": {
        "description": "kserve: the InferenceService manifest written (also in a dry run)."
      }
    }
  },
  "drift-check": {
    "description": "Compare production data with training data using the standard drift tests; open one issue and trigger retraining when it drifts.",
    "inputs": {
      "reference": {
        "description": "Reference: a dataset, a profile.json, or registry:<name>@<alias> (the profile stored with the model).",
        "required": true
      },
      "current": {
        "description": "Current data: a dataset, a glob of shards, or the model server request log.",
        "required": true
      },
      "columns": {
        "description": "Columns to check (commas or newlines). Empty: all shared columns.",
        "required": false,
        "default": ""
      },
      "method": {
        "description": "auto, ks, chi2, z, psi, jensenshannon, wasserstein or linf.",
        "required": false,
        "default": "auto"
      },
      "exact": {
        "description": "Exact statistics for every column (true). By default (false), a numeric column compared with the Wasserstein distance (auto's choice above 1,000 reference values, or method wasserstein) between two datasets is computed on a sketch: both sides counted on 3,840 equal-width bins with each bin's extremes; the report gives each column's path (exact or sketch) and error_bound (at most the widest bin's width over the reference std; 0 when each bin holds one value). A column whose sketched distance is within its bound of the threshold is recomputed exactly, and so is one whose KS beside the distance (the noise check) the sketch only bounds on both sides of 0.05. KS, chi-square and the other methods asked for are always exact. Boolean.",
        "required": false,
        "default": "false"
      },
      "threshold": {
        "description": "Threshold of the method (p-value or distance). Empty: the method default.",
        "required": false,
        "default": ""
      },
      "drift-share": {
        "description": "Share of drifted columns at which the dataset counts as drifted.",
        "required": false,
        "default": "0.5"
      },
      "model": {
        "description": "The model whose inputs to compare: its folder, model.json/.onnx, its preprocessing.json, or registry:<name>@<alias>. Only the model's input features are compared (columns train left out are reported as not model inputs, not as drifted), and a request log's _invalid counts go to the report. Without it, a reference column missing from a request log (the label, which a request log never holds) is a warning, not compared and not counted as drifted, unless columns names it.",
        "required": false,
        "default": ""
      },
      "prediction": {
        "description": "Prediction column, checked and reported separately.",
        "required": false,
        "default": ""
      },
      "target": {
        "description": "Label column, when labels have arrived: performance decay is checked.",
        "required": false,
        "default": ""
      },
      "name": {
        "description": "Model name: keys the drift issue.",
        "required": false,
        "default": "model"
      },
      "open-issue": {
        "description": "Open or update one issue on drift, close it when drift goes away. Boolean.",
        "required": false,
        "default": "true"
      },
      "issue-label": {
        "description": "Label of the drift issue.",
        "required": false,
        "default": "model-drift"
      },
      "dispatch": {
        "description": "Start retraining on drift: repository_dispatch:<event-type> or workflow_dispatch:<workflow-file>[@ref]. Empty: none.",
        "required": false,
        "default": ""
      },
      "confirm-runs": {
        "description": "Raise the alert (issue comment, dispatch) only after this many consecutive drifted runs; earlier runs keep a quiet suspected issue.",
        "required": false,
        "default": "1"
      },
      "fail-on-drift": {
        "description": "Fail the step when the dataset drifted. Boolean.",
        "required": false,
        "default": "false"
      },
      "memory-limit": {
        "description": "DuckDB's memory limit; larger work spills to RUNNER_TEMP. Reading CSV needs at least about 96MB.",
        "required": false,
        "default": "4GB"
      },
      "registry": {
        "description": "Registry: its root folder (local backend), or owner/repo (github backend; the default means this repository).",
        "required": false,
        "default": ".mlops/registry"
      },
      "registry-backend": {
        "description": "Where registry: references are read: local (a folder, default) or github (the tags and releases register writes with backend: github; needs github-token with contents: read).",
        "required": false,
        "default": "local"
      },
      "report": {
        "description": "Where to write the drift report (mlops-drift/v1 JSON).",
        "required": false,
        "default": "mlops-reports/drift.json"
      },
      "config": {
        "description": "Path to mlops.yml. Empty: use mlops.yml in the working directory if present.",
        "required": false,
        "default": ""
      },
      "github-token": {
        "description": "Token for the GitHub API: issues: write to open the drift issue, contents: write for repository_dispatch, actions: write for workflow_dispatch.",
        "required": false,
        "default": "${{ github.token }}"
      },
      "working-directory": {
        "description": "Folder that relative paths are resolved against.",
        "required": false,
        "default": "."
      }
    },
    "outputs": {
      "drift-detected": {
        "description": "'true' when the share of drifted columns reached drift-share."
      },
      "drifted-columns": {
        "description": "Drifted columns, comma-separated."
      },
      "share": {
        "description": "Share of drifted columns."
      },
      "report-path": {
        "description": "Path of the drift report."
      },
      "issue-number": {
        "description": "Number of the drift issue, when one is open."
      }
    }
  }
};
