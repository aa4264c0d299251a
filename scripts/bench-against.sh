#!/usr/bin/env bash
# This build's gateway beside an earlier revision's, in one run (bench/revision-bench.ts):
#   bash scripts/bench-against.sh <revision>      e.g. 9282ad5, the last commit before the spine
# The revision is checked out into a worktree of its own under $TMPDIR and built there with this
# checkout's node_modules (an older revision's dependencies are a subset of these).
set -euo pipefail
revision="${1:?usage: bash scripts/bench-against.sh <revision>}"
root="$(git rev-parse --show-toplevel)"
short="$(git -C "$root" rev-parse --short "$revision")"
worktree="${TMPDIR:-/tmp}/switchyard-bench-$short"
if [ ! -d "$worktree" ]; then
  git -C "$root" worktree add --detach "$worktree" "$short" >/dev/null
  ln -s "$root/node_modules" "$worktree/node_modules"
fi
(cd "$worktree" && npx tsc -p tsconfig.build.json)
(cd "$root" && npm run build >/dev/null)
node "$root/dist/bench/revision-bench.js" "$worktree/dist/bench/bench-server.js" "$short"
