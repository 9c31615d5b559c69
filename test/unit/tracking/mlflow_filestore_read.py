"""Reads an mlruns/ folder the way MLflow's FileStore does, and prints what MLflow would show.

MLflow itself cannot be installed here (no PyPI), so this follows the read path of
mlflow/store/tracking/file_store.py (mlflow 2.x) step by step, with PyYAML's safe_load as
mlflow.utils.file_utils.read_yaml uses it, and fails (exit 1, a message naming the file) wherever
FileStore raises or drops something: the checks the TypeScript export is held to come from
MLflow's own reading code, not from the exporter's idea of the layout.

  search_experiments  -> _get_active_experiments: root subfolders but .trash and models
  _get_experiment     -> meta.yaml; experiment_id cast to str (_read_persisted_experiment_dict);
                         an id that differs from the folder name makes MLflow ignore it
  Experiment(...)     -> experiment_id, name, artifact_location, lifecycle_stage required
  _list_run_infos     -> experiment subfolders but tags, datasets, traces; meta.yaml of each
  _read_persisted_run_info_dict -> status int -> RunStatus name; RunInfo's required fields;
                         a run whose experiment_id differs from its folder's is ignored
  _get_resource_files -> os.walk of metrics/, params/, tags/ (a '/' in a name is a subfolder)
  _get_metric_from_line -> "<timestamp> <value> [<step>]": int, float, int
  _get_metric_from_file -> the latest value: max by (step, timestamp, value)
  _validate_run_id, _validate_metric_name, _validate_param_name, _validate_tag_name
                      -> mlflow/utils/validation.py's patterns

Usage: mlflow_filestore_read.py <mlruns folder>  (JSON on stdout)
"""

import json
import os
import posixpath
import re
import sys

import yaml

TRASH = ".trash"
MODELS = "models"  # ModelRegistryFileStore.MODELS_FOLDER_NAME
RESERVED_EXPERIMENT_FOLDERS = ["tags", "datasets", "traces"]
# mlflow.entities.RunStatus
RUN_STATUS = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
VALID_NAME = re.compile(r"^[/\w.\- ]*$")
RUN_ID = re.compile(r"^[a-zA-Z0-9][\w\-]{0,255}$")
EXPERIMENT_ID = re.compile(r"^[a-zA-Z0-9][\w\-]{0,63}$")
EXPERIMENT_FIELDS = ["experiment_id", "name", "artifact_location", "lifecycle_stage"]
RUN_INFO_FIELDS = ["run_uuid", "experiment_id", "user_id", "start_time", "end_time", "lifecycle_stage"]


class Malformed(Exception):
    pass


def read_yaml(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        raise Malformed(f"{path}: missing (MissingConfigException)")
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def read_file(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        return f.read()


def check_name(kind, name, where):
    # _validate_metric_name / _validate_param_name / _validate_tag_name, and path_not_unique.
    if not VALID_NAME.match(name) or posixpath.normpath(name) != name or len(name) > 250:
        raise Malformed(f"{where}: invalid {kind} name {name!r}")


def resource_files(run_dir, sub):
    folder = os.path.join(run_dir, sub)
    if not os.path.isdir(folder):
        return folder, []
    names = []
    for root, _, files in os.walk(folder):
        for name in files:
            names.append(os.path.relpath(os.path.join(root, name), folder))
    return folder, sorted(names)


def metric_from_line(name, line, where):
    parts = line.strip().split(" ")
    if len(parts) not in (2, 3):
        raise Malformed(f"{where}: metric {name!r} has {len(parts)} fields; expected 2 or 3")
    return {
        "timestamp": int(parts[0]),
        "value": float(parts[1]),
        "step": int(parts[2]) if len(parts) == 3 else 0,
    }


def finite(value):
    # JSON has no nan/inf: print them as strings.
    return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)


def read_run(exp_id, run_dir):
    where = run_dir
    meta = read_yaml(run_dir, "meta.yaml")
    if not isinstance(meta, dict):
        raise Malformed(f"{where}/meta.yaml: not a mapping")
    for field in RUN_INFO_FIELDS:
        if field not in meta:
            raise Malformed(f"{where}/meta.yaml: RunInfo needs {field}")
    status = meta.get("status", 1)
    if status not in RUN_STATUS:
        raise Malformed(f"{where}/meta.yaml: status {status!r} is not a RunStatus")
    experiment_id = meta["experiment_id"]
    if isinstance(experiment_id, int):
        experiment_id = str(experiment_id)
    if experiment_id != exp_id:
        raise Malformed(f"{where}/meta.yaml: experiment_id {experiment_id!r} is not its folder's ({exp_id}); MLflow ignores the run")
    run_id = meta.get("run_id") or meta["run_uuid"]
    if not RUN_ID.match(run_id) or os.path.basename(run_dir) != run_id:
        raise Malformed(f"{where}: run id {run_id!r} invalid or not the folder's name")
    metrics, history = {}, {}
    folder, names = resource_files(run_dir, "metrics")
    for name in names:
        check_name("metric", name, where)
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            lines = [line for line in f.read().splitlines()]
        rows = [metric_from_line(name, line, where) for line in lines]
        if not rows:
            raise Malformed(f"{where}: metric {name!r} is malformed, no data")
        latest = max(rows, key=lambda m: (m["step"], m["timestamp"], m["value"]))
        metrics[name] = finite(latest["value"])
        history[name] = [[m["step"], finite(m["value"]), m["timestamp"]] for m in rows]
    params, tags = {}, {}
    folder, names = resource_files(run_dir, "params")
    for name in names:
        check_name("param", name, where)
        params[name] = read_file(folder, name)
    folder, names = resource_files(run_dir, "tags")
    for name in names:
        check_name("tag", name, where)
        tags[name] = read_file(folder, name)
    return {
        "experiment_id": experiment_id,
        "run_id": run_id,
        "run_name": meta.get("run_name") or tags.get("mlflow.runName"),
        "status": RUN_STATUS[status],
        "start_time": meta["start_time"],
        "end_time": meta["end_time"],
        "user_id": meta["user_id"],
        "lifecycle_stage": meta["lifecycle_stage"],
        "artifact_uri": meta.get("artifact_uri"),
        "params": params,
        "metrics": metrics,
        "history": history,
        "tags": tags,
    }


def main(root):
    if not os.path.isdir(root):
        raise Malformed(f"{root} is not a directory")
    experiments, runs = [], []
    for exp_id in sorted(os.listdir(root)):
        exp_dir = os.path.join(root, exp_id)
        if not os.path.isdir(exp_dir) or exp_id.endswith(TRASH) or exp_id == MODELS:
            continue
        if not EXPERIMENT_ID.match(exp_id):
            raise Malformed(f"{exp_dir}: {exp_id!r} is not an experiment id")
        meta = read_yaml(exp_dir, "meta.yaml")
        for field in EXPERIMENT_FIELDS:
            if field not in meta:
                raise Malformed(f"{exp_dir}/meta.yaml: Experiment needs {field}")
        recorded = str(meta["experiment_id"]) if isinstance(meta["experiment_id"], int) else meta["experiment_id"]
        if recorded != exp_id:
            raise Malformed(f"{exp_dir}/meta.yaml: experiment_id {recorded!r} is not its folder's; MLflow ignores it")
        experiments.append(
            {
                "experiment_id": recorded,
                "name": meta["name"],
                "lifecycle_stage": meta["lifecycle_stage"],
                "artifact_location": meta["artifact_location"],
            }
        )
        for run in sorted(os.listdir(exp_dir)):
            run_dir = os.path.join(exp_dir, run)
            if run in RESERVED_EXPERIMENT_FOLDERS or not os.path.isdir(run_dir):
                continue
            runs.append(read_run(exp_id, run_dir))
    if not os.path.isdir(os.path.join(root, TRASH)):
        raise Malformed(f"{root}: no {TRASH} folder (FileStore creates one)")
    json.dump({"experiments": experiments, "runs": runs}, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except Malformed as error:
        print(f"MLflow's FileStore would not read this: {error}", file=sys.stderr)
        sys.exit(1)
