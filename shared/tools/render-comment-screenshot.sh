#!/usr/bin/env bash
# Renders a PR comment written by compare-baseline the way GitHub does (cmark-gfm, GitHub's own
# markdown renderer) and screenshots it with headless Chromium, for the README.
# Usage: shared/tools/render-comment-screenshot.sh mlops-demo/mlops-reports/pr-comment-penguins.md docs/images/pr-comment.png
set -euo pipefail
comment=${1:-mlops-demo/mlops-reports/pr-comment-penguins.md}
png=${2:-docs/images/pr-comment.png}
work=$(mktemp -d)
{
  cat <<'HTML'
<!doctype html><html><head><meta charset="utf-8"><style>
body{font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;margin:0;padding:16px;background:#fff}
.comment{border:1px solid #d0d7de;border-radius:6px;max-width:900px}
.head{background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:8px 16px;color:#59636e}
.body{padding:16px}table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 10px}
th{background:#f6f8fa}tr:nth-child(2n) td{background:#f6f8fa}code{background:#eff1f3;padding:1px 4px;border-radius:4px}
h3{margin-top:0}
</style></head><body><div class="comment"><div class="head"><b>github-actions</b> bot commented</div><div class="body">
HTML
  # Our own comment: data in it is already escaped, and GitHub renders <details> as HTML too.
  cmark-gfm --unsafe -e table -e strikethrough -e autolink "$comment"
  echo '</div></div></body></html>'
} > "$work/comment.html"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$work/profile" --hide-scrollbars \
  --window-size=940,900 --screenshot="$png" "file://$work/comment.html" >/dev/null 2>&1
echo "wrote $png"
