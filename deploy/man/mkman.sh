#!/bin/sh
# Writes one man page from `versa [COMMAND] --help` with help2man, so the page and --help cannot
# drift apart: mkman.sh VERSA_BIN COMMAND|- "one-line description" OUTPUT
# ("-" is the top-level `versa`; a command's page is versa-COMMAND(1)). Used by deploy/meson.build.
set -eu
bin=$1 cmd=$2 desc=$3 out=$4
here=$(dirname "$0")
if [ "$cmd" = "-" ]; then
    page=versa help="--help"
else
    page=versa-$cmd help="$cmd --help"
fi
help2man --no-info --no-discard-stderr --section=1 --name="$desc" --help-option="$help" \
    --version-option=--version --include="$here/common.h2m" "$bin" -o "$out.tmp"
# help2man names the page after the binary; a command's page is versa-COMMAND
if [ "$cmd" != "-" ]; then
    upper=$(echo "$page" | tr a-z A-Z)
    sed -e "s/^\.TH VERSA /.TH $upper /" -e "s/^versa \\\\- /$page \\\\- /" "$out.tmp" >"$out"
    rm -f "$out.tmp"
else
    mv "$out.tmp" "$out"
fi
