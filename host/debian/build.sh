#!/usr/bin/env bash
# Builds Baton's Debian package from a built binary:
#   host/debian/build.sh target/release/baton [OUT_DIR]
# writes OUT_DIR/baton_<version>_<arch>.deb (OUT_DIR defaults to target/debian).
# The version is the workspace's; dpkg-deb (Debian's dpkg) does the packing.
set -euo pipefail
trap 'echo "host/debian/build.sh: failed at line $LINENO" >&2' ERR
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="${1:?usage: host/debian/build.sh BINARY [OUT_DIR]}"
out="${2:-$root/target/debian}"
version="$(sed -n '/^\[workspace.package\]/,/^\[/ s/^version = "\(.*\)"/\1/p' "$root/Cargo.toml")"
arch="$(dpkg --print-architecture)"
# The C library the binary was linked against, as its lowest acceptable version.
# (sed reads all of ldd's output: `head` would close the pipe early, and
# with pipefail ldd's SIGPIPE would end the script.)
glibc="$(ldd --version 2>&1 | sed -n '1s/.* \([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p')"
stage="$(mktemp -d)"
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT

install -D -m 0755 "$binary" "$stage/usr/bin/baton"
strip --strip-debug "$stage/usr/bin/baton" 2>/dev/null || true
install -D -m 0644 "$here/baton.service" "$stage/lib/systemd/system/baton.service"
install -D -m 0640 "$here/baton.toml" "$stage/etc/baton/baton.toml"
install -D -m 0644 "$root/host/OPERATING.md" "$stage/usr/share/doc/baton/OPERATING.md"
install -D -m 0644 "$root/README.md" "$stage/usr/share/doc/baton/README.md"
cat > "$stage/usr/share/doc/baton/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: baton
License: Apache-2.0
 On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.
COPYRIGHT
mkdir -p "$stage/DEBIAN"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/libc6 (>= $glibc), adduser/" \
    "$here/control.in" > "$stage/DEBIAN/control"
echo "Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)" >> "$stage/DEBIAN/control"
echo /etc/baton/baton.toml > "$stage/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$here/$script" "$stage/DEBIAN/$script"
done
mkdir -p "$out"
deb="$out/baton_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
