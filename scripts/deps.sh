#!/usr/bin/env bash
# Installs what the hotline and its tests need when it is missing: PostgreSQL server programs, SIPp,
# sox and acl (setfacl, for a data folder inside a private home such as /root). As root it installs them
# with apt-get; otherwise it says what to install and fails.
set -euo pipefail

missing=()
have_pg() {
	command -v initdb >/dev/null 2>&1 && return 0
	compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}
have_pg || missing+=(postgresql)
command -v sipp >/dev/null 2>&1 || missing+=(sip-tester)
command -v sox >/dev/null 2>&1 || missing+=(sox)
command -v setfacl >/dev/null 2>&1 || missing+=(acl)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "Missing: ${missing[*]}. Install them, then run make again:" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "Installing ${missing[*]} (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
echo "Installed ${missing[*]}." >&2
