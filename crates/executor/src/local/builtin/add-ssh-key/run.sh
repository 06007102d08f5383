#!/bin/bash
# werk's built-in add-ssh-key: writes $<KEYNAME>_PRIVATE to ~/.ssh/id_<keyname> (mode
# 600) and makes ssh use it, for every host or only for `host`.
#
# Running it again with the same key changes nothing in ~/.ssh/config.

werk_add_ssh_key() (
  # Options an earlier step set in the pipeline's shell must not change this step.
  set +u
  keyname="$WERCKER_ADD_SSH_KEY_KEYNAME"
  host="$WERCKER_ADD_SSH_KEY_HOST"

  if [ -z "$keyname" ]; then
    fail "Private key not found. The keyname was blank, may indicate dollar sign prepended to the keyname."
  fi
  case "$keyname" in
    *_PRIVATE) fail "Private key not found. The keyname should not have _PRIVATE at the end." ;;
  esac
  var="${keyname}_PRIVATE"
  if ! [[ "$var" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    fail "invalid keyname $keyname: it must be the name of a variable without _PRIVATE"
  fi
  key="${!var}"
  if [ -z "$key" ]; then
    fail "Private key not found. Be sure to create an environment variable named $var containing the SSH private key."
  fi

  ssh_dir="$HOME/.ssh"
  { mkdir -p "$ssh_dir" && chmod 700 "$ssh_dir"; } || fail "cannot create $ssh_dir"
  key_file="$ssh_dir/id_$(printf '%s' "$keyname" | tr '[:upper:]' '[:lower:]')"
  umask 077
  # The environment is exported Go-quoted, so the key's newlines arrive as `\n` escapes:
  # %b turns them back, as the original step's `echo -e` did.
  printf '%b\n' "$key" > "$key_file" || fail "cannot write $key_file"
  chmod 600 "$key_file"

  config="$ssh_dir/config"
  { touch "$config" && chmod 600 "$config"; } || fail "cannot write $config"
  if grep -qF -- "IdentityFile \"$key_file\"" "$config"; then
    info "$config already uses $key_file"
  else
    # ssh takes the first value it finds, so the key goes first; a Host block is closed by
    # `Host *` so that the lines already there keep applying to every host.
    if [ -n "$host" ]; then
      block="Host $host"$'\n'"    IdentityFile \"$key_file\""$'\n'"Host *"
    else
      block="IdentityFile \"$key_file\""
    fi
    {
      { printf '%s\n' "$block"; cat "$config"; } > "$config.werk-new" &&
        mv "$config.werk-new" "$config"
    } || fail "cannot update $config"
    info "$config now uses $key_file${host:+ for $host}"
  fi
  success "key $keyname written to $key_file"
)

werk_add_ssh_key
