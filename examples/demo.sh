#!/bin/sh
# The main job on the shipped example: manage a copy of schedule_config.yml in
# a scratch folder (or in DIR, if given), change it safely, see a bad change
# refused, read the history, and restore.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
cp "$here/schedule_config.yml" "$here/.cfg.yaml" "$work/"
cd "$work"
echo "== managing $work"
cfg init .

echo "== a change: raise the backup's retries (the file is first recorded as it was)"
sed 's/retry_count: 2/retry_count: 3/' schedule_config.yml | cfg write schedule_config.yml -m "backup: 3 retries"

echo "== a broken change is refused, the file is untouched"
sed 's/schedule: "0 2 \* \* \*"/schedule: "0 25 * * *"/' schedule_config.yml \
  | cfg write schedule_config.yml -m "typo" || echo "(refused with exit code $?)"

echo "== history"
cfg log --format json
echo "== what changed"
cfg diff schedule_config.yml --from HEAD~1 --to HEAD

echo "== restore the first version, as a new commit"
cfg restore HEAD~1 schedule_config.yml -m "back to the original"
cfg log -n 1
git --git-dir .cfg fsck --strict && echo "== git fsck --strict: clean"
