#!/bin/bash
# werk's built-in gh-pages, standing in for lukevivier/gh-pages: commits the contents of
# $WERCKER_ROOT/$basedir as the only commit of a fresh repository and force-pushes it to
# `branch` of the remote.
#
# The token never reaches the log: everything git prints, and every message naming the
# remote, goes through `mask`.

werk_gh_pages() (
  # Options an earlier step set in the pipeline's shell must not change this step.
  set +u
  token="$WERCKER_GH_PAGES_TOKEN"
  repo="$WERCKER_GH_PAGES_REPO"
  domain="$WERCKER_GH_PAGES_DOMAIN"
  basedir="${WERCKER_GH_PAGES_BASEDIR:-public}"
  branch="${WERCKER_GH_PAGES_BRANCH:-gh-pages}"
  remote="$WERCKER_GH_PAGES_REMOTE"
  message="${WERCKER_GH_PAGES_MESSAGE:-deploy from $WERCKER_GIT_COMMIT}"

  mask() {
    local line
    while IFS= read -r line || [ -n "$line" ]; do
      if [ -n "$token" ]; then
        line="${line//"$token"/***}"
      fi
      printf '%s\n' "$line"
    done
  }

  case "$basedir" in
    /*) dir="$basedir" ;;
    *) dir="$WERCKER_ROOT/$basedir" ;;
  esac
  [ -d "$dir" ] || fail "nothing to deploy: $dir does not exist (check basedir)"
  git check-ref-format --branch "$branch" > /dev/null 2>&1 || fail "invalid branch name: $branch"

  if [ -z "$remote" ]; then
    if [ -z "$repo" ] && [ -n "$WERCKER_GIT_OWNER" ] && [ -n "$WERCKER_GIT_REPOSITORY" ]; then
      repo="$WERCKER_GIT_OWNER/$WERCKER_GIT_REPOSITORY"
    fi
    if ! [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
      fail "no remote to push to: set repo to the owner/name of a GitHub repository, or remote to a git URL"
    fi
    [ -n "$token" ] || fail "no token to push to github.com/$repo: set token, or remote to a git URL"
    remote="https://$token@github.com/$repo.git"
  fi
  shown=$(printf '%s' "$remote" | mask)

  work=$(mktemp -d) || fail "cannot create a temporary directory"
  trap 'rm -rf "$work"' EXIT
  cp -a "$dir/." "$work/" || fail "cannot copy $dir"
  rm -rf "$work/.git"
  if [ -n "$domain" ]; then
    printf '%s\n' "$domain" > "$work/CNAME"
  fi
  cd "$work" || fail "cannot enter $work"
  git -c init.defaultBranch="$branch" init -q . 2>&1 | mask
  git symbolic-ref HEAD "refs/heads/$branch" || fail "cannot create branch $branch"
  git add -A . || fail "cannot add the files of $dir"
  git -c user.name=werk -c user.email=werk@localhost -c commit.gpgsign=false \
    commit -q --allow-empty -m "$message" 2>&1 | mask
  [ "${PIPESTATUS[0]}" -eq 0 ] || fail "cannot commit the files of $dir"

  info "pushing $dir to branch $branch of $shown"
  GIT_TERMINAL_PROMPT=0 git push -q --force "$remote" "HEAD:refs/heads/$branch" 2>&1 | mask
  [ "${PIPESTATUS[0]}" -eq 0 ] || fail "pushing to branch $branch of $shown failed"
  success "deployed $dir to branch $branch of $shown"
)

werk_gh_pages
