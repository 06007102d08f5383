#!/bin/bash
# werk's built-in add-to-known_hosts: scans a host's SSH keys with ssh-keyscan and adds
# them to ~/.ssh/known_hosts, only those matching `fingerprint` when it is given.
#
# Steps run on the build machine itself rather than in a throw-away container, so the keys
# always go to the user's own known_hosts, never to the system-wide file, whatever `local`
# says. Keys already present are not added twice.

werk_add_to_known_hosts() (
  # Options an earlier step set in the pipeline's shell must not change this step.
  set +u
  host="$WERCKER_ADD_TO_KNOWN_HOSTS_HOSTNAME"
  port="${WERCKER_ADD_TO_KNOWN_HOSTS_PORT:-22}"
  fingerprint="$WERCKER_ADD_TO_KNOWN_HOSTS_FINGERPRINT"
  types="$WERCKER_ADD_TO_KNOWN_HOSTS_TYPE"
  timeout="$WERCKER_ADD_TO_KNOWN_HOSTS_TIMEOUT"

  [ -n "$host" ] || fail "missing or empty hostname, please check your wercker.yml"
  type -P ssh-keyscan > /dev/null ||
    fail "ssh-keyscan is not installed: add install-packages with packages: openssh-client before this step"

  ssh_dir="$HOME/.ssh"
  known_hosts="$ssh_dir/known_hosts"
  { mkdir -p "$ssh_dir" && chmod 700 "$ssh_dir"; } || fail "cannot create $ssh_dir"
  { touch "$known_hosts" && chmod 600 "$known_hosts"; } || fail "cannot write $known_hosts"

  args=(-p "$port")
  [ -n "$types" ] && args+=(-t "$types")
  [ -n "$timeout" ] && args+=(-T "$timeout")
  scanned=$(ssh-keyscan "${args[@]}" "$host" 2> /dev/null | grep -v '^#')
  if [ -z "$scanned" ]; then
    fail "ssh-keyscan found no key for $host on port $port: is the host reachable from this machine?"
  fi

  keys="$scanned"
  if [ -n "$fingerprint" ]; then
    want="${fingerprint#MD5:}"
    want="${want#SHA256:}"
    keys=""
    while IFS= read -r line; do
      one=$(mktemp) || fail "cannot create a temporary file"
      printf '%s\n' "$line" > "$one"
      sha=$(ssh-keygen -l -E sha256 -f "$one" 2> /dev/null | awk '{print $2}')
      md5=$(ssh-keygen -l -E md5 -f "$one" 2> /dev/null | awk '{print $2}')
      rm -f "$one"
      if [ "${sha#SHA256:}" = "$want" ] || [ "${md5#MD5:}" = "$want" ]; then
        keys+="$line"$'\n'
      else
        warn "skipped a key of $host: it does not match the fingerprint"
      fi
    done <<< "$scanned"
    [ -n "$keys" ] || fail "no key of $host matches the fingerprint $fingerprint"
  else
    warn "no fingerprint given: the keys of $host are trusted as found (set fingerprint to check them)"
  fi

  added=0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    if ! grep -qxF -- "$line" "$known_hosts"; then
      printf '%s\n' "$line" >> "$known_hosts" || fail "cannot write $known_hosts"
      added=$((added + 1))
    fi
  done <<< "$keys"
  success "added $added key(s) of $host to $known_hosts"
)

werk_add_to_known_hosts
