#!/usr/bin/env bash
# Builds libsrtp2 on OpenSSL from Debian's own source package, once, into PREFIX (the Makefile passes
# .build/libsrtp2-openssl). Debian 12 builds its libsrtp2 on NSS, whose key lookups grow with the number of
# keys in the process and which allocates on every packet (docs/benchmarks.md); the same source built with
# --enable-openssl does neither.
#
# The source comes from the Debian archive this machine is already configured with, through apt: a private
# deb-src list derived from the system's own entries for this release, in a private state folder, so the
# system's apt configuration is left as it was. apt checks the Sources index against the archive's signed
# Release file and every downloaded file against the index; dpkg-source checks them again against the .dsc
# and applies Debian's patches.
#
# Needs: apt-get, dpkg-source (dpkg-dev), a C compiler, make, libssl-dev.
set -euo pipefail

prefix=$(realpath -m "${1:?usage: build-libsrtp2.sh PREFIX}")
package=libsrtp2
work="$prefix.work"

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || { echo "build-libsrtp2: /etc/os-release names no release codename" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work/etc/sources.list.d" "$work/lists/partial" "$work/source"

# deb-src twins of the system's deb entries for this release (bookworm, bookworm-updates, bookworm-security;
# not backports), from one-line lists and deb822 .sources files alike. Other vendors' entries for the same
# release may come along; one without a source index only makes apt warn, and the version asked for below is
# the one the host would install of Debian's binary package.
shopt -s nullglob
for list in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$list" ] || continue
    awk -v codename="$codename" '
        $1 == "deb" {
            line = $0; sub(/^deb/, "deb-src", line)
            n = split(line, words, /[ \t]+/); suite = ""
            # The suite follows the URI, which follows the optional [options].
            i = 2; if (words[i] ~ /^\[/) { while (i <= n && words[i] !~ /\]$/) i++; i++ }
            suite = words[i + 1]
            if (index(suite, codename) == 1 && suite !~ /-backports$/) print line
        }' "$list" >> "$work/etc/sources.list"
done
for sources in /etc/apt/sources.list.d/*.sources; do
    awk -v codename="$codename" '
        function flush() {
            if (stanza != "" && keep) print stanza "\n"
            stanza = ""; keep = 0; skip = 0
        }
        /^[ \t]*$/ { flush(); next }
        /^#/ { next }
        /^Types:/ { if ($0 !~ /[ \t]deb([ \t]|$)/) { skip = 1 } else { skip = 0 }; $0 = "Types: deb-src" }
        /^Suites:/ {
            line = "Suites:"
            for (i = 2; i <= NF; i++) if (index($i, codename) == 1 && $i !~ /-backports$/) { keep = 1; line = line " " $i }
            $0 = line
        }
        { if (!skip) stanza = stanza (stanza == "" ? "" : "\n") $0 }
        END { flush() }' "$sources" > "$work/etc/sources.list.d/$(basename "$sources")"
done
touch "$work/etc/sources.list"

apt_options=(
    -o "Dir::Etc::SourceList=$work/etc/sources.list"
    -o "Dir::Etc::SourceParts=$work/etc/sources.list.d"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache::pkgcache="
    -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=root"
)
# The version of Debian's binary package the host would install (libsrtp2-1), when its lists know one.
candidate=$(apt-cache policy libsrtp2-1 2>/dev/null | awk '/Candidate:/ { print $2 }')
wanted=$package
[ -n "$candidate" ] && [ "$candidate" != "(none)" ] && wanted="$package=$candidate"
echo "build-libsrtp2: fetching Debian's source package $wanted for $codename"
# A failing index of another vendor fails the update but not the source fetch; its log is shown if that fails.
apt-get -q "${apt_options[@]}" update >"$work/apt-update.log" 2>&1 || true
(cd "$work/source" && apt-get -q "${apt_options[@]}" source --download-only "$wanted") >"$work/apt-source.log" 2>&1 \
    || { cat "$work/apt-update.log" "$work/apt-source.log" >&2; echo "build-libsrtp2: apt-get source $wanted failed" >&2; exit 1; }

dsc=$(ls "$work"/source/${package}_*.dsc)
version=$(sed -n 's/^Version: //p' "$dsc")
# No Debian keyring here for the .dsc's own signature: the hashes apt checked against the signed Release are
# the proof, and dpkg-source checks the tarballs against the .dsc.
dpkg-source --no-check -x "$dsc" "$work/tree" >"$work/dpkg-source.log" 2>&1 \
    || { cat "$work/dpkg-source.log" >&2; echo "build-libsrtp2: dpkg-source could not unpack $dsc" >&2; exit 1; }

echo "build-libsrtp2: building $package $version with --enable-openssl"
(
    cd "$work/tree"
    ./configure -q --enable-openssl --disable-pcap CFLAGS="-O2 -g -fPIC" >"$work/configure.log" 2>&1 \
        || { cat "$work/configure.log" >&2; exit 1; }
    make -j"$(nproc)" libsrtp2.a >"$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; exit 1; }
)
grep -aq "GCM using openssl" "$work/tree/libsrtp2.a" \
    || { echo "build-libsrtp2: the library built is not on OpenSSL" >&2; exit 1; }

# The headers `make install` would install, and the static library alone: with no .so beside it, the
# linker's -lsrtp2 takes the archive.
rm -rf "$prefix"
mkdir -p "$prefix/include/srtp2" "$prefix/lib"
cp "$work/tree/include/srtp.h" "$work/tree/crypto/include/auth.h" "$work/tree/crypto/include/cipher.h" \
    "$work/tree/crypto/include/crypto_types.h" "$prefix/include/srtp2/"
cp "$work/tree/libsrtp2.a" "$prefix/lib/"
echo "$package $version (Debian source, --enable-openssl)" > "$prefix/VERSION"
rm -rf "$work"
echo "build-libsrtp2: $(cat "$prefix/VERSION") in $prefix"
