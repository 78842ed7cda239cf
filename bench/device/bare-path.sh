#!/usr/bin/env bash
# Fills DIR with links to bash, tar, dpkg (and dpkg-deb, which `dpkg -x` runs) and every coreutils
# program, and nothing else: the PATH of a bare NVIDIA machine for `run.sh --dry-run` under env -i.
# On Debian /bin is a link into /usr, where node and python3 live, so such a PATH is built, not picked.
# Usage: bash bench/device/bare-path.sh DIR; then env -i PATH=DIR bash bench/device/run.sh --dry-run
set -euo pipefail
dir=${1:?usage: bare-path.sh DIR}
mkdir -p "$dir"
for tool in bash tar dpkg dpkg-deb $(dpkg -L coreutils | grep -E '/s?bin/[^/]+$' | xargs -n1 basename); do
  path=$(command -v "$tool") || { echo "bare-path.sh: $tool not found" >&2; exit 2; }
  ln -sf "$path" "$dir/$tool"
done
for banned in node python3; do
  if PATH=$dir command -v "$banned" > /dev/null; then echo "bare-path.sh: $banned is reachable from $dir" >&2; exit 1; fi
done
