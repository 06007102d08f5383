#!/bin/bash
# werk's built-in hugo-build, standing in for arjen/hugo-build: runs the hugo on PATH on
# the site in $WERCKER_SOURCE_DIR/$basedir, which writes it to public/.
#
# werk downloads nothing: the original step's download of a given hugo version has no
# counterpart, so `version` is only compared with the installed hugo, and hugo itself comes
# from an install-packages step.

werk_hugo_build() (
  # Options an earlier step set in the pipeline's shell must not change this step.
  set +u
  # The original step's rule: with prod_branches, every other branch is a dev branch; with
  # dev_branches, only those are; with neither, every branch is.
  on_dev_branch() {
    local b
    if [ -n "$WERCKER_HUGO_BUILD_PROD_BRANCHES" ]; then
      for b in $WERCKER_HUGO_BUILD_PROD_BRANCHES; do
        [ "$b" = "$WERCKER_GIT_BRANCH" ] && return 1
      done
      return 0
    elif [ -n "$WERCKER_HUGO_BUILD_DEV_BRANCHES" ]; then
      for b in $WERCKER_HUGO_BUILD_DEV_BRANCHES; do
        [ "$b" = "$WERCKER_GIT_BRANCH" ] && return 0
      done
      return 1
    fi
    return 0
  }

  type -P hugo > /dev/null ||
    fail "hugo is not installed: add install-packages with packages: hugo before this step"

  installed=$(hugo version 2> /dev/null | grep -oE 'v[0-9]+(\.[0-9]+)+' | head -n 1)
  installed="${installed#v}"
  wanted="${WERCKER_HUGO_BUILD_VERSION#v}"
  # An unquoted version in the yml may arrive as `false` or empty (see the original step).
  [ "$wanted" = "false" ] && wanted=""
  if [ -n "$wanted" ] && [ "$wanted" != "$installed" ]; then
    warn "hugo $wanted was asked for, but hugo ${installed:-of an unknown version} is installed: building with it"
  fi
  if [ "$WERCKER_HUGO_BUILD_FORCE_INSTALL" = "true" ]; then
    warn "force_install is not supported: building with the installed hugo"
  fi
  if [ "$WERCKER_HUGO_BUILD_INSTALL_PYGMENTS" = "true" ] && ! type -P pygmentize > /dev/null; then
    warn "pygments is not installed: add python3-pygments to an install-packages step before this one"
  fi

  site="$WERCKER_SOURCE_DIR/$WERCKER_HUGO_BUILD_BASEDIR"
  site="${site%/}"
  [ -d "$site" ] || fail "the site directory $site does not exist (check basedir)"

  flags="$WERCKER_HUGO_BUILD_FLAGS"
  if [ -n "$WERCKER_HUGO_BUILD_DEV_FLAGS" ] && on_dev_branch; then
    info "using dev_flags on branch $WERCKER_GIT_BRANCH"
    flags="$WERCKER_HUGO_BUILD_DEV_FLAGS"
  fi
  extra=""
  if [ -n "$WERCKER_HUGO_BUILD_THEME" ]; then
    extra+=" --theme=$(printf '%q' "$WERCKER_HUGO_BUILD_THEME")"
  fi
  if [ -n "$WERCKER_HUGO_BUILD_CONFIG" ]; then
    case "$WERCKER_HUGO_BUILD_CONFIG" in
      /*) config="$WERCKER_HUGO_BUILD_CONFIG" ;;
      *) config="$site/$WERCKER_HUGO_BUILD_CONFIG" ;;
    esac
    extra+=" --config=$(printf '%q' "$config")"
  fi

  if [ "$WERCKER_HUGO_BUILD_CLEAN_BEFORE" = "true" ] && [ -d "$site/public" ]; then
    info "emptying $site/public"
    find "$site/public" -mindepth 1 -delete || fail "cannot empty $site/public"
  fi

  # Flags are shell words as the user wrote them (quotes included), hence eval, as the
  # original step did.
  command="hugo --source=$(printf '%q' "$site") $flags$extra"
  info "running $command"
  eval "$command"
  status=$?
  [ "$status" -eq 0 ] || fail "hugo failed with exit code: $status"
  success "site built with hugo ${installed:-(unknown version)}"
)

werk_hugo_build
