#!/usr/bin/env bash
# Builds the small image the Docker tests use as a box and as a service, with
# `docker import` (nothing is pulled): a static bash and busybox with its applets.
#
# Usage: scripts/test-box-image.sh IMAGE
# Needs the Debian packages bash-static and busybox-static.
set -euo pipefail
image=${1:?usage: $0 IMAGE}
if docker image inspect "$image" >/dev/null 2>&1; then
    exit 0
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/www" "$root/root"
cp /bin/busybox "$root/bin/busybox"
cp /bin/bash-static "$root/bin/bash"
for applet in $(/bin/busybox --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'hello from the service' >"$root/www/index.html"
tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/bin' \
    --change 'EXPOSE 8080' \
    - "$image" >/dev/null
