#!/usr/bin/env bash
# Installs the system libraries parbench links against. Idempotent: apt-get runs only when a
# package is missing, so a second call costs a few dpkg queries.
set -euo pipefail

# The pthread build of OpenBLAS: Debian's serial variant is not thread-safe (wrong results were
# seen when several threads call it), and the OpenMP one ignores openblas_set_num_threads
# from threads it did not start.
packages=(pkg-config libopenblas-dev libopenblas-pthread-dev libopenblas0-pthread)
# jq: scripts/regression-power.sh reads the comparison JSON with it.
packages+=(jq)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Several OpenBLAS variants can be installed side by side; the alternatives system picks the one
# that `-lopenblas` and the loader find. Point both at the pthread build when it is not already.
arch_dir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for alt in libopenblas.so libopenblas.so.0 libblas.so.3 liblapack.so.3; do
  name="${alt}-$(basename "$arch_dir")"
  target="$arch_dir/openblas-pthread/$alt"
  if [ -e "$target" ] && update-alternatives --query "$name" >/dev/null 2>&1; then
    current=$(update-alternatives --query "$name" | awk '/^Value:/ {print $2}')
    if [ "$current" != "$target" ]; then
      sudo=""
      if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
      $sudo update-alternatives --set "$name" "$target" >/dev/null
    fi
  fi
done
