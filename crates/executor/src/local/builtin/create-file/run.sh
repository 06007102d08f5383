#!/bin/bash
# werk's built-in create-file: writes `content` to `filename`, relative to the step's
# working directory (the source dir, or the step's `cwd`).
#
# The content is written with `echo -e` semantics, as the original step did: the exported
# value carries newlines as `\n` escapes, and both those and a literal `\n` typed in the yml
# become new lines. The content is never logged: it is often a key or a certificate.

werk_create_file() (
  # Options an earlier step set in the pipeline's shell must not change this step.
  set +u
  filename="$WERCKER_CREATE_FILE_FILENAME"
  content="$WERCKER_CREATE_FILE_CONTENT"

  [ -n "$filename" ] || fail "missing filename option, please add it to the create-file step in wercker.yml"
  if [ -e "$filename" ] && [ "$WERCKER_CREATE_FILE_OVERWRITE" != "true" ]; then
    fail "cannot create file, $filename already exists (set overwrite: true to replace it)"
  fi
  mkdir -p -- "$(dirname -- "$filename")" || fail "cannot create the directory of $filename"
  if [ -n "$content" ]; then
    printf '%b\n' "$content" > "$filename" || fail "cannot write $filename"
  else
    warn "the content is empty: $filename is created empty"
    : > "$filename" || fail "cannot write $filename"
  fi
  success "content written to $filename ($(wc -c < "$filename") bytes)"
)

werk_create_file
