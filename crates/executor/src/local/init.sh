# wercker-init: the helper functions every step can call.
# Sourced into the pipeline's shell before the first step (and again before after-steps).

success() {
  printf '\033[32msuccess: %s\033[m\n' "$1"
}

info() {
  printf 'info: %s\n' "$1"
}

debug() {
  printf '\033[34mdebug: %s\033[m\n' "$1"
}

warn() {
  printf '\033[33mwarning: %s\033[m\n' "$1"
}

error() {
  printf '\033[31merror: %s\033[m\n' "$1"
}

setMessage() {
  printf '%s\n' "$1" > "$WERCKER_REPORT_MESSAGE_FILE"
}

fail() {
  printf '\033[31mfailed: %s\033[m\n' "$1"
  printf '%s\n' "$1" > "$WERCKER_REPORT_MESSAGE_FILE"
  exit 1
}

# Steps written for containers often call sudo, which a build box usually lacks; as on
# Wercker it does nothing here.
if type shopt > /dev/null 2>&1; then
  shopt -s expand_aliases
fi
alias sudo=""

set -e
