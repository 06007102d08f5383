#!/bin/bash
# werk's built-in install-packages: installs Debian packages with apt-get.
#
# Packages already installed are skipped, so a step whose packages are all present needs no
# network. The package lists are updated at most once per run. The work happens in a
# subshell: its variables stay in the step, and `fail` ends the step, not the pipeline's
# shell.

werk_install_packages() (
  # Options an earlier step set in the pipeline's shell must not change this step, and
  # package names are never globs.
  set +u -f
  packages="$WERCKER_INSTALL_PACKAGES_PACKAGES"
  if [ -z "${packages//[[:space:]]/}" ]; then
    fail "no packages given: set the packages property, e.g. packages: git"
  fi

  missing=()
  for package in $packages; do
    if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ]; then
      info "$package is already installed"
    else
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    success "all packages are installed"
    exit 0
  fi

  if ! type -P apt-get > /dev/null; then
    fail "cannot install ${missing[*]}: apt-get is not available (install-packages needs a Debian-based system)"
  fi
  # wercker-init aliases sudo to nothing; the real one is needed when not running as root.
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo_path=$(type -P sudo) || fail "cannot install ${missing[*]}: not running as root and sudo is not installed"
    as_root=("$sudo_path" -n)
  fi

  marker="${WERCKER_PIPELINE_DIR:-${TMPDIR:-/tmp}}/.werk-apt-updated"
  if [ ! -e "$marker" ]; then
    info "updating the package lists"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
      fail "apt-get update failed"
    touch "$marker" 2> /dev/null || true
  fi
  info "installing ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    fail "apt-get install ${missing[*]} failed"
  success "installed ${missing[*]}"
)

werk_install_packages
